"""Source health: stale sources (no success for twice the cadence, or no hits for far longer than
usual) from real rows on SQLite and PostgreSQL, network failures told apart from server failures,
a cycle during our own outage, and ``lpi sources list`` showing a stale source."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from flows.schedules import CADENCES as CADENCES_SCHEDULED
from lpi.cli import app
from lpi.config import load_config
from lpi.health import (
    CADENCE_PERIODS,
    OUTAGE_MARKER,
    STALE_FLOOR,
    HitHistory,
    SourceHealth,
    hits_per_day,
    is_network_failure,
    is_outage,
    source_health,
    span,
    success_limit,
    usual_gap,
)
from lpi.pipeline import run_cycle
from lpi.summary import StaleSource
from sources import Fetcher, FetchError, SourceSpec
from sources.fetch import FetchPolicy
from store import Candidate, SourceState, repo, session_scope
from tests.conftest import INTAKE_STREAMS, PAYLOADS, write_config
from tests.replay import ReplayServer, Route

AT = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
CADENCES = {"tech-press": "daily", "courts": "weekly", "vendor-disclosures": "continuous", "aiid": "on demand"}


def days_ago(days: float) -> datetime:
    return AT - timedelta(days=days)


def put_state(engine: Engine, source_id: str, **fields: Any) -> None:
    with session_scope(engine) as session:
        session.add(SourceState(source_id=source_id, stream=source_id.split("/")[0], url="https://example.org/feed", **fields))


def put_hits(engine: Engine, source_id: str, fetched: list[datetime]) -> None:
    """One relevant hit per fetch time, as the pipeline stores them."""
    candidates = []
    for n, at in enumerate(fetched):
        url = f"https://example.org/{source_id}/{n}"
        candidates.append(
            Candidate(key=url, stream=source_id.split("/")[0], source_id=source_id, role="confirming", url=url,
                      original_url=url, publisher="example.org", title=f"Story {n}", published_at=at, fetched_at=at,
                      fingerprint=f"{source_id}-{n}", raw_sha256="0" * 64)
        )
    with session_scope(engine) as session:
        repo.insert_new_candidates(session, candidates)


def health_of(engine: Engine, *source_ids: str) -> dict[str, SourceHealth]:
    specs = [SourceSpec(i.split("/")[0], i.split("/")[1], "feed", "https://example.org/feed") for i in source_ids]
    with session_scope(engine) as session:
        return {h.source_id: h for h in source_health(session, specs, CADENCES, AT)}


# The pure rules


@pytest.mark.parametrize(
    ("cadence", "limit"),
    [("daily", timedelta(hours=48)), ("weekly", timedelta(days=14)), ("continuous", STALE_FLOOR), ("on demand", None)],
)
def test_a_source_may_go_twice_its_cadence_without_success_and_a_continuous_one_an_hour(cadence: str, limit: timedelta | None) -> None:
    assert success_limit(cadence) == limit


def test_the_cadence_periods_are_the_schedules_cadences() -> None:
    assert set(CADENCE_PERIODS) == set(CADENCES_SCHEDULED)
    assert CADENCE_PERIODS["continuous"] == timedelta(seconds=CADENCES_SCHEDULED["continuous"]["interval"])


def test_the_usual_gap_needs_history_and_ignores_a_burst() -> None:
    daily = [days_ago(d) for d in range(5)]
    assert usual_gap(daily) is None  # four gaps say nothing yet

    burst = [days_ago(d) for d in (30, 24, 18, 12, 6)] + [days_ago(6) + timedelta(minutes=10 * n) for n in range(1, 6)]

    assert usual_gap(burst) == timedelta(days=6)  # upper quartile: the burst's 10-minute gaps do not make 6 days unusual


def test_hits_per_day_are_counted_over_the_window_or_since_the_first_hit() -> None:
    assert hits_per_day(HitHistory(recent=60, first_at=days_ago(400), last_at=AT), AT) == 2.0  # 60 in 30 days
    assert hits_per_day(HitHistory(recent=10, first_at=days_ago(5), last_at=AT), AT) == 2.0  # a new source: 10 in 5 days
    assert hits_per_day(HitHistory(), AT) == 0.0


def test_spans_read_as_people_write_them() -> None:
    assert [span(timedelta(minutes=m)) for m in (40, 80, 6 * 60 + 5, 2 * 1440 + 300, 12 * 1440 + 300)] == [
        "40min", "1h 20min", "6h", "2d 5h", "12d"
    ]


# Real rows, real queries


def test_stale_and_healthy_sources_from_stored_rows(engine: Engine) -> None:
    daily_polls = [days_ago(d) for d in range(1, 11)]
    put_state(engine, "tech-press/fresh", last_success_at=days_ago(0.5))
    put_hits(engine, "tech-press/fresh", daily_polls)
    put_state(engine, "tech-press/silent", last_success_at=days_ago(3), error_count=4, failing_since=days_ago(2.9),
              last_error="HTTP 503 from https://example.org/feed")
    put_state(engine, "tech-press/never-worked", error_count=3, failing_since=days_ago(3), last_error="not a feed")
    put_state(engine, "tech-press/hiccup", last_success_at=days_ago(0.5), error_count=1, failing_since=days_ago(0.4))
    put_state(engine, "courts/weekly-ok", last_success_at=days_ago(10))
    put_state(engine, "courts/weekly-late", last_success_at=days_ago(15))
    put_state(engine, "vendor-disclosures/status-ok", last_success_at=AT - timedelta(minutes=40))
    put_state(engine, "vendor-disclosures/status-down", last_success_at=AT - timedelta(hours=3))
    put_state(engine, "aiid/by-hand", last_success_at=days_ago(90))
    # Answers that declared themselves fresh: not polled (so no success) until that runs out.
    put_state(engine, "tech-press/fresh-ttl", last_success_at=days_ago(2.5), next_check_at=days_ago(1.5))
    put_state(engine, "vendor-disclosures/hourly-ttl", last_success_at=AT - timedelta(minutes=70),
              next_check_at=AT - timedelta(minutes=10))

    health = health_of(
        engine, "tech-press/fresh", "tech-press/silent", "tech-press/never-worked", "tech-press/hiccup", "tech-press/new",
        "courts/weekly-ok", "courts/weekly-late", "vendor-disclosures/status-ok", "vendor-disclosures/status-down",
        "aiid/by-hand", "tech-press/fresh-ttl", "vendor-disclosures/hourly-ttl",
    )

    assert {i: h.status for i, h in health.items()} == {
        "tech-press/fresh": "ok", "tech-press/silent": "stale", "tech-press/never-worked": "stale",
        "tech-press/hiccup": "failing", "tech-press/new": "never polled", "courts/weekly-ok": "ok",
        "courts/weekly-late": "stale", "vendor-disclosures/status-ok": "ok", "vendor-disclosures/status-down": "stale",
        "aiid/by-hand": "ok",  # no schedule, no expectation
        "tech-press/fresh-ttl": "ok", "vendor-disclosures/hourly-ttl": "ok",
    }
    fresh = health["tech-press/fresh"]
    assert fresh.hits_per_day == 1.0 and fresh.last_hit_at == days_ago(1) and fresh.usual_gap == timedelta(days=1)
    assert health["tech-press/silent"].stale == ("no successful poll for 3d (daily: expected within 2d)",)
    assert health["tech-press/silent"].error_count == 4
    assert health["tech-press/silent"].last_error == "HTTP 503 from https://example.org/feed"
    assert health["tech-press/never-worked"].stale == (
        "never polled successfully, failing for 3d (daily: expected within 2d)",
    )
    assert health["tech-press/hiccup"].failing_since == days_ago(0.4)
    assert health["courts/weekly-late"].stale == ("no successful poll for 15d (weekly: expected within 14d)",)
    assert health["vendor-disclosures/status-down"].stale == ("no successful poll for 3h (continuous: expected within 1h)",)
    assert health["courts/weekly-ok"].failing_since is None


def test_a_source_that_polls_fine_but_stopped_bringing_hits_is_stale(engine: Engine) -> None:
    # Hits about every day for three weeks, then ten days of nothing while every poll succeeds.
    put_state(engine, "tech-press/frozen", last_success_at=AT - timedelta(hours=2))
    put_hits(engine, "tech-press/frozen", [days_ago(d) for d in range(10, 31)])
    # Hits once a week: ten days without one is nothing unusual.
    put_state(engine, "tech-press/weekly-news", last_success_at=AT - timedelta(hours=2))
    put_hits(engine, "tech-press/weekly-news", [days_ago(d) for d in range(3, 60, 7)])

    health = health_of(engine, "tech-press/frozen", "tech-press/weekly-news")

    assert health["tech-press/frozen"].stale == ("no new hits for 10d (usually 1d or less between hits)",)
    assert health["tech-press/frozen"].hits_per_day == pytest.approx(21 / 30)
    assert health["tech-press/weekly-news"].stale == ()
    assert health["tech-press/weekly-news"].usual_gap == timedelta(days=7)


def test_hit_queries_keep_only_the_newest_polls_and_count_the_window(engine: Engine) -> None:
    put_hits(engine, "tech-press/busy", [days_ago(d / 4) for d in range(400)])  # every 6 hours for 100 days

    with session_scope(engine) as session:
        totals = repo.hit_totals(session, since=days_ago(30))
        times = repo.recent_hit_times(session, 50)

    assert totals["tech-press/busy"] == (121, days_ago(99.75), AT)
    assert times["tech-press/busy"] == [days_ago(d / 4) for d in range(49, -1, -1)]


# Our network or theirs


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections (the kernel does) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"


def fetch_error(url: str) -> str:
    policy = FetchPolicy(user_agent="lpi-tests", connect_timeout=1, read_timeout=0.5, deadline=3)
    with Fetcher(policy) as fetcher, pytest.raises(FetchError) as raised:
        fetcher.get(url)
    return str(raised.value)


def test_failures_before_any_server_answered_are_network_failures(
    closed_port: int, silent_server: str, replay: ReplayServer
) -> None:
    replay.routes["/busy"] = Route(503, b"try later")

    refused = fetch_error(f"http://127.0.0.1:{closed_port}/feed.xml")
    unresolvable = fetch_error("http://no-such-host.invalid/feed.xml")  # .invalid never resolves (RFC 6761)
    timed_out = fetch_error(silent_server)
    answered = fetch_error(replay.url("/busy"))

    assert [is_network_failure(e) for e in (refused, unresolvable, timed_out)] == [True, True, True], (refused, unresolvable, timed_out)
    assert not is_network_failure(answered) and answered.startswith("HTTP 503")
    assert not is_network_failure("not a feed (HTML page)")


def test_an_outage_needs_several_sources_and_none_reached() -> None:
    assert is_outage(unreached=5, reached=0)
    assert not is_outage(unreached=5, reached=1)
    assert not is_outage(unreached=1, reached=0)  # one source alone: its server may be the one down


def pointed_at(base: str) -> dict[str, Any]:
    """The intake streams with every source's URL moved to ``base``, plus one source read from disk."""
    streams: dict[str, Any] = json.loads(json.dumps(INTAKE_STREAMS))
    for body in streams.values():
        for source in body["sources"]:
            source["url"] = base + source["url"]
    local = {"name": "local-mirror", "kind": "feed", "url": (PAYLOADS / "feeds" / "verge-ai.xml").as_uri()}
    streams["tech-press"]["sources"].append(local)
    return streams


