"""What gets stored from hostile input: plain text that runs nowhere, and no URL that runs script.

Feeds go through the real parse-and-normalize path; the corpus check feeds html_to_text the raw markup
of feedparser's injection cases with feedparser's own sanitizer off, as a JSON source would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dedup.normalize import normalize, storable_url
from dedup.text import html_to_text
from lpi.pipeline import Normalized, parse_and_normalize
from sources.base import Hit, Payload, SourceSpec
from tests.conftest import CORPORA
from tests.corpus_checks import (
    UNSAFE_TEXT,
    corpus_files,
    raw_entry_texts,
    unsafe_strings,
)

SPEC = SourceSpec(stream="tech-press", name="hostile", kind="feed", url="https://feeds.example.org/ai.xml")
AT = datetime(2026, 1, 1, tzinfo=UTC)


def rss(*items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return f'{prolog}<rss version="2.0"><channel><title>t</title>{"".join(items)}</channel></rss>'.encode()


def item(link: str, title: str = "Chatbot leak", description: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link><description>{description}</description><guid>{link}#g</guid></item>"


def stored(body: bytes, content_type: str | None = "application/rss+xml") -> Normalized:
    return parse_and_normalize(SPEC, Payload(body, SPEC.url or "", content_type), "0" * 64, AT)


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("&lt;script&gt;alert(1)&lt;/script&gt;Refund ruling", "Refund ruling"),  # escaped once more than meant
        ("&amp;lt;img src=x onerror=alert(1)&amp;gt;after", "after"),  # escaped twice more
        ("<![CDATA[<script></script>]]&gt;", ""),  # feedparser's nested-CDATA case
        ('<a href="javascript:alert(1)" onclick="x()">click</a>', "click"),
        ("see javascript:alert(document.cookie) here", "see javascript[:]alert(document.cookie) here"),
        ("data:text/html;base64,PHNjcmlwdD4= and Data: 42%", "data[:]text/html;base64,PHNjcmlwdD4= and Data: 42%"),
        ("foo <script", "foo < script"),  # an unclosed tag parser leaves as text cannot open a tag any more
    ],
)
def test_html_to_text_leaves_nothing_that_runs(markup: str, text: str) -> None:
    assert html_to_text(markup) == text
    assert not UNSAFE_TEXT.search(html_to_text(markup))


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("R&D", "R&D"),  # html.parser alone drops an "&" that ends its input
        ("AT&T and Q&A", "AT&T and Q&A"),
        ("Tom &amp;amp; Jerry", "Tom & Jerry"),
        ("JavaScript: the good parts", "JavaScript: the good parts"),
        ("if a < b and b > c", "if a < b and b > c"),
        ("nul\x00 and bell\x07 gone", "nul and bell gone"),
    ],
)
def test_html_to_text_keeps_ordinary_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "vbscript:msgbox(1)",
     "data:text/html,<script>alert(1)</script>", "http://example.org:99999/x", "http://[::1/x", "/relative/only"],
)
def test_normalize_never_stores_a_url_that_runs_or_does_not_parse(url: str) -> None:
    candidate = normalize(Hit(url=url, title="Chatbot leak", guid="tag:example.org,2026:1"), SPEC, "confirming", AT, "0" * 64)

    assert (candidate.url, candidate.original_url) == ("", "")
    assert candidate.key.startswith("urn:sha1:")  # keyed by its guid
    assert unsafe_strings([candidate]) == []


def test_normalize_keeps_web_links_and_identifiers() -> None:
    assert storable_url(" https://example.org/a b ") == "https://example.org/a b"
    assert storable_url("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a").startswith("urn:uuid:")
    assert storable_url("lpi:submissions?after=3") == "lpi:submissions?after=3"


def test_normalize_cleans_what_the_source_states() -> None:
    hit = Hit(
        url="https://courts.example.gov/1",
        title="x",
        language='en"><script>',
        via="javascript:alert(1)",
        entities={"case_names": ["Doe v. <script>alert(1)</script>Acme"]},
    )

    candidate = normalize(hit, SPEC, "confirming", AT, "0" * 64)

    assert candidate.language is None
    assert candidate.via_url is None
    assert candidate.entities["case_names"] == ["Doe v. Acme"]


def test_a_feed_entry_linking_to_a_script_is_dropped_with_a_warning() -> None:
    result = stored(rss(item("javascript:alert(1)"), item("data:text/html,x"), item("https://news.example.org/a")))

    assert [c.url for c in result.candidates] == ["https://news.example.org/a"]
    assert any("2 entries dropped" in warning for warning in result.warnings)


def test_relative_feed_links_are_resolved_against_the_feed() -> None:
    result = stored(rss(item("/2026/01/chatbot-leak")), content_type=None)

    assert [c.original_url for c in result.candidates] == ["https://feeds.example.org/2026/01/chatbot-leak"]


def test_utf8_bytes_under_a_latin1_prolog_are_stored_as_utf8_and_flagged() -> None:
    body = rss(item("https://news.example.org/a", title="Café chatbot €5 refund"),
               prolog='<?xml version="1.0" encoding="iso-8859-1"?>')

    result = stored(body, content_type=None)

    assert [c.title for c in result.candidates] == ["Café chatbot €5 refund"]
    assert any("bytes are UTF-8" in warning for warning in result.warnings)


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is absent")
def test_feedparser_injection_cases_are_plain_text_without_feedparsers_sanitizer() -> None:
    texts = [html_to_text(raw) for path in corpus_files("feedparser_testsuite") for raw in raw_entry_texts(path)]

    assert len(texts) > 1000
    assert [text for text in texts if UNSAFE_TEXT.search(text)] == []
