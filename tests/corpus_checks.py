"""The shared malformed-feed corpora through the real parse-and-normalize path, and the checks made on
what it would store. Used by tests/test_corpus_robustness.py, tests/dedup/test_sanitize.py and
bench/corpus_robustness.py.

The unsafe-text check here is written apart from the sanitizer (dedup/text.py) on purpose: the code
that cleans text does not get to judge its own output."""

from __future__ import annotations

import ast
import io
import json
import operator
import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser

from lpi.pipeline import parse_and_normalize
from sources.base import ParseError, Payload, SourceSpec
from sources.feeds import read_feed
from store.models import Candidate
from tests.conftest import CORPORA

FEED_CORPORA = ("feedparser_testsuite", "w3c_feedvalidator_testcases", "miniflux_encoding_and_parser_testdata")
# feedparser's own harness serves its files from here; its expected links are written against it.
BASE_URL = "http://127.0.0.1:8097/"
SPEC = SourceSpec(stream="tech-press", name="corpus", kind="feed", url=BASE_URL, keywords=())
FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)
RAW_SHA256 = "0" * 64

_HEADER_CONTENT_TYPE = re.compile(r"^Header:\s*Content-type:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_EXPECT = re.compile(r"^\s*Expect:\s*(.+?)\s*$", re.MULTILINE)
# A tag that runs script, an event-handler attribute inside a tag, a script URL.
UNSAFE_TEXT = re.compile(
    r"<script|<[a-z][^>]*\son[a-z]+\s*=|(?:java|vb|live)script:\S|data:text/html", re.IGNORECASE
)
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data"})
TEXT_FIELDS = ("key", "title", "summary", "publisher", "language")
URL_FIELDS = ("url", "original_url", "via_url")


@dataclass
class FileOutcome:
    """What the pipeline made of one corpus file."""

    path: Path
    candidates: list[Candidate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parse_error: str | None = None  # the designed, clear refusal
    crash: str | None = None  # an exception that escaped, or a parser bug the pipeline had to wrap

    @property
    def bozo_warning(self) -> bool:
        return any(warning.startswith("feed is malformed") for warning in self.warnings)


@dataclass
class CorpusReport:
    name: str
    outcomes: list[FileOutcome]

    @property
    def candidates(self) -> list[Candidate]:
        return [c for outcome in self.outcomes for c in outcome.candidates]

    def counts(self) -> dict[str, int]:
        return {
            "files": len(self.outcomes),
            "parsed with hits": sum(bool(o.candidates) for o in self.outcomes),
            "clear ParseErrors": sum(o.parse_error is not None for o in self.outcomes),
            "bozo warnings": sum(o.bozo_warning for o in self.outcomes),
            "uncaught exceptions": sum(o.crash is not None for o in self.outcomes),
            "hits": len(self.candidates),
            "unsafe strings": len(unsafe_strings(self.candidates)),
        }


def corpus_files(name: str) -> list[Path]:
    return sorted(p for p in (CORPORA / name).rglob("*") if p.is_file() and p.name != "SOURCE.md")


def payload_for(path: Path, content_type: str | None = None) -> Payload:
    """The file as a fetched payload: feedparser's cases name their Content-Type in a header comment."""
    body = path.read_bytes()
    declared = _HEADER_CONTENT_TYPE.search(_header_comment(body))
    return Payload(body, BASE_URL + path.relative_to(CORPORA).as_posix(), content_type or (declared and declared[1]))


def _header_comment(body: bytes) -> str:
    """The start of a test file as text, in whichever encoding shows its "Expect:" line (UTF-16 and
    UTF-32 cases write theirs in that encoding)."""
    head = body[:4000]
    for encoding in ("utf-8", "utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "Expect:" in text:
            return text
    return head.decode("latin-1")


def run_file(path: Path, content_type: str | None = None) -> FileOutcome:
    outcome = FileOutcome(path)
    try:
        normalized = parse_and_normalize(SPEC, payload_for(path, content_type), RAW_SHA256, FETCHED_AT)
    except ParseError as exc:
        if str(exc).startswith("parser failed"):  # the pipeline's net for an adapter bug, not a designed error
            outcome.crash = f"{exc}\n{''.join(traceback.format_exception(exc.__cause__ or exc))}"
        else:
            outcome.parse_error = str(exc)
    except Exception:  # noqa: BLE001 -- counting whatever escapes is the point
        outcome.crash = traceback.format_exc()
    else:
        outcome.candidates, outcome.warnings = normalized.candidates, normalized.warnings
    return outcome


def run_corpus(name: str) -> CorpusReport:
    return CorpusReport(name, [run_file(path) for path in corpus_files(name)])


def unsafe_strings(candidates: list[Candidate]) -> list[tuple[str, str, str]]:
    """(candidate key, field, value) for every stored string that could run script somewhere."""
    found = []
    for candidate in candidates:
        texts = {name: getattr(candidate, name) or "" for name in (*TEXT_FIELDS, *URL_FIELDS)}
        texts["entities"] = json.dumps(candidate.entities, ensure_ascii=False)
        for name, value in texts.items():
            if UNSAFE_TEXT.search(value) or (name in URL_FIELDS and _url_scheme(value) in SCRIPT_SCHEMES):
                found.append((candidate.key, name, value))
    return found


def _url_scheme(url: str) -> str:
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return "unparsable"


def raw_entry_texts(path: Path) -> Iterator[str]:
    """Titles, summaries and contents of a feed as written, with feedparser's own sanitizer off: what a
    source that does not sanitize (most JSON APIs) would hand the normalizer."""
    parsed = feedparser.parse(io.BytesIO(path.read_bytes()), sanitize_html=False)
    for item in [parsed.feed, *parsed.entries]:
        for key in ("title", "summary"):
            if isinstance(item.get(key), str):
                yield item[key]
        for content in item.get("content") or ():
            if isinstance(content, Mapping) and isinstance(content.get("value"), str):
                yield content["value"]


# --- feedparser's stated expectations ("Expect:" in each file's header comment) ---------------------


def feedparser_expectation(path: Path) -> str | None:
    found = _EXPECT.search(_header_comment(path.read_bytes()))
    return found[1] if found else None


def feedparser_verdicts(path: Path) -> dict[str, bool | None] | None:
    """Whether the file's expectation holds for the adapter's reading (read_feed) and for feedparser fed
    the same bytes and Content-Type as they are; None when the file states no expectation."""
    expectation = feedparser_expectation(path)
    if expectation is None:
        return None
    payload = payload_for(path)
    headers = {"content-type": payload.content_type, "content-location": payload.url} if payload.content_type else None
    return {
        "adapter reading": check_expectation(expectation, read_feed(payload)),
        "plain feedparser": check_expectation(expectation, feedparser.parse(io.BytesIO(payload.body), response_headers=headers)),
    }


class Unsupported(Exception):
    """An expectation outside the small expression language checked here."""


_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"ord": ord, "len": len, "isinstance": isinstance}


def check_expectation(expression: str, result: Mapping[str, Any]) -> bool | None:
    """Whether a feedparser result meets an expectation; None when the expression is not supported.

    The expressions are data from another project: they are interpreted over a handful of node types
    (names of the result, indexing, comparison, and/or/not, ord/len/isinstance), never eval'd."""
    try:
        return bool(_evaluate(ast.parse(expression, mode="eval").body, result))
    except (Unsupported, SyntaxError):
        return None
    except (LookupError, TypeError, AttributeError, ValueError):
        return False  # e.g. entries[0] where there is no entry


def _evaluate(node: ast.AST, result: Mapping[str, Any]) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id="feedparser"):
            return feedparser
        case ast.Name(id=name):
            return result[name]
        case ast.BoolOp(op=ast.And(), values=values):
            return all(_evaluate(v, result) for v in values)
        case ast.BoolOp(op=ast.Or(), values=values):
            return any(_evaluate(v, result) for v in values)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _evaluate(operand, result)
        case ast.Compare(left=left, ops=[op], comparators=[right]) if type(op) in _COMPARE:
            return _COMPARE[type(op)](_evaluate(left, result), _evaluate(right, result))
        case ast.Subscript(value=value, slice=index):
            return _evaluate(value, result)[_evaluate(index, result)]
        case ast.Attribute(value=value, attr=attr):
            return _attribute(_evaluate(value, result), attr)
        case ast.Call(func=ast.Name(id=name), args=args, keywords=[]) if name in _FUNCTIONS:
            return _FUNCTIONS[name](*(_evaluate(a, result) for a in args))
    raise Unsupported(ast.dump(node))


def _attribute(owner: Any, name: str) -> Any:
    if owner is feedparser:  # only its exception classes, for isinstance(bozo_exception, ...)
        value = getattr(feedparser, name)
        if isinstance(value, type) and issubclass(value, Exception):
            return value
        raise Unsupported(f"feedparser.{name}")
    if isinstance(owner, Mapping):
        return owner[name]
    raise Unsupported(name)


# --- miniflux's stated expectations (its Go tests; the test data has no header comments) -------------

MINIFLUX = CORPORA / "miniflux_encoding_and_parser_testdata"


@dataclass(frozen=True)
class StoredTextCase:
    """A title (and summary fragment) miniflux's tests expect from a file read with a content type."""

    file: str
    content_type: str | None
    title: str
    summary_part: str = ""


# internal/reader/parser/parser_test.go (TestDifferentEncodingWithResponse) and
# internal/reader/xml/decoder_test.go (TestXMLDocumentWithKOI8REncoding): entries with links, so stored.
MINIFLUX_STORED = (
    StoredTextCase("parser/testdata/urdu_UTF8.xml", "text/xml; charset=utf-8",
                   "امریکی عسکری امداد کی بندش کی وجوہات: انڈیا سے جنگ، جوہری پروگرام اور اب دہشت گردوں کی پشت پناہی"),
    StoredTextCase("parser/testdata/encoding_WINDOWS-1251.xml", "text/xml", "Цитата #17703"),
    StoredTextCase("parser/testdata/no_encoding_ISO-8859-1.xml", "application/xml; charset=ISO-8859-1",
                   "La criminalité liée surtout à... l'ennui ?"),
    StoredTextCase("parser/testdata/encoding_ISO-8859-1.xml", "application/rss+xml; charset=ISO-8859-1",
                   "Projekt Jedi: Microsoft will weiter mit US-Militär zusammenarbeiten"),
    StoredTextCase("parser/testdata/rdf_UTF8.xml", "application/rss+xml; charset=utf-8", "Mega-Deal: IBM übernimmt Red Hat"),
    StoredTextCase("parser/testdata/rdf_UTF8.xml", "application/rss+xml", "Mega-Deal: IBM übernimmt Red Hat"),
    StoredTextCase("xml/testdata/koi8r.xml", None, "Первая новость", "Привет мир! Ёжик, чай, Москва, Санкт-Петербург."),
    StoredTextCase("encoding/testdata/koi8r.xml", None, "Первая новость", "Привет мир! Ёжик, чай, Москва, Санкт-Петербург."),
)

# internal/reader/encoding/encoding_test.go: the decoded document must contain the text. These files
# hold no entry with a link, so nothing is stored from them: the adapter's reading (read_feed) is checked.
MINIFLUX_DECODED = (
    ("encoding/testdata/utf8.xml", "Café"),
    ("encoding/testdata/iso-8859-1.xml", "Café"),
    ("encoding/testdata/windows-1252.xml", "Euro €"),
    ("encoding/testdata/invalid-prolog.xml", "Café"),
    ("encoding/testdata/utf8-incorrect-prolog.xml", "Café"),
    ("encoding/testdata/windows-1252-incorrect-prolog.xml", "Euro €"),
)


def stored_text_matches(case: StoredTextCase) -> bool:
    outcome = run_file(MINIFLUX / case.file, case.content_type)
    return any(
        c.title == case.title and case.summary_part in c.summary for c in outcome.candidates
    )


def feed_texts(parsed: Mapping[str, Any]) -> list[str]:
    """Every title and summary of a feedparser result, the feed's own included."""
    items = [parsed["feed"], *parsed["entries"]]
    return [str(item[key]) for item in items for key in ("title", "summary") if item.get(key)]