def test_a_cycle_while_our_network_is_down_is_one_outage_and_costs_the_sources_nothing(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine, closed_port: int
) -> None:
    up = load_config(write_config(tmp_path / "up.yaml", replay, database_url, pointed_at(replay.base_url)))
    down = load_config(write_config(tmp_path / "down.yaml", replay, database_url, pointed_at(f"http://127.0.0.1:{closed_port}")))
    first = run_cycle(up, engine)
    assert not first.errors and first.outage is None
    with session_scope(engine) as session:
        before = repo.source_states(session)

    cut_off = run_cycle(down, engine, force=True)  # force: also the sources whose answers are still fresh

    network = {s.source_id for s in up.sources()} - {"tech-press/local-mirror"}
    assert cut_off.outage is not None and set(cut_off.outage.sources) == network
    assert cut_off.outage.example.startswith("ConnectError")
    assert cut_off.errors == []
    assert {s.source_id: s.status for s in cut_off.sources} == {
        **{source_id: "outage" for source_id in network}, "tech-press/local-mirror": "fetched"  # files have no validators
    }
    assert cut_off.render_text().count("NETWORK OUTAGE: all 9 sources polled over the network were unreachable") == 1
    assert "0 source errors" in cut_off.render_text()
    assert "**NETWORK OUTAGE: all 9 sources" in cut_off.render_markdown()
    with session_scope(engine) as session:
        during = repo.source_states(session)
    for source_id in network:
        assert during[source_id].error_count == 0 and during[source_id].failing_since is None
        assert during[source_id].next_check_at == before[source_id].next_check_at  # no backoff
        assert during[source_id].last_success_at == before[source_id].last_success_at
        assert (during[source_id].last_error or "").startswith(OUTAGE_MARKER + "ConnectError")

    back = run_cycle(up, engine, force=True)

    assert back.outage is None and not back.errors
    assert {s.source_id: s.status for s in back.sources} == {
        **{source_id: "fetched" for source_id in network}, "tech-press/local-mirror": "fetched"
    }
    with session_scope(engine) as session:
        assert all(state.error_count == 0 for state in repo.source_states(session).values())


