"""BugcrowdDisclosuresAdapter on a recorded CrowdStream disclosures page: AI programmes and AI
targets kept, untitled results named after engagement and target, dates read as UTC days, and
paging by ``page=N`` until the newest disclosure day an earlier poll saw."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sources.base import Parsed, ParseError, Payload, SourceSpec
from sources.bugcrowd import BugcrowdDisclosuresAdapter
from tests.conftest import PAYLOADS

RECORDED = PAYLOADS / "bugcrowd-disclosures" / "crowdstream-disclosures.json"
ENDPOINT = "https://bugcrowd.com/crowdstream.json?filter_by=disclosures&page=1"
ADAPTER = BugcrowdDisclosuresAdapter()


def spec(**options: Any) -> SourceSpec:
    return SourceSpec("bug-bounty", "bugcrowd-crowdstream-disclosures", "bugcrowd-disclosures", ENDPOINT, options=options)


def payload(body: bytes, url: str = ENDPOINT) -> Payload:
    return Payload(body, url, "application/json; charset=utf-8")


def parse(body: bytes, **options: Any) -> Parsed:
    return ADAPTER.parse(spec(**options), payload(body))


def page(*results: dict[str, Any], pages: int = 10) -> bytes:
    return json.dumps({"results": list(results), "pagination_meta": {"total_pages": pages}}).encode()


def disclosure(day: str, **fields: Any) -> dict[str, Any]:
    return {"id": day, "engagement_name": "OpenAI", "engagement_code": "openai", "disclosed_at": day,
            "disclosure_report_url": f"/disclosures/{day.replace(' ', '-')}", **fields}


def test_ai_disclosures_are_kept_and_an_untitled_one_is_named_after_engagement_and_target() -> None:
    parsed = parse(RECORDED.read_bytes())

    assert parsed.warnings == []
    assert [(h.title, h.url) for h in parsed.hits] == [
        ("OpenAI disclosure: api.openai.com",
         "https://bugcrowd.com/disclosures/7a1c2e5b-3f4d-4c8e-9b61-0d2f6a9e4c11/openai-disclosure"),
        ("Agent mode follows instructions in a shared Google Doc and emails its contents to an outside address",
         "https://bugcrowd.com/disclosures/c93e0b72-8d11-4a5f-b2e4-6f71d0c8a3b9/agent-mode-follows-instructions-in-a-shared-google-doc"),
        ("Rovo AI agent reveals Confluence page titles from restricted spaces through prompt injection in a Jira comment",
         "https://bugcrowd.com/disclosures/5e8f9a30-6b2c-4d71-8e05-a4c3b1f2d7e6/rovo-ai-agent-reveals-confluence-page-titles"),
    ]  # left out: an Atlassian XSS and an untitled Tesla disclosure
    first = parsed.hits[0]
    assert first.published == datetime(2025, 6, 18, tzinfo=UTC)
    assert first.guid == "bugcrowd:7a1c2e5b-3f4d-4c8e-9b61-0d2f6a9e4c11"
    assert first.summary == "Disclosed on Bugcrowd by OpenAI; priority: P2; target: api.openai.com; researcher: nullbyte_nora."
    assert parsed.hits[1].summary == "Disclosed on Bugcrowd by OpenAI Safety Bug Bounty; priority: P2; target: ChatGPT Agent."
    assert parsed.cursor == {"disclosed_at": "2025-06-18"}


def test_programmes_and_terms_come_from_the_options() -> None:
    parsed = parse(RECORDED.read_bytes(), programmes=["tesla"], terms=["xss"])

    assert [h.title for h in parsed.hits] == ["Stored XSS in Jira issue collector custom field", "Tesla disclosure: *.tesla.com"]


def test_legacy_program_fields_and_a_result_without_a_report_link() -> None:
    parsed = parse(page(
        {"id": "1", "program_name": "OpenAI", "program_code": "openai", "target": "chatgpt.com",
         "accepted_at": "3 Feb 2025", "disclosure_report_url": "/disclosures/1/x"},
        {"id": "2", "engagement_name": "OpenAI", "engagement_path": "/engagements/openai", "disclosed": False},
    ))

    assert [(h.title, h.published) for h in parsed.hits] == [("OpenAI disclosure: chatgpt.com", datetime(2025, 2, 3, tzinfo=UTC))]
    assert parsed.warnings == ["1 results without a disclosure report link skipped"]


def test_paging_asks_for_the_next_page_until_the_last_one() -> None:
    cursor = {"disclosed_at": "2025-06-01"}
    following = ADAPTER.next_page(spec(), payload(page(disclosure("12 Jun 2025"))), cursor)

    assert following is not None
    assert parse_qs(urlsplit(following.url).query) == {"filter_by": ["disclosures"], "page": ["2"]}
    last = "https://bugcrowd.com/crowdstream.json?filter_by=disclosures&page=10"
    assert ADAPTER.next_page(spec(), payload(page(disclosure("12 Jun 2025")), last), cursor) is None
    assert ADAPTER.next_page(spec(), payload(page()), cursor) is None
    assert ADAPTER.next_page(spec(), payload(page(disclosure("12 Jun 2025"))), {}) is None  # first poll: one page


def test_paging_stops_past_the_day_the_cursor_holds_but_not_on_it() -> None:
    cursor = {"disclosed_at": "2025-06-10"}
    ends_on_that_day = page(disclosure("12 Jun 2025"), disclosure("10 Jun 2025"))
    reaches_before_it = page(disclosure("12 Jun 2025"), disclosure("09 Jun 2025"))

    assert ADAPTER.next_page(spec(), payload(ends_on_that_day), cursor) is not None  # more of that day may follow
    assert ADAPTER.next_page(spec(), payload(reaches_before_it), cursor) is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"engagements": [], "paginationMeta": {"limit": 24}}', "no results list: the JSON is an object with keys engagements"),
        (b"<html><head><title>Bugcrowd</title></head></html>", "HTML page"),
    ],
)
def test_a_page_that_is_not_crowdstream_is_a_parse_error(body: bytes, says: str) -> None:
    with pytest.raises(ParseError, match=says):
        parse(body)
