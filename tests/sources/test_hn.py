"""HackerNewsAdapter on a recorded Algolia ``search_by_date`` answer: every story is a discovery hit
at its item page, a linked article is a confirming hit found through it, and the newest
``created_at_i`` goes back to Algolia as ``numericFilters``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sources.base import Parsed, ParseError, Payload, SourceSpec
from sources.hn import HackerNewsAdapter
from tests.conftest import PAYLOADS

RECORDED = PAYLOADS / "hn-algolia" / "search_by_date-chatgpt.json"
ENDPOINT = "https://hn.algolia.com/api/v1/search_by_date?tags=story&hitsPerPage=100"
SPEC = SourceSpec("reddit-hn", "hn-chatgpt", "hn-algolia", ENDPOINT, options={"query": "ChatGPT"})
ADAPTER = HackerNewsAdapter()


def payload(body: bytes, url: str = ENDPOINT) -> Payload:
    return Payload(body, url, "application/json; charset=utf-8")


def parse(body: bytes) -> Parsed:
    return ADAPTER.parse(SPEC, payload(body))


def answer(stories: list[dict[str, Any]], page: int = 0, pages: int = 1) -> bytes:
    return json.dumps({"hits": stories, "page": page, "nbPages": pages, "hitsPerPage": 100, "nbHits": len(stories)}).encode()


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_each_story_is_a_post_and_each_linked_article_a_confirming_hit_via_it() -> None:
    parsed = parse(RECORDED.read_bytes())

    assert parsed.warnings == []
    assert [(h.url, h.role, h.via) for h in parsed.hits] == [
        ("https://news.ycombinator.com/item?id=41603128", None, None),
        ("https://embracethered.com/blog/posts/2024/chatgpt-macos-app-persistent-data-exfiltration/", "confirming",
         "https://news.ycombinator.com/item?id=41603128"),
        ("https://news.ycombinator.com/item?id=41517206", None, None),  # Ask HN: no article
        ("https://news.ycombinator.com/item?id=40870345", None, None),
        ("https://www.theverge.com/2024/7/3/24191250/chatgpt-macos-app-conversations-plain-text", "confirming",
         "https://news.ycombinator.com/item?id=40870345"),
        ("https://news.ycombinator.com/item?id=39452315", None, None),
        ("https://arstechnica.com/information-technology/2024/02/chatgpt-alarms-users-by-spitting-out-shakespearean-nonsense-and-rambling/",
         "confirming", "https://news.ycombinator.com/item?id=39452315"),
        ("https://news.ycombinator.com/item?id=39444500", None, None),
        ("https://status.openai.com/incidents/ssg8fh7sfyz3", "confirming", "https://news.ycombinator.com/item?id=39444500"),
    ]
    post, article = parsed.hits[0], parsed.hits[1]
    assert post.title == article.title == "Spyware Injection into Your ChatGPT's Long-Term Memory (SpAIware)"
    assert post.published == article.published == datetime(2024, 9, 20, 16, 21, 5, tzinfo=UTC)
    assert post.guid == "hn:41603128" and article.guid is None
    assert post.summary == "334 points, 97 comments on Hacker News, posted by wunderwuzzi23"
    assert article.summary == "" and article.publisher is None  # the publisher is the article's own host
    assert parsed.cursor == {"created_at_i": 1726849265}


def test_an_ask_hn_story_keeps_its_own_text_as_summary() -> None:
    ask = parse(RECORDED.read_bytes()).hits[2]

    assert ask.title == "Ask HN: Is ChatGPT's memory storing things I never told it?"
    assert ask.summary.startswith("<p>Since last week my ChatGPT memory panel lists &quot;User works at a hospital")
    assert ask.summary.endswith("\n\n41 points, 28 comments on Hacker News, posted by throwaway_mem")


def test_first_request_puts_the_query_in_algolia_query_and_later_ones_filter_on_the_cursor() -> None:
    first = ADAPTER.request(SPEC, {})
    later = ADAPTER.request(SPEC, {"created_at_i": 1726849265})

    assert first.method == "GET" and first.body is None
    assert params(first.url) == {"tags": ["story"], "hitsPerPage": ["100"], "query": ["ChatGPT"]}
    assert params(later.url)["numericFilters"] == ["created_at_i>1726849265"]
    assert params(later.url)["query"] == ["ChatGPT"]


def test_paging_follows_nbpages_and_keeps_the_filter() -> None:
    story = {"objectID": "41700001", "title": "ChatGPT outage", "created_at_i": 1727000000}
    url = f"{ENDPOINT}&query=ChatGPT&numericFilters=created_at_i%3E1726849265"

    following = ADAPTER.next_page(SPEC, payload(answer([story], page=0, pages=3), url), {"created_at_i": 1726849265})

    assert following is not None
    assert params(following.url)["page"] == ["1"]
    assert params(following.url)["numericFilters"] == ["created_at_i>1726849265"]
    cursor = {"created_at_i": 1726849265}
    assert ADAPTER.next_page(SPEC, payload(answer([story], page=2, pages=3), url), cursor) is None  # the last page
    assert ADAPTER.next_page(SPEC, payload(answer([], page=0, pages=3), url), cursor) is None


def test_the_first_poll_reads_one_page_there_being_no_known_ground_to_page_back_to() -> None:
    story = {"objectID": "41700001", "title": "ChatGPT outage", "created_at_i": 1727000000}

    assert ADAPTER.next_page(SPEC, payload(answer([story], page=0, pages=10)), {}) is None


def test_paging_stops_at_a_story_the_cursor_already_covers() -> None:
    known = {"objectID": "41603128", "title": "SpAIware", "created_at_i": 1726849265}

    assert ADAPTER.next_page(SPEC, payload(answer([known], page=0, pages=4)), {"created_at_i": 1726849265}) is None


def test_a_link_back_into_hacker_news_is_no_article_and_a_story_without_title_is_skipped() -> None:
    parsed = parse(answer([
        {"objectID": "41800002", "title": "Launch HN: Incident tracker", "created_at_i": 1728000000,
         "url": "https://news.ycombinator.com/item?id=41799999"},
        {"objectID": "41800003", "title": "", "created_at_i": 1728000100, "url": "https://example.org/a"},
        "not a story",
    ]))

    assert [h.url for h in parsed.hits] == ["https://news.ycombinator.com/item?id=41800002"]
    assert parsed.warnings == ["2 stories without an objectID or title skipped"]
    assert parsed.cursor == {"created_at_i": 1728000000}


def test_an_answer_without_stories_leaves_the_cursor_alone() -> None:
    parsed = parse(answer([]))

    assert parsed.hits == [] and parsed.cursor is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"kind": "Listing", "data": {"children": []}}', "no hits list: the JSON is an object with keys data, kind"),
        (b"<!DOCTYPE html><html><body>Rate limited</body></html>", "HTML page"),
        (b"", "empty body"),
    ],
)
def test_an_answer_that_is_not_a_search_result_is_a_parse_error_saying_what_it_is(body: bytes, says: str) -> None:
    with pytest.raises(ParseError, match=says):
        parse(body)
