"""Nothing lost, nothing doubled: a real ``lpi run`` killed with SIGKILL at a chosen moment, then
run again to completion, stores what one clean cycle stores, each hit once and each candidate in
one cluster; two cycles started together on one database do the same and both finish cleanly."""

from __future__ import annotations

import copy
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import sqlalchemy
from sqlalchemy import Engine

from store import SourceState, open_engine, repo, session_scope
from tests.conftest import INTAKE_STREAMS, PAYLOADS
from tests.conftest import write_config as configure
from tests.replay import ReplayServer, Route
from tests.stored import Stored, row_count, stored_at

STALLED = "/stalled-mirror.xml"  # answers one byte at a time: holds the cycle at a known point
BULK = "/bulk-news.xml"  # enough on-topic stories that matching them takes seconds
QUIET = "/quiet.xml"  # a valid feed with no entries: its source's state is all its ingest writes
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
PROJECT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 60.0


def bulk_feed(count: int) -> bytes:
    """An RSS feed of ``count`` distinct chatbot stories from four outlets, 13 minutes apart."""
    pick = random.Random(count).choice
    vendors = ["ChatGPT", "Claude", "Gemini", "Llama", "Mistral", "Grok", "Copilot"]
    deployers = ["bank", "airline", "hospital", "court", "retailer", "school", "insurer", "city council", "law firm"]
    harms = ["leaked customer records", "invented a refund policy", "gave dangerous medical advice",
             "fabricated case citations", "exposed private chats", "misquoted prices", "defamed a politician"]
    places = ["Ohio", "Berlin", "Toronto", "Lyon", "Osaka", "Lagos", "Lima", "Oslo", "Perth", "Delhi"]
    outlets = ["dailyledger.example", "metroherald.example", "techwire.example", "courtwatch.example"]
    start = datetime(2024, 6, 1, tzinfo=UTC)
    items = []
    for number in range(count):
        title = escape(f"{pick(vendors)} chatbot at a {pick(deployers)} in {pick(places)} {pick(harms)}")
        published = format_datetime(start + timedelta(minutes=13 * number), usegmt=True)
        items.append(
            f"<item><title>{title}</title><link>https://{pick(outlets)}/story/{number}</link>"
            f"<pubDate>{published}</pubDate><description>{title}; staff say the system is under review"
            f" (report {number}).</description></item>"
        )
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bulk news</title>'
            f"<link>https://bulk.example/</link>{''.join(items)}</channel></rss>").encode()


def streams_with(stream: str, sources: list[dict[str, Any]], position: int) -> dict[str, Any]:
    """The foundation's four streams with ``sources`` inserted into ``stream`` at ``position``."""
    streams = copy.deepcopy(INTAKE_STREAMS)
    streams[stream]["sources"][position:position] = sources
    return streams


@pytest.fixture
def mirror() -> Iterator[ReplayServer]:
    """A second site (its own loopback address): its stalled answer holds no turn at the first."""
    server = ReplayServer(PAYLOADS, host="127.0.0.2").start()
    yield server
    server.stop()


# --- comparing databases -----------------------------------------------------------------------


def assert_each_hit_once(after: Stored, reference: Stored) -> None:
    """Every hit the clean cycle stored is stored, once; every candidate is in exactly one cluster,
    and the clusters (as sets of hits) and their counts are the clean cycle's."""
    assert set(after.keys) == set(reference.keys) and set(after.keys.values()) == {1}
    assert set(after.payloads) == set(reference.payloads) and set(after.payloads.values()) == {1}
    assert after.clusters_per_candidate == Counter({1: len(reference.keys)})
    assert after.empty_clusters == 0
    assert after.clusters == reference.clusters


def reference_run(tmp_path: Path, replay: ReplayServer, streams: dict[str, Any]) -> Stored:
    """One uninterrupted cycle into a database of its own: what must end up stored."""
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    finish(start_cycle(configure(tmp_path / "reference.yaml", replay, url, streams)))
    return stored_at(url)


# --- the cycle as a real process ----------------------------------------------------------------


def start_cycle(config: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "lpi.cli", "run", "--plain", "--json", "--config", str(config)]
    return subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> tuple[dict[str, Any], str]:
    """Wait for a cycle; return its JSON summary and its log (stderr). A failed cycle fails the test."""
    out, err = process.communicate(timeout=240)
    assert process.returncode == 0, err
    return json.loads(out), err


def kill_when(process: subprocess.Popen[str], reached: Callable[[], bool]) -> None:
    """SIGKILL the cycle as soon as ``reached()``; fail if it ends on its own or never gets there."""
    give_up = time.monotonic() + WAIT_SECONDS
    while not reached():
        assert process.poll() is None, f"the cycle ended before the moment to kill it: {process.communicate()}"
        assert time.monotonic() < give_up, "the cycle never reached the moment to kill it"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def lock_errors(summary: dict[str, Any], log: str) -> list[str]:
    """Lines of a cycle's log and per-source messages that name a lock or serialization failure."""
    said = [log, *(s["message"] for s in summary["sources"]), *(w for s in summary["sources"] for w in s["warnings"])]
    lines = "\n".join(said).lower().splitlines()
    return [line for line in lines if any(word in line for word in ("locked", "deadlock", "could not serialize"))]


