"""FeedAdapter on recorded real-format feeds: RSS 2.0, Atom, a news-search feed naming other
publishers, times in UTC, and the payloads that are not feeds at all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dedup.publisher import publisher_of
from sources.base import Parsed, ParseError, Payload, SourceSpec
from sources.feeds import FeedAdapter
from tests.conftest import CORPORA, PAYLOADS
from tests.replay import CONTENT_TYPES

FEEDS = PAYLOADS / "feeds"
FEED_RS = CORPORA / "feed_rs_fixtures"
CORPUS_FILES = sorted(p for p in FEED_RS.rglob("*") if p.is_file() and p.suffix in (".xml", ".json")) if FEED_RS.is_dir() else []


def spec(**options: Any) -> SourceSpec:
    return SourceSpec("tech-press", "test-feed", "feed", options=options)


def parse(file: str, **options: Any) -> Parsed:
    path = FEEDS / file
    return FeedAdapter().parse(spec(**options), Payload(path.read_bytes(), f"https://feeds.example/{file}", CONTENT_TYPES[path.suffix]))


def parse_bytes(body: bytes, content_type: str | None = "application/rss+xml") -> Parsed:
    return FeedAdapter().parse(spec(), Payload(body, "https://feeds.example/feed", content_type))


def test_rss2_items_become_hits() -> None:
    parsed = parse("ars-technica.xml")

    assert parsed.warnings == []
    assert len(parsed.hits) == 3
    first = parsed.hits[0]
    assert first.title == "Air Canada must honor refund policy invented by airline\u2019s chatbot"  # &#8217; decoded
    assert first.url == "https://arstechnica.com/tech-policy/2024/02/air-canada-must-honor-refund-policy-invented-by-airlines-chatbot/"
    assert first.guid == "https://arstechnica.com/?p=2004011"
    assert first.published == datetime(2024, 2, 16, 17, 51, 29, tzinfo=UTC)
    assert "tribunal" in first.summary and first.publisher is None


def test_atom_entries_become_hits() -> None:
    parsed = parse("claude-status-history.atom")

    assert parsed.warnings == []
    assert [(h.title, h.url) for h in parsed.hits] == [
        ("Elevated errors on Claude 3.5 Sonnet", "https://status.claude.com/incidents/x8dn1d1dlzgb"),
        ("Console login delays", "https://status.claude.com/incidents/3b1q0v7mbx5d"),
    ]
    assert parsed.hits[0].guid == "tag:status.claude.com,2005:Incident/21190021"
    assert parsed.hits[0].published == datetime(2024, 6, 21, 9, 55, 2, tzinfo=UTC)
    assert parse("simon-willison.atom").hits[0].language == "en-us"  # from xml:lang


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("embrace-the-red.xml", datetime(2024, 9, 20, 15, 0, tzinfo=UTC)),  # RFC 822, -0700
        ("verge-ai.xml", datetime(2024, 5, 23, 23, 2, 44, tzinfo=UTC)),  # Atom, -04:00
        ("the-register.xml", datetime(2024, 8, 21, 7, 28, 10, tzinfo=UTC)),  # only <updated>
    ],
)
def test_entry_times_are_aware_utc(file: str, expected: datetime) -> None:
    hit = parse(file).hits[0]

    assert hit.published == expected
    assert hit.published is not None and hit.published.utcoffset() is not None
    assert hit.published.tzinfo == UTC


def test_news_search_feed_takes_publisher_from_source_element_and_strips_title_suffix() -> None:
    parsed = parse("news-search-ap.xml", publisher_from="source-element")

    assert [h.publisher for h in parsed.hits] == ["https://apnews.com", "https://abcnews.go.com"]
    headline = "NYC's AI chatbot was caught telling businesses to break the law. The city isn't taking it down"
    assert [h.title for h in parsed.hits] == [headline, headline]
    assert [publisher_of(h.url, h.publisher) for h in parsed.hits] == ["apnews.com", "go.com"]
    assert all(h.url.startswith("https://news.google.com/") for h in parsed.hits)


def test_news_search_feed_without_the_option_keeps_titles_and_names_no_publisher() -> None:
    parsed = parse("news-search-ap.xml")

    assert [h.publisher for h in parsed.hits] == [None, None]
    assert parsed.hits[0].title.endswith(" - The Associated Press")


def test_empty_body_raises_parse_error() -> None:
    with pytest.raises(ParseError, match=r"^not a feed \(empty body\)"):
        parse_bytes(b"")


def test_whitespace_only_body_raises_parse_error_saying_empty() -> None:
    with pytest.raises(ParseError, match=r"^not a feed \(empty body\)"):
        parse_bytes(b"  \n\t\n")


def test_html_page_raises_parse_error_naming_it() -> None:
    page = b"<!DOCTYPE html><html><head><title>News</title></head><body><p>Please enable JavaScript</p></body></html>"

    with pytest.raises(ParseError, match=r"^not a feed \(HTML page, content-type text/html; charset=utf-8\)"):
        parse_bytes(page, "text/html; charset=utf-8")


def test_bozo_but_readable_feed_gives_hits_and_a_warning() -> None:
    body = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
            b"<item><title>Ben & Jerry's chatbot goes rogue</title><link>https://example.com/a</link></item>"
            b"</channel></rss>")

    parsed = parse_bytes(body)

    assert [(h.title, h.url) for h in parsed.hits] == [("Ben & Jerry's chatbot goes rogue", "https://example.com/a")]
    assert len(parsed.warnings) == 1 and parsed.warnings[0].startswith("feed is malformed but readable")


def test_entries_without_link_or_title_are_skipped_with_a_warning() -> None:
    body = (b"<rss version='2.0'><channel><title>T</title>"
            b"<item><title>no link</title></item><item><link>https://example.com/untitled</link></item>"
            b"<item><title>kept</title><link>https://example.com/kept</link></item></channel></rss>")

    parsed = parse_bytes(body)

    assert [h.title for h in parsed.hits] == ["kept"]
    assert parsed.warnings == ["2 entries without a link or title skipped"]


def test_valid_feed_with_no_entries_is_empty_not_an_error() -> None:
    parsed = parse_bytes(b"<?xml version='1.0'?><rss version='2.0'><channel><title>Quiet</title></channel></rss>")

    assert parsed.hits == [] and parsed.warnings == []


def test_well_formed_feed_served_without_content_type_gives_no_warning() -> None:
    parsed = parse_bytes((FEEDS / "ars-technica.xml").read_bytes(), content_type=None)

    assert len(parsed.hits) == 3
    assert parsed.warnings == []


@pytest.mark.filterwarnings("ignore:To avoid breaking existing software:DeprecationWarning")  # feedparser's own
@pytest.mark.parametrize(
    "path", CORPUS_FILES or [pytest.param(None, marks=pytest.mark.skip(reason=f"{FEED_RS} not present"))],
    ids=lambda p: str(p.relative_to(FEED_RS)) if isinstance(p, Path) else "absent",
)
def test_real_world_feed_fixtures_give_hits_or_a_parse_error(path: Path) -> None:
    try:
        parsed = FeedAdapter().parse(spec(), Payload(path.read_bytes(), "https://example.com/feed", None))
    except ParseError as exc:
        assert str(exc).startswith("not a feed")
        return
    for hit in parsed.hits:
        assert hit.url.strip() and hit.title.strip()
        assert hit.published is None or hit.published.tzinfo == UTC