def test_unreachable_sources_among_reachable_ones_are_their_own_failures(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine, closed_port: int
) -> None:
    dead = f"http://127.0.0.1:{closed_port}"
    streams = {
        "tech-press": {
            "sources": [
                {"name": "ars-technica", "kind": "feed", "url": "/feeds/ars-technica.xml"},
                {"name": "gone-1", "kind": "feed", "url": f"{dead}/a.xml"},
                {"name": "gone-2", "kind": "feed", "url": f"{dead}/b.xml"},
            ]
        }
    }
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, database_url, streams))

    summary = run_cycle(config, engine)

    assert summary.outage is None
    assert {e.source_id for e in summary.errors} == {"tech-press/gone-1", "tech-press/gone-2"}
    with session_scope(engine) as session:
        gone = session.get(SourceState, "tech-press/gone-1")
        assert gone is not None and gone.error_count == 1 and gone.next_check_at is not None
        assert gone.failing_since == gone.last_error_at


# What a maintainer sees


def age(engine: Engine, source_id: str, by: timedelta) -> None:
    """Move a source's stored times back, as ``by`` passing without a successful poll of it would."""
    with session_scope(engine) as session:
        state = session.get(SourceState, source_id)
        assert state is not None and state.last_success_at is not None
        state.last_success_at -= by
        state.next_check_at = state.next_check_at and state.next_check_at - by