# --- the moments to kill at ---------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """Where the extra source goes, how the test sees the moment arrive, and what the killed cycle
    must have left behind for the kill to have landed there."""

    extra: str  # "stalled" (the mirror's stalled feed) or "bulk" (1,500 stories)
    stream: str
    position: int
    reached: Callable[[ReplayServer, Engine, int], bool]  # (mirror, observer, sources configured)
    landed: Callable[[Engine, int], bool]  # (observer, sources configured)


MOMENTS = {
    # The stalled mirror is polled first: polls are in flight, nothing is ingested yet.
    "polling": Moment(
        "stalled", "tier1-news", 0,
        lambda mirror, _observer, _sources: mirror.requests[STALLED] >= 1,
        lambda observer, _sources: row_count(observer, "source_state") == row_count(observer, "candidate") == 0,
    ),
    # The stalled mirror comes after the three news sources: those are ingested, the rest wait.
    "between-ingests": Moment(
        "stalled", "tech-press", 0,
        lambda _mirror, observer, _sources: row_count(observer, "source_state") >= 1,
        lambda observer, sources: 1 <= row_count(observer, "source_state") < sources
        and row_count(observer, "cluster") == 0,
    ),
    # Every source is ingested, so the matcher is at work on 1,500 stories with its transaction open.
    "matching": Moment(
        "bulk", "tech-press", 0,
        lambda _mirror, observer, sources: row_count(observer, "source_state") == sources,
        lambda observer, _sources: row_count(observer, "candidate") > 1500 and row_count(observer, "cluster") == 0,
    ),
}


def serve_extra(extra: str, replay: ReplayServer, mirror: ReplayServer) -> dict[str, Any]:
    """Serve a moment's extra source; return its configuration entry."""
    if extra == "bulk":
        replay.routes[BULK] = Route(200, bulk_feed(1500), RSS)
        return {"name": "bulk-news", "kind": "feed", "url": BULK}
    mirror.routes[STALLED] = Route(200, b" ", RSS, chunk_delay=0.05, chunks=400)  # 20 s for 400 bytes
    return {"name": "stalled-mirror", "kind": "feed", "url": mirror.url(STALLED)}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_cycle_killed_mid_run_and_run_again_loses_and_doubles_nothing(
    moment: str, tmp_path: Path, replay: ReplayServer, mirror: ReplayServer, database_url: str
) -> None:
    when = MOMENTS[moment]
    streams = streams_with(when.stream, [serve_extra(when.extra, replay, mirror)], when.position)
    sources = sum(len(body["sources"]) for body in streams.values())
    config = configure(tmp_path / "lpi.yaml", replay, database_url, streams)
    open_engine(database_url).dispose()  # the schema exists before the test watches the tables
    observer = sqlalchemy.create_engine(database_url)  # reads only: never waits for the cycle's locks
    try:
        kill_when(start_cycle(config), lambda: when.reached(mirror, observer, sources))
        assert when.landed(observer, sources), f"the kill did not land during {moment}"
    finally:
        observer.dispose()

    if STALLED in mirror.routes:
        mirror.routes[STALLED] = Route(200, b" ", RSS)  # the mirror answers at once now (still not a feed)
    summary, log = finish(start_cycle(config))

    assert lock_errors(summary, log) == []
    assert_each_hit_once(stored_at(database_url), reference_run(tmp_path, replay, streams))


def test_two_cycles_started_together_store_each_hit_once_and_both_finish(
    tmp_path: Path, replay: ReplayServer, database_url: str
) -> None:
    """Forty quiet sources (no entries: a first state is all they write) make both cycles save the
    same new source's state at nearly the same moment, which must not fail either of them."""
    quiet = [{"name": f"quiet-{n}", "kind": "feed", "url": QUIET} for n in range(40)]
    streams = streams_with("tech-press", [{"name": "bulk-news", "kind": "feed", "url": BULK}, *quiet], 0)
    replay.routes[BULK] = Route(200, bulk_feed(300), RSS)
    replay.routes[QUIET] = Route(200, b'<rss version="2.0"><channel><title>Nothing new</title></channel></rss>', RSS)
    config = configure(tmp_path / "lpi.yaml", replay, database_url, streams)
    open_engine(database_url).dispose()  # migrated already, so that neither waits for the other to migrate

    cycles = [start_cycle(config), start_cycle(config)]
    results = [finish(cycle) for cycle in cycles]

    reference = reference_run(tmp_path, replay, streams)
    for summary, log in results:
        assert lock_errors(summary, log) == []
        assert [s for s in summary["sources"] if s["status"] == "error"] == []
    first, second = sorted((summary["started_at"], summary["finished_at"]) for summary, _ in results)
    assert second[0] < first[1], "the two cycles did not overlap"
    assert sum(s["new_hits"] for summary, _ in results for s in summary["sources"]) == len(reference.keys)
    assert sum(summary["match"]["new_clusters"] for summary, _ in results) == len(reference.clusters)
    assert_each_hit_once(stored_at(database_url), reference)


def test_two_writers_saving_a_new_source_state_at_once_both_succeed(engine: Engine) -> None:
    """The race the quiet sources provoke, made certain: the second writer reaches the row while the
    first one's insert is not committed yet; it waits, then updates instead of failing."""
    def state(etag: str) -> SourceState:
        return SourceState(source_id="tech-press/new", stream="tech-press", url="https://example.com/feed", etag=etag)

    def save_alone(saved: SourceState) -> None:
        with session_scope(engine) as session:
            repo.save_source_state(session, saved)

    with ThreadPoolExecutor(max_workers=1) as other_writer:
        with session_scope(engine) as session:
            repo.save_source_state(session, state('"first"'))
            session.flush()
            second = other_writer.submit(save_alone, state('"second"'))
            with pytest.raises(TimeoutError):  # waiting for this transaction: the row (PostgreSQL) or the database (SQLite)
                second.result(timeout=1.0)
        second.result(timeout=30)
    with session_scope(engine) as session:
        assert session.get(SourceState, "tech-press/new").etag == '"second"'  # type: ignore[union-attr]
