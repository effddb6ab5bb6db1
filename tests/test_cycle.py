"""A whole intake cycle over a real loopback server: what lands, what is promoted, what a second
cycle adds (nothing), and that one broken source does not stop the others."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from lpi.config import load_config
from lpi.pipeline import run_cycle
from store import (
    Blob,
    Candidate,
    Cluster,
    ClusterMember,
    QueueState,
    RawPayload,
    SourceState,
    session_scope,
)
from tests.conftest import INTAKE_STREAMS, feed, write_config
from tests.replay import ReplayServer, Route

TABLES = (Blob, RawPayload, Candidate, Cluster, ClusterMember, SourceState)


def row_counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return {t.__tablename__: session.exec(select(func.count()).select_from(t)).one() for t in TABLES}


def clusters_by_title(engine) -> dict[str, Cluster]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return {c.title: c for c in session.exec(select(Cluster))}


def cluster_containing(engine, url_part: str) -> Cluster:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return session.exec(
            select(Cluster)
            .join(ClusterMember, ClusterMember.cluster_id == Cluster.id)
            .join(Candidate, Candidate.id == ClusterMember.candidate_id)
            .where(Candidate.url.contains(url_part))
        ).one()


def test_first_cycle_lands_clusters_and_promotes_two_source_incidents(config_file: Path, engine) -> None:  # type: ignore[no-untyped-def]
    summary = run_cycle(load_config(config_file), engine)

    assert not summary.errors
    assert {s.status for s in summary.sources} == {"fetched"}
    # 19 entries in the recorded feeds; 4 are off-topic (phones, servers, a foldable, an energy fine).
    assert sum(s.irrelevant for s in summary.sources) == 4
    assert summary.new_hits == 15
    clusters = clusters_by_title(engine)
    assert len(clusters) == 8

    air_canada = cluster_containing(engine, "air-canada-chatbot-lawsuit")
    assert air_canada.state == QueueState.PROMOTED
    assert air_canada.independent_count == 3
    assert {o["origin"] for o in air_canada.explanation["origins"]} == {"theguardian.com", "arstechnica.com", "bbc.co.uk"}

    nyc = cluster_containing(engine, "nycs-government-chatbot")
    assert nyc.state == QueueState.PROMOTED
    assert {o["origin"] for o in nyc.explanation["origins"]} == {"arstechnica.com", "apnews.com"}
    [copy] = nyc.explanation["collapsed"]  # ABC ran the AP story verbatim: one origin, not two
    assert copy["into"] == "apnews.com" and "syndicated copy" in copy["reason"]

    promoted = {c.id for c in clusters.values() if c.state == QueueState.PROMOTED}
    assert promoted == {
        air_canada.id,
        nyc.id,
        cluster_containing(engine, "google-ai-overview-hallucinations-glue-in-pizza").id,
        cluster_containing(engine, "slack_ai_prompt_injection").id,
        cluster_containing(engine, "chatgpt-macos-app-persistent-data-exfiltration").id,
    }
    assert cluster_containing(engine, "cd11gzejgz4o").id == cluster_containing(engine, "glue-in-pizza").id
    watched = {c.title for c in clusters.values() if c.state == QueueState.WATCHED}
    assert watched == {
        "Elevated errors on Claude 3.5 Sonnet",
        "Microsoft Copilot: From Prompt Injection to Exfiltration of Personal Information",
    }
    parked = {c.title for c in clusters.values() if c.state == QueueState.EXCLUDED}
    assert parked == {"Console login delays"}  # a status-page login delay names no LLM: out of scope, not queued
    assert {p.cluster_id for p in summary.match.promoted} == promoted


def test_second_cycle_answered_with_304s_adds_nothing(config_file: Path, engine, replay: ReplayServer) -> None:  # type: ignore[no-untyped-def]
    config = load_config(config_file)
    run_cycle(config, engine)
    before = row_counts(engine)

    summary = run_cycle(config, engine)

    statuses = {s.source_id: s.status for s in summary.sources}
    fresh = {"tier1-news/bbc-technology", "tech-press/ars-technica"}  # <ttl>15</ttl>, sy:updatePeriod hourly
    assert {k for k, v in statuses.items() if v == "skipped"} == fresh
    assert {v for k, v in statuses.items() if k not in fresh} == {"not_modified"}
    assert summary.new_hits == 0 and summary.match.new_clusters == 0 and not summary.match.promoted
    assert row_counts(engine) == before
    forced = run_cycle(config, engine, force=True)  # full 200 bodies again: still nothing new
    assert {s.status for s in forced.sources} == {"fetched"}
    assert row_counts(engine) == before


def test_broken_sources_are_recorded_and_the_rest_of_the_cycle_goes_on(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine  # type: ignore[no-untyped-def]
) -> None:
    replay.routes["/broken"] = Route(500, b"upstream exploded", {"Retry-After": "120"})
    replay.routes["/html"] = Route(200, b"<!DOCTYPE html><html><body>Please enable JS</body></html>", {"Content-Type": "text/html"})
    replay.routes["/garbage"] = Route(200, b"\x00\x01\x02 not xml at all \xff", {"Content-Type": "application/rss+xml"})
    streams = dict(INTAKE_STREAMS)
    streams["security-blogs"] = {
        "sources": [
            feed("simon-willison", "simon-willison.atom"),
            {"name": "down", "kind": "feed", "url": "/broken"},
            {"name": "html-page", "kind": "feed", "url": "/html"},
            {"name": "garbage", "kind": "feed", "url": "/garbage"},
            {"name": "no-server", "kind": "feed", "url": "http://127.0.0.1:9/feed.xml"},
            {"name": "future-kind", "kind": "not-yet-written", "url": "/x"},
        ]
    }
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, database_url, streams))

    summary = run_cycle(config, engine)

    by_id = {s.source_id: s for s in summary.sources}
    assert by_id["security-blogs/down"].message == f"HTTP 500 from {replay.url('/broken')}"
    assert by_id["security-blogs/html-page"].message.startswith("not a feed (HTML page")
    assert by_id["security-blogs/garbage"].message.startswith("not a feed")
    assert "ConnectError" in by_id["security-blogs/no-server"].message
    assert by_id["security-blogs/future-kind"].status == "skipped"
    assert {s.source_id for s in summary.errors} == {
        "security-blogs/down", "security-blogs/html-page", "security-blogs/garbage", "security-blogs/no-server"
    }
    assert by_id["security-blogs/simon-willison"].new_hits == 1
    assert by_id["tech-press/ars-technica"].new_hits == 3
    with session_scope(engine) as session:
        down = session.get(SourceState, "security-blogs/down")
        assert down.error_count == 1 and down.last_error.startswith("HTTP 500")
        assert (down.next_check_at - down.last_error_at).total_seconds() >= 120  # Retry-After honoured
        html_state = session.get(SourceState, "security-blogs/html-page")
        assert html_state.etag is None  # a bad body never becomes the cached validator
        # the raw bytes of the HTML page were archived before parsing failed: re-processable later
        assert session.exec(select(RawPayload).where(RawPayload.source_id == "security-blogs/html-page")).one()

    again = run_cycle(config, engine)  # the failing source is backing off; the rest are 304s
    assert {s.source_id: s.status for s in again.sources}["security-blogs/down"] == "skipped"
    assert replay.requests["/broken"] == 1