runner = CliRunner()


def lpi(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_run_summary_names_stale_sources(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    atom = (PAYLOADS / "feeds" / "simon-willison.atom").read_bytes()
    replay.routes["/flaky.atom"] = Route(200, atom, {"Content-Type": "application/atom+xml"})
    streams = {"security-blogs": {"sources": [{"name": "flaky", "kind": "feed", "url": "/flaky.atom"}]}}
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, database_url, streams))
    assert run_cycle(config, engine).stale == []
    age(engine, "security-blogs/flaky", timedelta(days=3))
    replay.routes["/flaky.atom"] = Route(503, b"down for maintenance")

    summary = run_cycle(config, engine)

    reason = "no successful poll for 3d (daily: expected within 2d)"
    assert summary.stale == [StaleSource("security-blogs/flaky", "security-blogs", [reason])]
    assert f"  STALE  security-blogs/flaky: {reason}" in summary.render_text().splitlines()
    assert f"| security-blogs/flaky | {reason} |" in summary.render_markdown()


def test_sources_list_shows_a_stale_source(config_file: Path, engine: Engine) -> None:
    lpi("run", "--plain", "--config", str(config_file))
    age(engine, "tech-press/ars-technica", timedelta(days=5))

    listing = lpi("sources", "list", "--config", str(config_file))
    only_stale = lpi("sources", "list", "--stale", "--config", str(config_file))
    rows = {r["source"]: r for r in json.loads(lpi("sources", "list", "--json", "--config", str(config_file)))}

    header, *lines = listing.splitlines()
    assert header.split() == ["source", "cadence", "last", "success", "errors", "hits/day", "last", "hit", "last", "error", "status"]
    ars = next(line for line in lines if line.startswith("tech-press/ars-technica"))
    assert ars.endswith("STALE: no successful poll for 5d (daily: expected within 2d)")
    assert sum(line.endswith(" ok") for line in lines) == 8
    assert [line.split()[0] for line in only_stale.splitlines()[1:]] == ["tech-press/ars-technica"]
    assert rows["tech-press/ars-technica"]["status"] == "stale"
    assert rows["tech-press/ars-technica"]["stale_reasons"] == ["no successful poll for 5d (daily: expected within 2d)"]
    assert rows["tech-press/ars-technica"]["hits_per_day"] == 3.0 and rows["tech-press/ars-technica"]["last_hit"]
    assert rows["tech-press/the-verge-ai"]["status"] == "ok"
