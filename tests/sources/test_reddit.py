"""RedditSearchAdapter on a recorded week of ``search.json`` and on every Listing recorded in the
praw cassettes: posts are discovery hits at their permalink, link posts to articles add the
article as a confirming hit, Reddit's own media hosts and self posts add nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sources.base import Parsed, ParseError, Payload, SourceSpec
from sources.reddit import RedditSearchAdapter
from tests.conftest import CORPORA, PAYLOADS

RECORDED = PAYLOADS / "reddit-search" / "search-llm-week.json"
CASSETTES = CORPORA / "reddit_api_praw_cassettes"
ENDPOINT = "https://www.reddit.com/search.json?sort=new&t=week&limit=100&raw_json=1"
SPEC = SourceSpec("reddit-hn", "reddit-search", "reddit-search", ENDPOINT, options={"query": "ChatGPT OR OpenAI"})
ADAPTER = RedditSearchAdapter()
THREADS = "https://www.reddit.com/r/"


def payload(body: bytes, url: str = ENDPOINT) -> Payload:
    return Payload(body, url, "application/json; charset=UTF-8")


def parse(body: bytes) -> Parsed:
    return ADAPTER.parse(SPEC, payload(body))


def listing(posts: list[dict[str, Any]], after: str | None = None) -> bytes:
    children = [{"kind": "t3", "data": p} for p in posts]
    return json.dumps({"kind": "Listing", "data": {"after": after, "children": children, "before": None}}).encode()


def test_posts_are_discovery_hits_and_only_article_links_add_a_confirming_hit() -> None:
    parsed = parse(RECORDED.read_bytes())

    assert parsed.warnings == []
    assert [(h.url, h.role) for h in parsed.hits] == [
        (f"{THREADS}technology/comments/1d4q2vx/openai_says_russian_and_israeli_groups_used_its/", None),
        ("https://www.nytimes.com/2024/05/30/technology/openai-influence-campaigns-report.html", "confirming"),
        (f"{THREADS}ChatGPT/comments/1d4k7ab/gallery_every_ai_overview_answer_my_students/", None),  # reddit.com gallery
        (f"{THREADS}ChatGPT/comments/1d3wz4c/gpt4o_keeps_inventing_case_citations_for_my_legal/", None),  # self post
        (f"{THREADS}OpenAI/comments/1d3ss9k/gpt4o_keeps_inventing_case_citations_for_my_legal/", None),  # crosspost
        (f"{THREADS}ChatGPT/comments/1d3a0mf/chatgpt_voice_mode_read_out_another_users/", None),  # v.redd.it
        (f"{THREADS}google/comments/1d1y5tq/google_ai_overview_told_me_to_eat_one_small/", None),  # i.redd.it
        (f"{THREADS}ChatGPT/comments/1d1rbn2/copilot_insists_the_2024_eurovision_winner_is_a/", None),  # i.imgur.com
        (f"{THREADS}technology/comments/1cz4x7e/googles_ai_overviews_tell_users_to_put_glue_on/", None),
        ("https://www.theverge.com/2024/5/23/24162896/google-ai-overview-hallucinations-glue-in-pizza", "confirming"),
    ]
    post, article = parsed.hits[0], parsed.hits[1]
    assert article.via == post.url and article.title == post.title
    assert post.guid == "t3_1d4q2vx"
    assert post.published == article.published == datetime(2024, 5, 30, 20, 51, 1, tzinfo=UTC)
    assert post.summary == "1893 points, 211 comments in r/technology"
    assert parsed.cursor == {"created_utc": 1717102261.0}


def test_a_self_post_keeps_its_text_as_summary() -> None:
    post = parse(RECORDED.read_bytes()).hits[3]

    assert post.title == "GPT-4o keeps inventing case citations for my legal research \u2014 every case it gave me was fake"
    assert post.summary.startswith("I asked GPT-4o for appellate cases on landlord liability in Ohio.")
    assert post.summary.endswith("\n\n412 points, 167 comments in r/ChatGPT")


def test_request_puts_the_query_in_q_and_starts_from_the_newest_page() -> None:
    request = ADAPTER.request(SPEC, {"created_utc": 1717102261.0})

    assert parse_qs(urlsplit(request.url).query) == {
        "sort": ["new"], "t": ["week"], "limit": ["100"], "raw_json": ["1"], "q": ["ChatGPT OR OpenAI"],
    }


def test_paging_follows_after_with_a_running_count_until_known_posts() -> None:
    fresh = {"name": "t3_b", "title": "Newer", "permalink": "/r/x/comments/b/newer/", "created_utc": 1717200000.0}
    known = {"name": "t3_a", "title": "Older", "permalink": "/r/x/comments/a/older/", "created_utc": 1717102261.0}

    following = ADAPTER.next_page(SPEC, payload(listing([fresh], after="t3_b")), {"created_utc": 1717102261.0})

    assert following is not None
    assert parse_qs(urlsplit(following.url).query)["after"] == ["t3_b"]
    assert parse_qs(urlsplit(following.url).query)["count"] == ["1"]
    assert ADAPTER.next_page(SPEC, payload(listing([fresh, known], after="t3_a")), {"created_utc": 1717102261.0}) is None
    assert ADAPTER.next_page(SPEC, payload(listing([fresh], after=None)), {"created_utc": 1717102261.0}) is None
    assert ADAPTER.next_page(SPEC, payload(listing([fresh], after="t3_b")), {}) is None  # first poll: newest page only


def test_malformed_posts_and_children_that_are_not_posts_are_warnings() -> None:
    body = json.dumps({"kind": "Listing", "data": {"after": None, "children": [
        {"kind": "t3", "data": {"name": "t3_c", "title": "No permalink"}},
        {"kind": "t5", "data": {"display_name": "ChatGPT"}},
        {"kind": "t3", "data": {"name": "t3_d", "title": "Fine", "permalink": "/r/x/comments/d/fine/", "is_self": True}},
    ]}}).encode()

    parsed = parse(body)

    assert [h.url for h in parsed.hits] == ["https://www.reddit.com/r/x/comments/d/fine/"]
    assert parsed.warnings == ["1 posts without an id, title or permalink skipped", "children that are not posts skipped (1 t5)"]
    assert parsed.cursor is None  # no post said when it was made


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"hits": []}', "not a Reddit Listing \\(the JSON is an object with keys hits\\)"),
        (b'{"kind": "Listing", "data": {"after": null}}', "no children list"),
        (b'[{"kind": "Listing", "data": {"children": []}}]', "the JSON is a list of 1"),
    ],
)
def test_json_that_is_not_a_listing_is_a_parse_error(body: bytes, says: str) -> None:
    with pytest.raises(ParseError, match=says):
        parse(body)


@pytest.mark.skipif(not CASSETTES.is_dir(), reason="corpus reddit_api_praw_cassettes not available")
def test_every_listing_recorded_in_the_praw_cassettes_parses() -> None:
    cassettes = sorted(CASSETTES.glob("*.json"))
    listings = posts = articles = social = 0
    warnings: list[str] = []
    for cassette in cassettes:
        for interaction in json.loads(cassette.read_text(encoding="utf-8"))["interactions"]:
            body = interaction["response"]["body"]["string"]
            if not body.lstrip().startswith('{"kind": "Listing"'):
                continue  # the OAuth token exchange
            listings += 1
            parsed = ADAPTER.parse(SPEC, payload(body.encode(), interaction["request"]["uri"]))
            posts += sum(1 for h in parsed.hits if h.role is None)
            articles += sum(1 for h in parsed.hits if h.role == "confirming")
            social += sum(1 for h in parsed.hits if h.role == "discovery")  # links to YouTube and the like
            assert all(h.url.startswith(("https://", "http://")) and h.title and h.published for h in parsed.hits)
            warnings += parsed.warnings

    assert (len(cassettes), listings, posts, articles, social) == (7, 7, 408, 17, 110)
    # The user and subreddit searches are Listings of accounts and communities, not posts.
    assert warnings == ["children that are not posts skipped (1 t2)", "children that are not posts skipped (37 t5)"]


def test_links_to_social_and_video_posts_stay_discovery() -> None:
    from sources.base import Hit
    from sources.discussion import post_and_article

    post = Hit(url="https://www.reddit.com/r/ChatGPT/comments/1abc/x/", title="Watch the bot go rogue")
    for link, role in [("https://www.youtube.com/watch?v=abc", "discovery"), ("https://m.youtube.com/watch?v=abc", "discovery"),
                       ("https://x.com/someone/status/1", "discovery"), ("https://www.theverge.com/2024/1/1/bot", "confirming")]:
        article = post_and_article(post, link)[1]
        assert (article.role, article.via) == (role, post.url), link
