"""CrossrefAdapter on a recorded ``/works`` answer for SSRN DOIs: hits at the SSRN abstract page,
Crossref's partial dates, the query and polite-pool parameters, and answers that are not work lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sources.base import Parsed, ParseError, Payload, SourceSpec
from sources.crossref import CrossrefAdapter
from tests.conftest import PAYLOADS

WORKS = PAYLOADS / "crossref" / "ssrn-works.json"
API = "https://api.crossref.org/works?filter=prefix%3A10.2139&sort=published&order=desc&rows=100"
ADAPTER = CrossrefAdapter()


def spec(**options: Any) -> SourceSpec:
    return SourceSpec("preprints", "ssrn-via-crossref", "crossref", url=API, options=options)


def parse_document(document: Any) -> Parsed:
    return ADAPTER.parse(spec(), Payload(json.dumps(document).encode(), API, "application/json"))


def work_list(*items: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
            "message": {"total-results": len(items), "items": list(items), "items-per-page": 20}}


def test_works_become_hits_at_the_ssrn_abstract_page() -> None:
    parsed = ADAPTER.parse(spec(), Payload(WORKS.read_bytes(), API, "application/json"))

    assert len(parsed.hits) == 4
    assert parsed.warnings == ["1 works without a DOI or title skipped"]  # an item with an empty title list
    first = parsed.hits[0]
    assert first.url == "https://www.ssrn.com/abstract=5261439"
    assert first.guid == "https://doi.org/10.2139/ssrn.5261439"
    assert first.title == "Who Pays When the Chatbot Lies? Deployer Liability After Moffatt v. Air Canada"
    assert first.published == datetime(2025, 5, 28, tzinfo=UTC)
    assert first.entities == {"dois": ["10.2139/ssrn.5261439"]}
    assert first.summary.startswith("<jats:title>Abstract</jats:title><jats:p>In Moffatt v. Air Canada")
    assert first.summary.endswith("</jats:p>\n\nAuthors: Helen Okafor, Daniel Brandt")
    assert parsed.hits[2].url == "https://papers.ssrn.com/sol3/papers.cfm?abstract_id=5198822"
    assert parsed.hits[2].summary == "Authors: Marcus Lee"  # no abstract deposited
    assert parsed.cursor == {"published": "2025-05-28"}


def test_without_an_ssrn_landing_page_the_doi_is_the_url() -> None:
    item = {"DOI": "10.2139/ssrn.4700001", "title": ["Chatbots  in\n the Clinic"], "issued": {"date-parts": [[2024, 2]]},
            "resource": {"primary": {"URL": "https://example.org/landing"}}}

    (hit,) = parse_document(work_list(item)).hits

    assert hit.url == "https://doi.org/10.2139/ssrn.4700001"
    assert hit.title == "Chatbots in the Clinic"
    assert hit.published == datetime(2024, 2, 1, tzinfo=UTC)  # month precision: the first of the month


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"published": {"date-parts": [[2024, 7, 15]]}, "issued": {"date-parts": [[2023]]}}, datetime(2024, 7, 15, tzinfo=UTC)),
        ({"published": {"date-parts": [[None]]}, "posted": {"date-parts": [[2024]]}}, datetime(2024, 1, 1, tzinfo=UTC)),
        ({"created": {"date-parts": [[2024, 3, 9]], "date-time": "2024-03-09T11:02:44Z"}}, datetime(2024, 3, 9, tzinfo=UTC)),
        ({}, None),
    ],
)
def test_published_is_the_first_dated_field(dates: dict[str, Any], expected: datetime | None) -> None:
    (hit,) = parse_document(work_list({"DOI": "10.2139/ssrn.1", "title": ["T"], **dates})).hits

    assert hit.published == expected


def test_request_adds_query_and_mailto_and_keeps_the_filter() -> None:
    request = ADAPTER.request(spec(query="ChatGPT hallucination liability", mailto="intake@example.org"), {})

    assert parse_qs(urlsplit(request.url).query) == {
        "filter": ["prefix:10.2139"],
        "sort": ["published"],
        "order": ["desc"],
        "rows": ["100"],
        "query.bibliographic": ["ChatGPT hallucination liability"],
        "mailto": ["intake@example.org"],
    }


def test_request_without_options_is_the_configured_url() -> None:
    assert parse_qs(urlsplit(ADAPTER.request(spec(), {}).url).query) == {
        "filter": ["prefix:10.2139"], "sort": ["published"], "order": ["desc"], "rows": ["100"],
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"status": "failed", "message-type": "validation-failure", "message": [
                {"value": "prefixx", "message": "Filter prefixx specified but there is no such filter for this route.",
                 "type": "filter-not-available"}]},
            r"^Crossref answered status 'failed': Filter prefixx specified but there is no such filter",
        ),
        ({"status": "ok", "message-type": "work", "message": {"DOI": "10.2139/ssrn.1"}}, r"message-type 'work'"),
        ({"status": "ok", "message-type": "work-list", "message": {"total-results": 0}}, r"no items list"),
        ([], r"JSON list"),
    ],
)
def test_answers_that_are_not_work_lists_raise_parse_error(document: Any, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_document(document)


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"", r"^not JSON \(empty body\)$"),
     (b"<html><body>Service Unavailable</body></html>", r"^not JSON \(HTML page, content-type text/html\)$")],
)
def test_empty_and_html_bodies_raise_parse_error(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ADAPTER.parse(spec(), Payload(body, API, "text/html"))


def test_empty_work_list_is_no_hits_and_keeps_the_cursor() -> None:
    parsed = parse_document(work_list())

    assert parsed.hits == [] and parsed.warnings == [] and parsed.cursor is None
