"""CourtListenerSearchAdapter on recorded v4 search responses: opinion and RECAP results, the query
and token in the request, cursor paging that stops at the high-water mark, and non-answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sources.base import Parsed, ParseError, Payload, SourceSpec
from sources.courtlistener import CourtListenerSearchAdapter
from tests.conftest import PAYLOADS

FOLDER = PAYLOADS / "courtlistener-search"
API = "https://www.courtlistener.com/api/rest/v4/search/?type=o&order_by=dateFiled%20desc&highlight=on"
ADAPTER = CourtListenerSearchAdapter()


def spec(url: str = API, **options: Any) -> SourceSpec:
    return SourceSpec("courts", "courtlistener-opinions", "courtlistener-search", url=url, options=options)


def payload(file: str, url: str = API) -> Payload:
    return Payload((FOLDER / file).read_bytes(), url, "application/json")


def parse(file: str) -> Parsed:
    return ADAPTER.parse(spec(), payload(file))


def test_opinion_results_become_hits_with_case_entities() -> None:
    parsed = parse("opinions.json")

    assert parsed.warnings == []
    assert len(parsed.hits) == 5
    first = parsed.hits[0]
    assert first.url == "https://www.courtlistener.com/opinion/10378845/garcia-v-character-technologies-inc/"
    assert first.title == "Garcia v. Character Technologies, Inc."
    assert first.published == datetime(2025, 5, 21, tzinfo=UTC)
    assert first.entities == {
        "case_names": ["Garcia v. Character Technologies, Inc."],
        "dockets": ["6:24-cv-01903"],
        "courts": ["flmd"],
    }
    assert first.summary.startswith("Defendants argue that the output of the <mark>Character.AI</mark>")
    assert first.summary.endswith("\nDistrict Court, M.D. Florida · No. 6:24-cv-01903")
    assert [h.entities["dockets"] for h in parsed.hits][-1] == ["22-2057"]  # appellate numbers as stated


def test_recap_results_link_the_docket_and_summarize_its_documents() -> None:
    parsed = parse("recap.json")

    assert [h.url for h in parsed.hits][:2] == [
        "https://www.courtlistener.com/docket/69449281/af-v-character-technologies-inc/",
        "https://www.courtlistener.com/docket/69295143/garcia-v-character-technologies-inc/",
    ]
    garcia = parsed.hits[1]
    assert garcia.published == datetime(2024, 10, 22, tzinfo=UTC)
    lines = garcia.summary.split("\n")
    assert len(lines) == 3  # two matched documents, then court and docket
    assert lines[1].startswith("ORDER granting in part and denying in part motions to dismiss — The Court is not prepared")
    assert lines[2] == "District Court, M.D. Florida · No. 6:24-cv-01903"
    assert garcia.entities["courts"] == ["flmd"]


def test_cursor_is_the_newest_filing_date() -> None:
    assert parse("opinions.json").cursor == {"date_filed": "2025-05-21"}
    assert parse("recap.json").cursor == {"date_filed": "2024-12-09"}


def test_request_puts_the_query_in_q_and_keeps_newest_first() -> None:
    request = ADAPTER.request(spec(query='"ChatGPT" AND fictitious'), {})

    query = parse_qs(urlsplit(request.url).query)
    assert query["q"] == ['"ChatGPT" AND fictitious']
    assert query["type"] == ["o"] and query["order_by"] == ["dateFiled desc"] and query["highlight"] == ["on"]
    assert request.method == "GET" and dict(request.headers) == {}


def test_token_comes_from_the_named_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CL_TEST_TOKEN", "abc123")

    request = ADAPTER.request(spec(query="OpenAI", token_env="CL_TEST_TOKEN"), {})

    assert dict(request.headers) == {"Authorization": "Token abc123"}


def test_unset_token_variable_means_anonymous(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CL_TEST_TOKEN", raising=False)

    assert dict(ADAPTER.request(spec(token_env="CL_TEST_TOKEN"), {}).headers) == {}


def test_next_page_follows_the_api_cursor_on_the_configured_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CL_TEST_TOKEN", "abc123")
    mirror = "http://127.0.0.1:8765/courtlistener-search/opinions.json?type=o&q=ChatGPT"

    request = ADAPTER.next_page(spec(mirror, token_env="CL_TEST_TOKEN"), payload("opinions.json", mirror), {})

    assert request is not None
    parts = urlsplit(request.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:8765", "/courtlistener-search/opinions.json")
    assert parse_qs(parts.query)["cursor"] == ["cz0xNzA2NTcyODAwMDAwJnM9OTQ3MDAxMiZ0PW8mZD0yMDI0LTAxLTMw"]
    assert dict(request.headers) == {"Authorization": "Token abc123"}  # every page is authenticated


@pytest.mark.parametrize(
    ("known", "follows"),
    [
        ("2023-06-01", True),  # the whole page is newer than the mark: there may be more
        ("2024-06-01", False),  # the page reaches past the mark
        ("2025-05-21", False),  # nothing on the page is newer
    ],
)
def test_next_page_stops_at_the_high_water_mark(known: str, follows: bool) -> None:
    request = ADAPTER.next_page(spec(), payload("opinions.json"), {"date_filed": known})

    assert (request is not None) is follows


def test_next_page_stops_without_next_or_when_a_page_points_at_itself() -> None:
    assert ADAPTER.next_page(spec(), payload("recap.json"), {}) is None  # "next": null
    body = json.loads((FOLDER / "opinions.json").read_bytes())
    cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    again = Payload(json.dumps(body).encode(), f"{API}&cursor={cursor}", "application/json")

    assert ADAPTER.next_page(spec(), again, {}) is None


def test_results_without_case_name_or_page_are_skipped_with_a_warning() -> None:
    body = json.dumps({"count": 2, "next": None, "previous": None, "results": [
        {"caseName": "", "absolute_url": "/opinion/1/x/", "dateFiled": "2025-01-02"},
        {"caseName": "Mata v. Avianca, Inc.", "absolute_url": "/opinion/9403685/mata-v-avianca-inc/", "dateFiled": None},
    ]}).encode()

    parsed = ADAPTER.parse(spec(), Payload(body, API, "application/json"))

    assert [(h.title, h.published) for h in parsed.hits] == [("Mata v. Avianca, Inc.", None)]
    assert parsed.warnings == ["1 results without a case name or page skipped"]
    assert parsed.cursor is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", r"^not JSON \(empty body\)$"),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", r"^not JSON \(HTML page"),
        (b'{"detail": "Invalid token."}', r"^CourtListener refused the search: Invalid token\.$"),
        (b'{"count": 3, "items": []}', r"no results list; JSON holds count, items"),
        (b"[1, 2]", r"no results list; JSON holds list"),
    ],
)
def test_non_answers_raise_parse_error(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ADAPTER.parse(spec(), Payload(body, API, "application/json"))
