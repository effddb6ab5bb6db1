"""AiidGraphqlAdapter: the GraphQL request it makes (high-water mark, pages, backfill file), the
recorded answer expanded into the articles AIID links, snapshot exports, and GraphQL errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from lpi.config import load_config
from lpi.pipeline import load_cursor, run_cycle
from sources.aiid import QUERY, AiidGraphqlAdapter
from sources.base import Parsed, ParseError, Payload, SourceSpec
from store import Candidate, SourceState, session_scope
from tests.conftest import PAYLOADS, write_config
from tests.replay import ReplayServer

PAGE = PAYLOADS / "aiid-graphql" / "reports-page.json"
EXPORT = PAYLOADS / "aiid-graphql" / "snapshot-export.json"
ENDPOINT = "https://incidentdatabase.ai/api/graphql"
ADAPTER = AiidGraphqlAdapter()


def spec(**options: Any) -> SourceSpec:
    return SourceSpec("aiid", "aiid-graphql", "aiid-graphql", url=ENDPOINT, options=options)


def parse(body: bytes, url: str = ENDPOINT) -> Parsed:
    return ADAPTER.parse(spec(), Payload(body, url, "application/json"))


def variables(body: bytes | None) -> dict[str, Any]:
    assert body is not None
    document = json.loads(body)
    assert document["query"] == QUERY
    return dict(document["variables"])


def test_first_request_posts_the_query_for_the_newest_page() -> None:
    request = ADAPTER.request(spec(), {})

    assert (request.url, request.method) == (ENDPOINT, "POST")
    assert request.headers["Content-Type"] == "application/json"
    assert variables(request.body) == {"after": 0, "before": 2**31 - 1, "limit": 100}
    assert "filter: {report_number: {GT: $after, LT: $before}}" in QUERY
    assert "sort: {report_number: DESC}" in QUERY
    assert "incidents(filter: {reports: {GT: $after, LT: $before}})" in QUERY


def test_later_requests_start_above_the_cursor_with_the_configured_page_size() -> None:
    request = ADAPTER.request(spec(page_size=25, backfill="/unused/after/the/first/run.json"), {"report_number": 4412})
    assert request.method == "POST"
    assert variables(request.body) == {"after": 4412, "before": 2**31 - 1, "limit": 25}
    with pytest.raises(ValueError, match="page_size must be a positive integer"):
        ADAPTER.request(spec(page_size=0), {})


def test_a_first_run_with_a_backfill_file_reads_it_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    request = ADAPTER.request(spec(backfill="exports/aiid.json"), {})
    assert request == type(request)(f"file://{tmp_path}/exports/aiid.json")


def test_each_report_becomes_a_confirming_candidate_for_the_article_it_links() -> None:
    parsed = parse(PAGE.read_bytes())

    assert [(h.url, h.entities, h.via) for h in parsed.hits] == [
        ("https://www.nytimes.com/2024/10/23/technology/characterai-lawsuit-teen-suicide.html", {"aiid_ids": [826]}, "https://incidentdatabase.ai/cite/826"),
        ("https://apnews.com/article/chatbot-ai-lawsuit-suicide-teen-artificial-intelligence-9d48adc572100822fdbc3c90d1456bd0", {"aiid_ids": [826]}, "https://incidentdatabase.ai/cite/826"),
        ("https://www.theguardian.com/world/2024/feb/16/air-canada-chatbot-lawsuit", {"aiid_ids": [639]}, "https://incidentdatabase.ai/cite/639"),
        ("https://www.bbc.com/travel/article/20240222-air-canada-chatbot-misinformation-what-travellers-should-know", {"aiid_ids": [639]}, "https://incidentdatabase.ai/cite/639"),
        ("https://www.nytimes.com/2023/05/27/nyregion/avianca-airline-lawsuit-chatgpt.html", {"aiid_ids": [541]}, "https://incidentdatabase.ai/cite/541"),
    ]
    assert parsed.warnings == ["1 reports linked to no AIID incident skipped"]  # an AIID issue report
    assert parsed.cursor == {"report_number": 4412}
    guardian = parsed.hits[2]
    assert guardian.title == "Air Canada ordered to pay customer who was misled by airline\u2019s chatbot"
    assert guardian.published == datetime(2024, 2, 16, tzinfo=UTC)
    assert guardian.summary.startswith("Company claimed its chatbot")  # the description
    assert (guardian.role, guardian.publisher, guardian.language, guardian.guid) == ("confirming", None, "en", "aiid:report:3611")
    assert parsed.hits[1].summary.startswith("TALLAHASSEE, Fla. (AP)")  # no description: the text


def test_a_report_in_two_incidents_carries_both_ids() -> None:
    document = json.loads(PAGE.read_bytes())
    document["data"]["incidents"].append({"incident_id": 640, "title": "Chatbot refund policy", "reports": [{"report_number": 3611}]})
    guardian = parse(json.dumps(document).encode()).hits[2]
    assert (guardian.entities, guardian.via) == ({"aiid_ids": [639, 640]}, "https://incidentdatabase.ai/cite/639")


def test_next_page_goes_below_the_lowest_report_until_known_ground() -> None:
    full = Payload(PAGE.read_bytes(), ENDPOINT, "application/json")  # 6 reports, lowest 3120

    request = ADAPTER.next_page(spec(page_size=6), full, {"report_number": 3000})
    assert request is not None and variables(request.body) == {"after": 3000, "before": 3120, "limit": 6}
    assert ADAPTER.next_page(spec(page_size=7), full, {"report_number": 3000}) is None  # a short page is the last
    assert ADAPTER.next_page(spec(page_size=6), full, {"report_number": 3500}) is None  # reached known reports
    assert ADAPTER.next_page(spec(page_size=6), full, {}) is None  # a first run reads the newest page only
    backfill = Payload(EXPORT.read_bytes(), f"file://{EXPORT}", None)
    assert ADAPTER.next_page(spec(page_size=3), backfill, {"report_number": 1}) is None


def test_a_snapshot_export_in_mongodb_extended_json_is_read() -> None:
    parsed = parse(EXPORT.read_bytes(), f"file://{EXPORT}")

    assert [(h.guid, h.entities["aiid_ids"], h.published) for h in parsed.hits] == [
        ("aiid:report:3611", [639], datetime(2024, 2, 16, tzinfo=UTC)),  # {"$numberInt"} epoch
        ("aiid:report:3131", [541], datetime(2023, 6, 22, tzinfo=UTC)),  # {"$date": {"$numberLong"}}
        ("aiid:report:3103", [541], datetime(2023, 5, 27, tzinfo=UTC)),  # a plain date string
    ]
    assert parsed.warnings == []
    assert parsed.cursor == {"report_number": 3611}


def test_graphql_errors_without_data_are_parse_errors_quoting_the_message() -> None:
    answer = {"errors": [{"message": 'Cannot query field "plain" on type "Report".', "locations": [{"line": 9, "column": 5}]}], "data": None}
    with pytest.raises(ParseError, match='^AIID GraphQL error: Cannot query field "plain" on type "Report".$'):
        parse(json.dumps(answer).encode())

    partial = json.loads(PAGE.read_bytes()) | {"errors": [{"message": "incidents: operation exceeded time limit"}]}
    parsed = parse(json.dumps(partial).encode())
    assert len(parsed.hits) == 5
    assert parsed.warnings[0] == "AIID GraphQL error: incidents: operation exceeded time limit"


def test_malformed_reports_are_skipped_with_a_warning() -> None:
    document = json.loads(PAGE.read_bytes())
    document["data"]["reports"][0]["url"] = "ftp://example.org/report"
    document["data"]["reports"][1]["report_number"] = None
    parsed = parse(json.dumps(document).encode())
    assert [h.guid for h in parsed.hits] == ["aiid:report:3611", "aiid:report:3607", "aiid:report:3120"]
    assert parsed.warnings == [
        "1 reports linked to no AIID incident skipped",
        "2 reports without a number, an http(s) url or a title skipped",
    ]


def test_an_empty_page_keeps_the_cursor() -> None:
    parsed = parse(b'{"data": {"reports": [], "incidents": []}}')
    assert (parsed.hits, parsed.cursor) == ([], None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not an AIID GraphQL answer or export (empty body)"),
        (b"<!DOCTYPE html><html><body>Bad gateway</body></html>", "not an AIID GraphQL answer or export (an HTML page, content-type application/json)"),
        (b"\x00\x01 garbage", "not an AIID GraphQL answer or export (10 bytes that are not JSON"),
        (b"[1, 2]", "not an AIID GraphQL answer or export (a JSON list)"),
        (b'{"data": {"incidentz": []}}', "not an AIID GraphQL answer or export (no reports or incidents; JSON holds incidentz)"),
        (b'{"data": {"reports": {"report_number": 1}}}', "not an AIID GraphQL answer or export (reports and incidents must be lists)"),
    ],
)
def test_payloads_that_are_not_aiid_answers_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(body)
    assert str(raised.value).startswith(message)


def test_backfill_then_incremental_polls_through_the_pipeline(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine  # type: ignore[no-untyped-def]
) -> None:
    source = {"name": "aiid-graphql", "kind": "aiid-graphql", "url": "/aiid-graphql/reports-page.json", "backfill": str(EXPORT)}
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, database_url, {"aiid": {"keywords": [], "sources": [source]}}))

    backfill = run_cycle(config, engine).sources[0]
    assert (backfill.status, backfill.new_hits, replay.bodies) == ("fetched", 3, [])  # the file, no request to AIID
    incremental = run_cycle(config, engine).sources[0]

    assert (incremental.status, incremental.new_hits, incremental.known_hits) == ("fetched", 4, 1)  # the Guardian report is known
    [body] = replay.bodies
    assert variables(body) == {"after": 3611, "before": 2**31 - 1, "limit": 100}
    with session_scope(engine) as session:
        guardian = session.exec(select(Candidate).where(Candidate.url.contains("air-canada-chatbot-lawsuit"))).one()
        state = session.get(SourceState, "aiid/aiid-graphql")
    assert (guardian.stream, guardian.role, guardian.publisher) == ("aiid", "confirming", "theguardian.com")
    assert (guardian.via_url, guardian.entities["aiid_ids"]) == ("https://incidentdatabase.ai/cite/639", ["639"])  # stored as text
    assert state is not None and load_cursor(state) == {"report_number": 4412}
