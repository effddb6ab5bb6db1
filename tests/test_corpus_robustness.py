"""Hostile and broken feeds from the shared corpora (feedparser's test suite, the W3C feed validator's
cases, miniflux's charset cases) through the real parse-and-normalize path and into the database:
nothing escapes as an exception, nothing that could run script is stored, malformed feeds are
reported, and wrong or missing charsets decode to the text those projects' tests expect."""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec

import feedparser
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from sources.feeds import read_feed
from store import Candidate, repo, session_scope
from tests.conftest import CORPORA
from tests.corpus_checks import (
    FEED_CORPORA,
    MINIFLUX,
    MINIFLUX_DECODED,
    MINIFLUX_STORED,
    CorpusReport,
    StoredTextCase,
    corpus_files,
    feed_texts,
    feedparser_expectation,
    feedparser_verdicts,
    payload_for,
    run_corpus,
    run_file,
    stored_text_matches,
    unsafe_strings,
)

pytestmark = pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is absent")


@cache
def corpus_report(name: str) -> CorpusReport:
    """Each corpus is run once per session; the database tests store what that run produced."""
    return run_corpus(name)


@pytest.mark.parametrize("name", FEED_CORPORA)
def test_every_file_is_parsed_or_refused_clearly(name: str) -> None:
    report = corpus_report(name)

    assert [(str(o.path), o.crash) for o in report.outcomes if o.crash] == []
    assert report.counts()["parsed with hits"] > 0


@pytest.mark.parametrize("name", FEED_CORPORA)
def test_stored_candidates_hold_nothing_that_runs_script(name: str, engine: Engine) -> None:
    candidates = corpus_report(name).candidates
    with session_scope(engine) as session:
        repo.insert_new_candidates(session, candidates)
    with session_scope(engine) as session:
        stored = list(session.exec(select(Candidate)).all())

    assert stored, "the corpus stored no candidate at all"
    assert unsafe_strings(candidates) == []
    assert unsafe_strings(stored) == []


def test_feeds_feedparser_flags_as_malformed_get_a_warning_or_a_clear_error() -> None:
    flagged = [p for p in corpus_files("feedparser_testsuite") if (feedparser_expectation(p) or "").startswith("bozo")]
    outcomes = [run_file(path) for path in flagged]

    assert flagged
    assert [o.path.name for o in outcomes if not (o.parse_error or o.bozo_warning)] == []


def test_reading_keeps_every_feedparser_expectation_a_plain_feedparser_call_meets() -> None:
    """The adapter's own reading (UTF-8 detection on top of feedparser) loses none of feedparser's
    stated results: every expectation met when the bytes go to feedparser as they are is met too."""
    verdicts = {path: v for path in corpus_files("feedparser_testsuite") if (v := feedparser_verdicts(path))}
    plain_met = {path for path, v in verdicts.items() if v["plain feedparser"]}
    ours_met = {path for path, v in verdicts.items() if v["adapter reading"]}

    assert plain_met, "no expectation could be checked"
    assert sorted(p.name for p in plain_met - ours_met) == []


@pytest.mark.parametrize("case", MINIFLUX_STORED, ids=lambda c: f"{c.file}|{c.content_type}")
def test_miniflux_charset_cases_store_the_expected_text(case: StoredTextCase) -> None:
    assert stored_text_matches(case)


@pytest.mark.parametrize(("file", "text"), MINIFLUX_DECODED, ids=[file for file, _ in MINIFLUX_DECODED])
def test_miniflux_charset_cases_without_entries_decode_to_the_expected_text(file: str, text: str) -> None:
    """These files hold no entry with a link, so nothing is stored: the adapter's reading is checked."""
    assert any(text in value for value in feed_texts(read_feed(payload_for(MINIFLUX / file))))


def test_utf8_declared_as_windows_1252_is_read_as_utf8_with_a_warning() -> None:
    outcome = read_feed(payload_for(MINIFLUX / "encoding/testdata/windows-1252-incorrect-prolog.xml"))

    assert outcome["feed"]["title"] == "Euro €"
    assert isinstance(outcome["bozo_exception"], feedparser.CharacterEncodingOverride)


UNDECLARED_LEGACY = {  # feedparser's illformed/chardet cases (no charset declared): how their first text begins
    "big5.xml": "我希望",
    "eucjp.xml": "ゲーム三昧な正月",
    "euckr.xml": "EUC-KR 에서 TypeKey 한글닉네임 표시하기",
    "gb2312.xml": "不归移民漫画系列：专业工作",
    "koi8r.xml": "Как пережить новогоднюю ночь",
    "shiftjis.xml": "DrecomRSSに記事投稿が反映されない…",
    "tis620.xml": "สำนักงานส่งเสริมอุตสาหกรรมซอฟต์แวร์แห่งชาติ",
    "windows1255.xml": "האם תדפיס נייר של אתר אינטרנט",
}


@pytest.mark.skipif(find_spec("chardet") is None, reason="feedparser guesses undeclared charsets only with chardet")
@pytest.mark.parametrize(("file", "text"), UNDECLARED_LEGACY.items(), ids=list(UNDECLARED_LEGACY))
def test_undeclared_legacy_charsets_are_guessed(file: str, text: str) -> None:
    parsed = read_feed(payload_for(CORPORA / "feedparser_testsuite/illformed/chardet" / file))

    assert any(value.startswith(text) for value in feed_texts(parsed))
