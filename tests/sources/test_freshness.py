"""Freshness: what headers and feeds declare, and that a real cycle leaves a fresh source alone
until then (a 304 keeping the feed's <ttl>), while ``force`` ignores it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlmodel import select

from lpi.config import load_config
from lpi.pipeline import run_cycle
from sources.freshness import MAX_FRESHNESS, feed_freshness, http_freshness
from store import SourceState, session_scope
from tests.conftest import NEWS_KEYWORDS, feed, write_config
from tests.replay import ReplayServer, Route

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "fresh"),
    [
        ({"cache-control": "public, max-age=600"}, timedelta(minutes=10)),
        ({"cache-control": "max-age=600", "age": "100"}, timedelta(seconds=500)),
        ({"cache-control": 'max-age="60"'}, timedelta(minutes=1)),
        ({"cache-control": "max-age=600, no-cache"}, timedelta(0)),
        ({"cache-control": "no-store"}, timedelta(0)),
        ({"cache-control": "s-maxage=600"}, timedelta(0)),  # for shared caches; we are a private one
        ({"cache-control": "max-age=99999999999999999999999"}, MAX_FRESHNESS),
        ({"expires": http_date(AT + timedelta(hours=2)), "date": http_date(AT + timedelta(hours=1))}, timedelta(hours=1)),
        ({"expires": http_date(AT + timedelta(hours=2))}, timedelta(hours=2)),  # no Date: from our own clock
        ({"expires": http_date(AT + timedelta(hours=2)), "cache-control": "max-age=60"}, timedelta(minutes=1)),
        ({"expires": "0"}, timedelta(0)),
        ({"expires": http_date(AT - timedelta(hours=1))}, timedelta(0)),
        ({}, timedelta(0)),
    ],
)
def test_http_freshness(headers: dict[str, str], fresh: timedelta) -> None:
    assert http_freshness(headers, AT) == fresh


@pytest.mark.parametrize(
    ("channel", "fresh"),
    [
        (b"<ttl>45</ttl>", timedelta(minutes=45)),
        (b"<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>", timedelta(minutes=30)),
        (b"<sy:updatePeriod>daily</sy:updatePeriod>", timedelta(days=1)),
        (b"<sy:updatePeriod>weekly</sy:updatePeriod>", MAX_FRESHNESS),
        (b"<ttl>15</ttl><sy:updatePeriod>hourly</sy:updatePeriod>", timedelta(hours=1)),  # the longest wins
        (b"<sy:updatePeriod>fortnightly</sy:updatePeriod>", timedelta(0)),
        (b"<title>no declaration</title>", timedelta(0)),
    ],
)
def test_feed_freshness(channel: bytes, fresh: timedelta) -> None:
    body = b'<rss version="2.0"><channel>' + channel + b"<item><title>x</title></item></channel></rss>"

    assert feed_freshness(body) == fresh


def test_a_ttl_quoted_inside_an_item_is_not_the_feeds() -> None:
    body = b"<rss><channel><item><description><![CDATA[<ttl>1440</ttl>]]></description></item></channel></rss>"

    assert feed_freshness(body) == timedelta(0)


def lifetime(state: SourceState | None) -> timedelta:
    """How long after its last success the source is left alone."""
    assert state and state.next_check_at and state.last_success_at
    return state.next_check_at - state.last_success_at


def sources_with_ttl(replay: ReplayServer) -> dict[str, object]:
    """bbc-technology.xml declares <ttl>15</ttl>; the second source's answers say max-age=1 hour."""
    body = (Path(__file__).parents[1] / "payloads" / "feeds" / "the-register.xml").read_bytes()
    replay.routes["/cached.xml"] = Route(200, body, {"Content-Type": "application/rss+xml", "Cache-Control": "max-age=3600"})
    return {
        "tier1-news": {"keywords": NEWS_KEYWORDS, "sources": [feed("bbc-technology", "bbc-technology.xml")]},
        "tech-press": {"keywords": NEWS_KEYWORDS, "sources": [{"name": "register", "kind": "feed", "url": "/cached.xml"}]},
    }


def test_a_fresh_source_is_left_alone_until_it_expires_and_force_ignores_that(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine  # type: ignore[no-untyped-def]
) -> None:
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, database_url, sources_with_ttl(replay), fetch={"host_interval": 0}))
    first = run_cycle(config, engine)
    assert {s.status for s in first.sources} == {"fetched"}
    with session_scope(engine) as session:
        states = {s.source_id: s for s in session.exec(select(SourceState))}
    assert lifetime(states["tier1-news/bbc-technology"]) == timedelta(minutes=15)
    assert lifetime(states["tech-press/register"]) == timedelta(hours=1)

    second = run_cycle(config, engine)

    until = states["tier1-news/bbc-technology"].next_check_at
    assert {s.source_id: s.message for s in second.sources}["tier1-news/bbc-technology"] == f"fresh until {until:%Y-%m-%d %H:%M} UTC"
    assert {s.status for s in second.sources} == {"skipped"}
    assert replay.requests == {"/feeds/bbc-technology.xml": 1, "/cached.xml": 1}
    forced = run_cycle(config, engine, force=True)  # no validators sent, freshness ignored: full bodies again
    assert {s.status for s in forced.sources} == {"fetched"}
    assert replay.requests == {"/feeds/bbc-technology.xml": 2, "/cached.xml": 2}


def test_a_304_keeps_the_ttl_its_feed_declared(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine  # type: ignore[no-untyped-def]
) -> None:
    streams = {"tier1-news": {"sources": [feed("bbc-technology", "bbc-technology.xml")]}}
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, database_url, streams, fetch={"host_interval": 0}))
    run_cycle(config, engine)
    with session_scope(engine) as session:  # twenty minutes pass: the 15-minute ttl has run out
        state = session.get(SourceState, "tier1-news/bbc-technology")
        assert state and state.last_success_at and state.next_check_at
        state.last_success_at -= timedelta(minutes=20)
        state.next_check_at -= timedelta(minutes=20)

    again = run_cycle(config, engine)

    assert [s.status for s in again.sources] == ["not_modified"]
    with session_scope(engine) as session:
        state = session.get(SourceState, "tier1-news/bbc-technology")
        assert state and state.last_status == 304 and lifetime(state) == timedelta(minutes=15)
