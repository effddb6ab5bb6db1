"""HtmlListingAdapter on recorded listing pages: configured selectors (FCC headlines) and the generic
extractor (ICO news, Anthropic's newsroom, a WordPress blog), dates in their usual spellings, page
chrome and duplicates dropped, and the pages that hold no listing at all."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sources.base import Parsed, ParseError, Payload, SourceSpec
from sources.html_listing import HtmlListingAdapter, _parse_date_text
from tests.conftest import PAYLOADS

PAGES = PAYLOADS / "html-listing"
FCC = "https://www.fcc.gov/news-events/headlines"
FCC_SELECTORS = {"item_selector": '[class^="views-row"]', "title_selector": "h3.block__title a", "date_selector": "span.released-date"}


def parse(file: str, url: str, **options: Any) -> Parsed:
    return parse_bytes((PAGES / file).read_bytes(), url, **options)


def parse_bytes(body: bytes, url: str = FCC, **options: Any) -> Parsed:
    spec = SourceSpec("regulators", "test-listing", "html-listing", options=options)
    return HtmlListingAdapter().parse(spec, Payload(body, url, "text/html; charset=utf-8"))


def day(year: int, month: int, date: int) -> datetime:
    return datetime(year, month, date, tzinfo=UTC)


def test_configured_selectors_read_the_fcc_headlines() -> None:
    parsed = parse("fcc-headlines.html", FCC, **FCC_SELECTORS)

    assert parsed.warnings == []
    assert [(h.url, h.published) for h in parsed.hits] == [
        ("https://www.fcc.gov/document/fcc-fines-political-consultant-6m-deepfake-robocalls", day(2024, 9, 26)),
        ("https://www.fcc.gov/document/lingo-telecom-agrees-1-million-fine-over-deepfake-biden-robocalls", day(2024, 8, 21)),
        ("https://www.fcc.gov/document/fcc-proposes-first-ai-generated-robocall-robotext-rules", day(2024, 8, 7)),
        ("https://www.fcc.gov/document/fcc-proposes-6m-fine-illegal-robocalls-used-biden-deepfake-voice", day(2024, 5, 23)),
        ("https://www.fcc.gov/document/fcc-restores-net-neutrality", day(2024, 4, 25)),
        ("https://www.fcc.gov/document/fcc-makes-ai-generated-voices-robocalls-illegal", day(2024, 2, 8)),
    ]
    assert parsed.hits[2].title == "FCC Proposes First-of-Their-Kind AI-Generated Robocall & Robotext Rules"
    assert all(h.publisher is None for h in parsed.hits)


def test_the_generic_extractor_finds_the_same_fcc_rows_without_selectors() -> None:
    configured = parse("fcc-headlines.html", FCC, **FCC_SELECTORS).hits
    generic = parse("fcc-headlines.html", FCC).hits

    assert [(h.url, h.title, h.published) for h in generic] == [(h.url, h.title, h.published) for h in configured]


def test_items_without_a_link_are_skipped_with_a_warning() -> None:
    body = (PAGES / "fcc-headlines.html").read_bytes().replace(
        b'<div class="view-content">',
        b'<div class="view-content"><div class="views-row"><span class="released-date">June 1, 2024</span> No results.</div>',
    )
    parsed = parse_bytes(body, **FCC_SELECTORS)
    assert len(parsed.hits) == 6
    assert parsed.warnings == ["1 listed items without a link or title skipped"]


def test_ico_news_cards_with_day_first_dates_and_no_chrome_links() -> None:
    parsed = parse("ico-news-and-blogs.html", "https://ico.org.uk/about-the-ico/media-centre/news-and-blogs/")

    prefix = "https://ico.org.uk/about-the-ico/media-centre/news-and-blogs/"
    assert [(h.url.removeprefix(prefix), h.published) for h in parsed.hits] == [
        ("2024/12/information-commissioner-s-office-responds-to-consultation-series-on-generative-ai/", day(2024, 12, 12)),
        ("2024/05/ico-warns-organisations-must-not-ignore-data-protection-risks-as-it-concludes-snap-my-ai-chatbot-investigation/", day(2024, 5, 21)),
        ("2024/05/children-s-code-strategy-progress-update/", day(2024, 5, 3)),
        ("2024/01/ico-consultation-series-on-generative-ai-and-data-protection/", day(2024, 1, 15)),
        ("2023/10/uk-information-commissioner-issues-preliminary-enforcement-notice-against-snap/", day(2023, 10, 6)),
    ]  # not the header's blog-series link, the "Most read" sidebar, the newsletter footer link or the pager
    snap = parsed.hits[1]
    assert snap.title == "ICO warns organisations must not ignore data protection risks as it concludes Snap 'My AI' chatbot investigation"
    assert snap.summary.startswith("The Information Commissioner's Office has concluded its investigation into Snap's launch")


def test_anthropic_newsroom_cards_and_list_rows_both_count() -> None:
    parsed = parse("anthropic-news.html", "https://www.anthropic.com/news")

    assert [(h.url, h.title, h.published) for h in parsed.hits] == [
        ("https://www.anthropic.com/news/disrupting-AI-espionage", "Disrupting the first reported AI-orchestrated cyber espionage campaign", day(2025, 11, 13)),
        ("https://www.anthropic.com/engineering/a-postmortem-of-three-recent-issues", "A postmortem of three recent issues", day(2025, 9, 17)),
        ("https://www.anthropic.com/news/detecting-countering-misuse-aug-2025", "Detecting and countering misuse of AI: August 2025", day(2025, 8, 27)),
        # list rows have no heading: found as links under /news, titled by their title span
        ("https://www.anthropic.com/news/claude-haiku-4-5", "Introducing Claude Haiku 4.5", day(2025, 10, 15)),
        ("https://www.anthropic.com/news/detecting-and-countering-malicious-uses-of-claude-march-2025", "Detecting and Countering Malicious Uses of Claude: March 2025", day(2025, 4, 23)),
        ("https://www.anthropic.com/news/claude-3-5-sonnet", "Claude 3.5 Sonnet", day(2024, 6, 21)),
    ]
    assert parsed.hits[0].summary.startswith("A Chinese state-sponsored group used Claude Code")


def test_blog_articles_take_the_published_time_in_utc() -> None:
    parsed = parse("generic-blog.html", "https://llmsec.example.org/")

    assert [(h.url, h.published) for h in parsed.hits] == [
        ("https://llmsec.example.org/2024/09/chatgpt-macos-spaiware-persistent-data-exfiltration/", datetime(2024, 9, 20, 6, 12, 44, tzinfo=UTC)),
        ("https://llmsec.example.org/2024/08/microsoft-365-copilot-ascii-smuggling-exfiltration/", datetime(2024, 8, 26, 17, 40, 2, tzinfo=UTC)),
        ("https://llmsec.example.org/2024/08/slack-ai-indirect-prompt-injection-private-channels/", datetime(2024, 8, 21, 8, 5, 31, tzinfo=UTC)),
    ]  # not the category or comment links, the "Recent Posts" sidebar or "Older posts"
    assert parsed.hits[2].title == "Slack AI: indirect prompt injection leaks data from private channels"
    assert "API key from a private channel" in parsed.hits[2].summary


def test_relative_links_resolve_against_the_base_element() -> None:
    body = b"""<html><head><base href="https://mirror.example.net/press/"></head><body><main>
      <h2><a href="2024/air-canada-chatbot-ruling">Tribunal holds Air Canada liable for its chatbot</a></h2>
      <h2><a href="#top">Back to top of the page</a></h2></main></body></html>"""
    [hit] = parse_bytes(body, "https://origin.example.net/press").hits
    assert hit.url == "https://mirror.example.net/press/2024/air-canada-chatbot-ruling"
    assert hit.published is None


def test_card_headers_count_but_category_and_page_links_under_the_listing_do_not() -> None:
    body = b"""<html><body><header><nav><a href="/blog/category/research">Research and analysis</a></nav></header>
      <main><div class="grid">
        <div class="card"><header><h3><a href="/blog/gemini-workspace-email-summary-phishing">Gemini email summaries turned into phishing</a></h3></header>
          <span class="card-date">Jul 14, 2025</span> <a href="/blog/category/prompt-injection">Prompt injection attacks</a></div>
        <div class="card"><header><h3><a href="/blog/cursor-mcp-auto-run-remote-code">Cursor MCP auto-run allowed remote code execution</a></h3></header>
          <span class="card-date">Aug 1, 2025</span> <a href="/blog/tags/coding-agents">Coding agents and tools</a></div>
      </div><a href="/blog/page/2">Page two of the archive</a></main></body></html>"""
    parsed = parse_bytes(body, "https://www.lakera.ai/blog")
    assert [(h.url, h.published) for h in parsed.hits] == [
        ("https://www.lakera.ai/blog/gemini-workspace-email-summary-phishing", day(2025, 7, 14)),
        ("https://www.lakera.ai/blog/cursor-mcp-auto-run-remote-code", day(2025, 8, 1)),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Posted 3rd March 2025 by the press office", day(2025, 3, 3)),
        ("Sept. 5, 2024", day(2024, 9, 5)),
        ("Updated: 2024-02-08", day(2024, 2, 8)),
        ("Jun 21, 2024 - Product", day(2024, 6, 21)),
        ("31 February 2024", None),
        ("Claude 3.5 Sonnet", None),
    ],
)
def test_date_text_formats(text: str, expected: datetime | None) -> None:
    assert _parse_date_text(text) == expected


@pytest.mark.parametrize(
    ("body", "options", "message"),
    [
        (b"", {}, "not an HTML listing page (empty body)"),
        (b'\xef\xbb\xbf{"items": []}', {}, "not an HTML listing page: the URL serves JSON"),
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>', {}, "not an HTML listing page: the URL serves an RSS/Atom feed"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>', {}, "not an HTML listing page: the URL serves an RSS/Atom feed"),
        (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Enable JavaScript</body></html>", {},
         "no recognisable listing items on the HTML page (an HTML page, title 'Just a moment...', 0 links)"),
        (b"\x00\x01\x02 not html \xff", {}, "no recognisable listing items on the HTML page (not HTML, 0 links)"),
        (b"<html><body><div class='card'><h3><a href='/x'>Same title here</a></h3></div></body></html>", {"item_selector": ".views-row"},
         "not a listing page as configured: item_selector '.views-row' matched nothing (an HTML page, 1 links)"),
    ],
)
def test_pages_without_a_listing_are_parse_errors(body: bytes, options: dict[str, str], message: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_bytes(body, **options)
    assert str(raised.value).startswith(message)
