"""StatuspageAdapter on both public forms of a status page: the same incident gets the same
candidate key from history.atom and incidents.json, and a replay of 16 real successive history.atom
captures through the pipeline adds exactly the incidents each capture is the first to show."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from dedup.normalize import candidate_key
from lpi.config import load_config
from lpi.pipeline import run_cycle
from sources.base import Parsed, ParseError, Payload, SourceSpec
from sources.statuspage import StatuspageAdapter
from tests.conftest import CORPORA, PAYLOADS, write_config
from tests.replay import ReplayServer, Route

SNAPSHOTS = CORPORA / "githubstatus_history_atom_snapshots"
INCIDENTS_JSON = PAYLOADS / "statuspage" / "incidents.json"
HISTORY_ATOM = PAYLOADS / "feeds" / "claude-status-history.atom"
SPEC = SourceSpec("vendor-disclosures", "anthropic-status", "statuspage", publisher="anthropic.com")


def parse(body: bytes, url: str = "https://status.claude.com/api/v2/incidents.json", content_type: str | None = None) -> Parsed:
    return StatuspageAdapter().parse(SPEC, Payload(body, url, content_type))


def test_incidents_json_gives_one_hit_per_incident_on_its_page() -> None:
    parsed = parse(INCIDENTS_JSON.read_bytes(), content_type="application/json")

    assert parsed.warnings == []
    assert [(h.url, h.guid, h.title) for h in parsed.hits] == [
        ("https://status.claude.com/incidents/h26lykctfnsz", "h26lykctfnsz", "Degraded output quality on Claude Opus 4.1 and Claude Opus 4"),
        ("https://status.claude.com/incidents/rq1m5ntkz0yg", "rq1m5ntkz0yg", "Increased latency and errors on claude.ai"),
        ("https://status.claude.com/incidents/x8dn1d1dlzgb", "x8dn1d1dlzgb", "Elevated errors on Claude 3.5 Sonnet"),
    ]
    sonnet = parsed.hits[2]
    assert sonnet.published == datetime(2024, 6, 21, 9, 12, 40, 529000, tzinfo=UTC)  # created_at, not resolved_at
    assert sonnet.summary == (
        "Resolved - This incident has been resolved.\n"
        "Investigating - We are investigating elevated error rates on requests to Claude 3.5 Sonnet on claude.ai and the API.\n"
        "Impact: major\n"
        "Components: Claude API (api.anthropic.com), claude.ai"
    )
    assert parsed.hits[0].summary.startswith("Postmortem - A routing error sent a share of Claude Opus requests")
    assert all(h.publisher is None for h in parsed.hits)  # the source's publisher (anthropic.com) applies


def test_history_atom_entries_get_the_incident_code_as_guid() -> None:
    parsed = parse(HISTORY_ATOM.read_bytes(), "https://status.claude.com/history.atom", "application/atom+xml")

    assert [(h.url, h.guid) for h in parsed.hits] == [
        ("https://status.claude.com/incidents/x8dn1d1dlzgb", "x8dn1d1dlzgb"),
        ("https://status.claude.com/incidents/3b1q0v7mbx5d", "3b1q0v7mbx5d"),
    ]
    assert parsed.hits[0].title == "Elevated errors on Claude 3.5 Sonnet"
    assert "<strong>Investigating</strong> - We are investigating elevated error rates" in parsed.hits[0].summary
    # published is the first update's stamp ("Jun 21, 09:12 UTC"), as created_at is in incidents.json;
    # the entry's own <published> (09:55:02) is its latest update; without stamps it is all there is
    assert parsed.hits[0].published == datetime(2024, 6, 21, 9, 12, tzinfo=UTC)
    assert parsed.hits[1].published == datetime(2024, 6, 19, 16, 20, 41, tzinfo=UTC)


def test_an_update_stamp_later_than_the_entry_belongs_to_the_year_before() -> None:
    atom = HISTORY_ATOM.read_bytes().replace(b"2024-06-21T09:55:02Z", b"2025-01-01T00:20:00Z").replace(
        b"Jun &lt;var data-var='date'&gt;21&lt;/var&gt;, &lt;var data-var='time'&gt;09:12", b"Dec &lt;var data-var='date'&gt;31&lt;/var&gt;, &lt;var data-var='time'&gt;23:41"
    )
    assert parse(atom).hits[0].published == datetime(2024, 12, 31, 23, 41, tzinfo=UTC)


def test_the_same_incident_has_one_candidate_key_in_both_forms() -> None:
    from_json = {h.guid: h for h in parse(INCIDENTS_JSON.read_bytes()).hits}
    from_atom = {h.guid: h for h in parse(HISTORY_ATOM.read_bytes(), "https://status.claude.com/history.atom").hits}

    assert candidate_key(from_json["x8dn1d1dlzgb"]) == candidate_key(from_atom["x8dn1d1dlzgb"])
    assert candidate_key(from_atom["x8dn1d1dlzgb"]) == "https://status.claude.com/incidents/x8dn1d1dlzgb"


def test_urls_are_rebuilt_as_the_canonical_incident_page() -> None:
    atom = HISTORY_ATOM.read_bytes().replace(
        b"https://status.claude.com/incidents/3b1q0v7mbx5d", b"https://status.claude.com/incidents/3b1q0v7mbx5d/?utm_source=feed"
    )
    assert parse(atom).hits[1].url == "https://status.claude.com/incidents/3b1q0v7mbx5d"
    # incidents.json without page.url: the page is the host the API answered from
    document = json.loads(INCIDENTS_JSON.read_bytes())
    del document["page"]
    hits = parse(json.dumps(document).encode(), "https://status.example.org/api/v2/incidents.json").hits
    assert hits[0].url == "https://status.example.org/incidents/h26lykctfnsz"


def test_malformed_items_are_skipped_with_a_warning() -> None:
    document = json.loads(INCIDENTS_JSON.read_bytes())
    document["incidents"][1]["name"] = ""
    document["incidents"].append("not an incident")
    parsed = parse(json.dumps(document).encode())
    assert [h.guid for h in parsed.hits] == ["h26lykctfnsz", "x8dn1d1dlzgb"]
    assert parsed.warnings == ["2 incidents without an id or name skipped"]

    atom = HISTORY_ATOM.read_bytes().replace(b"https://status.claude.com/incidents/3b1q0v7mbx5d", b"https://status.claude.com/")
    parsed = parse(atom)
    assert [h.guid for h in parsed.hits] == ["x8dn1d1dlzgb"]
    assert parsed.warnings == ["1 entries not linking to an incident page skipped"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"  \n", "not a Statuspage history.atom or incidents.json (empty body)"),
        (b'{"page": {"id": "x"}, "components": []}', "not a Statuspage incidents.json (no incidents list; JSON holds components, page)"),
        (b"[1, 2]", "not a Statuspage incidents.json (no incidents list; JSON holds list)"),
        (b'{"incidents": [', "not a Statuspage incidents.json (invalid JSON"),
        (b"<!DOCTYPE html><html><body>Status</body></html>", "not a feed (HTML page"),
    ],
)
def test_payloads_that_are_neither_form_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(body, content_type="text/html")
    assert str(raised.value).startswith(message)


def snapshot_files() -> list[Path]:
    return sorted(SNAPSHOTS.glob("history_*.atom"))  # the capture time leads each name: sorted = in order


@pytest.mark.skipif(not SNAPSHOTS.is_dir(), reason="../shared/corpora/githubstatus_history_atom_snapshots not present")
def test_replaying_successive_history_captures_adds_exactly_the_new_incidents(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine  # type: ignore[no-untyped-def]
) -> None:
    source = {"name": "github-status", "kind": "statuspage", "url": "/statuspage/history.atom"}
    streams = {"vendor-disclosures": {"keywords": [], "sources": [source]}}
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, database_url, streams))
    seen: set[str] = set()
    added, expected = [], []

    for snapshot in snapshot_files():
        body = snapshot.read_bytes()
        ids = {entry.id for entry in feedparser.parse(body).entries}
        expected.append(len(ids - seen))
        seen |= ids
        replay.routes["/statuspage/history.atom"] = Route(body=body, headers={"Content-Type": "application/atom+xml; charset=utf-8"})
        [report] = run_cycle(config, engine).sources
        assert report.status == "fetched", report.message
        added.append(report.new_hits)

    assert len(added) == 16
    assert added == expected == [25] * 10 + [0, 1, 2, 0, 1, 0]
