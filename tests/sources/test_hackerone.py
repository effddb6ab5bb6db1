"""HackerOneHacktivityAdapter: the GraphQL search it POSTs, and a recorded ``HacktivitySearchQuery``
answer of which only AI programmes' reports and AI weaknesses are kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from sources.base import Parsed, ParseError, Payload, SourceSpec
from sources.hackerone import HackerOneHacktivityAdapter
from tests.conftest import PAYLOADS

RECORDED = PAYLOADS / "hackerone-hacktivity" / "hacktivity-search.json"
ENDPOINT = "https://hackerone.com/graphql"
ADAPTER = HackerOneHacktivityAdapter()


def spec(**options: Any) -> SourceSpec:
    return SourceSpec("bug-bounty", "hackerone-hacktivity", "hackerone-hacktivity", ENDPOINT, options=options)


def parse(body: bytes, **options: Any) -> Parsed:
    return ADAPTER.parse(spec(**options), Payload(body, ENDPOINT, "application/json; charset=utf-8"))


def answer(*nodes: dict[str, Any]) -> bytes:
    return json.dumps({"data": {"search": {"total_count": len(nodes), "nodes": list(nodes)}}}).encode()


def test_the_request_posts_the_hacktivity_search_newest_disclosure_first() -> None:
    request = ADAPTER.request(spec(), {})

    assert (request.url, request.method) == (ENDPOINT, "POST")
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.body or b"")
    assert body["operationName"] == "HacktivitySearchQuery"
    assert body["variables"] == {
        "queryString": "disclosed:true", "from": 0, "size": 100, "sort": {"field": "disclosed_at", "direction": "DESC"},
    }
    assert "search(index: CompleteHacktivityReportIndex" in body["query"]
    assert "... on HacktivityDocument" in body["query"]
    assert json.loads(ADAPTER.request(spec(query="disclosed:true AND severity_rating:high"), {}).body or b"")[
        "variables"]["queryString"] == "disclosed:true AND severity_rating:high"
    assert ADAPTER.next_page(spec(), Payload(RECORDED.read_bytes(), ENDPOINT), {}) is None


def test_ai_programmes_and_ai_weaknesses_are_kept_the_rest_left_out() -> None:
    parsed = parse(RECORDED.read_bytes())

    assert [h.url for h in parsed.hits] == [
        "https://hackerone.com/reports/3104772",  # anthropic-vdp, and "prompt injection"
        "https://hackerone.com/reports/3021934",  # gitlab, "prompt injection" in the title
        "https://hackerone.com/reports/2998410",  # anthropic: an IDOR, kept for its programme
        "https://hackerone.com/reports/3049877",  # brave, "AI assistant" in the title
    ]  # left out: a Shopify XSS and an SSRF at acme-corp
    assert parsed.warnings == ["1 entries without a report id or title skipped"]  # an undisclosed bounty line
    assert parsed.cursor is None


def test_a_hit_names_programme_weakness_severity_and_state_before_the_summary() -> None:
    hit = parse(RECORDED.read_bytes()).hits[0]

    assert hit.title == ("Indirect prompt injection in Claude web fetch lets a page exfiltrate conversation data "
                         "through rendered image URLs")
    assert hit.published == datetime(2025, 6, 18, 16, 42, 7, 311000, tzinfo=UTC)
    assert hit.guid == "hackerone:3104772"
    assert hit.summary.startswith(
        "Disclosed on HackerOne by Anthropic VDP; weakness: Prompt Injection; severity: high; state: resolved.\n\n"
        "The reporter showed that a web page fetched during a Claude conversation"
    )
    assert hit.entities == {}


def test_programmes_and_terms_come_from_the_options() -> None:
    parsed = parse(RECORDED.read_bytes(), programmes=["shopify"], terms=[])

    assert [h.url for h in parsed.hits] == ["https://hackerone.com/reports/3098150"]
    assert parsed.hits[0].summary == (
        "Disclosed on HackerOne by Shopify; weakness: Cross-site Scripting (XSS) - Stored; severity: medium; state: resolved."
    )


def test_cve_ids_become_entities_and_a_legacy_weakness_name_still_matches() -> None:
    node = {
        "_id": "2855301", "cve_ids": ["cve-2024-5184"], "severity_rating": "critical", "team": {"handle": "acme-corp"},
        "weakness": {"name": "LLM01: Prompt Injection"},
        "report": {"databaseId": "2855301", "title": "Email assistant executes instructions from incoming mail",
                   "disclosed_at": "2024-06-05T10:00:00Z"},
    }

    hit = parse(answer(node)).hits[0]

    assert hit.entities == {"cves": ["CVE-2024-5184"]}
    assert hit.summary == "Disclosed on HackerOne by acme-corp; weakness: LLM01: Prompt Injection; severity: critical."


def test_a_graphql_error_answer_is_a_parse_error_quoting_the_message() -> None:
    body = b'{"errors": [{"message": "Field \'search\' doesn\'t accept argument \'query_string\'"}], "data": null}'

    with pytest.raises(ParseError, match="GraphQL errors instead of results: Field 'search' doesn't accept"):
        parse(body)


def test_json_without_search_nodes_is_a_parse_error_saying_what_it_holds() -> None:
    with pytest.raises(ParseError, match="no data.search.nodes list: the JSON is an object with keys results"):
        parse(b'{"results": []}')
