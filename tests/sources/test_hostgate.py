"""Per-host turns: two real processes polling one loopback host are spaced and never overlap (seen
from the server's side), a busy host or a long interval fails clearly instead of hanging, and the
lock files live in the data directory."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sources.fetch import Fetcher, FetchError, NoTurn
from sources.hostgate import HostBusy, HostGate, lock_name
from store import default_database_path
from tests.replay import ROBOTS, ReplayServer, Route, Visit
from tests.sources.test_fetch import FEED, policy

ROOT = Path(__file__).resolve().parents[2]
# One polling process: it loads everything, says so, waits for the word, then makes its requests.
POLLER = """
import sys
from sources.fetch import Fetcher, FetchPolicy
url, requests, interval, name = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
with Fetcher(FetchPolicy(user_agent=f"{name}/1", host_interval=interval)) as fetcher:
    print("ready", flush=True)
    sys.stdin.readline()
    for n in range(requests):
        fetcher.get(f"{url}?n={n}")
"""


@pytest.fixture(autouse=True)
def _no_earlier_visits(replay: ReplayServer) -> None:
    replay.clear_visits()


def poll_from_two_processes(url: str, requests: int, interval: float) -> None:
    """Start two pollers sharing this test's data directory (LPI_HOME) and let them go at once."""
    pollers = [
        subprocess.Popen(
            [sys.executable, "-c", POLLER, url, str(requests), str(interval), name],
            cwd=ROOT, env=os.environ.copy(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        for name in ("poller-a", "poller-b")
    ]
    try:
        for poller in pollers:
            assert poller.stdout is not None and poller.stdout.readline().strip() == "ready"
        for poller in pollers:
            assert poller.stdin is not None
            poller.stdin.write("go\n")
            poller.stdin.flush()
        for poller in pollers:
            assert poller.wait(60) == 0
    finally:
        for poller in pollers:
            if poller.poll() is None:
                poller.kill()


def in_order(visits: list[Visit]) -> list[Visit]:
    return sorted(visits, key=lambda visit: visit.arrived)


def test_two_processes_keep_the_interval_between_requests_to_one_host(replay: ReplayServer) -> None:
    replay.routes["/tick"] = Route(200, b"ok")

    poll_from_two_processes(replay.url("/tick"), requests=4, interval=0.3)

    visits = in_order([v for v in replay.visits if v.user_agent.startswith("poller-")])
    assert sorted(v.user_agent for v in visits) == ["poller-a/1"] * 5 + ["poller-b/1"] * 5  # robots.txt + 4 each
    gaps = [later.arrived - earlier.arrived for earlier, later in itertools.pairwise(visits)]
    assert min(gaps) >= 0.3 - 0.01, gaps  # 10 ms: the clocks of the client's record and the server's log
    lock = default_database_path().parent / "hosts" / "127.0.0.1.lock"
    assert abs(float(lock.read_text()) - visits[-1].arrived) < 0.1  # the last request's start, recorded


def test_two_processes_never_have_two_requests_open_at_one_host(replay: ReplayServer) -> None:
    replay.routes["/slow"] = Route(200, b"x" * 100, chunks=4, chunk_delay=0.1)  # 0.3 s per answer

    poll_from_two_processes(replay.url("/slow"), requests=3, interval=0)

    visits = in_order([v for v in replay.visits if v.path == "/slow" and v.user_agent.startswith("poller-")])
    assert len(visits) == 6
    left = [visit.left for visit in visits[:-1]]  # each answered before the next arrived, so all were noted
    assert all(end and end - visit.arrived >= 0.29 for visit, end in zip(visits, left))
    assert all(later.arrived >= end - 0.005 for end, later in zip(left, visits[1:]) if end)


def test_a_host_held_longer_than_the_wait_allowed_fails_the_request(tmp_path: Path) -> None:
    holder, waiter = HostGate(tmp_path, wait=5), HostGate(tmp_path, wait=0.3)

    with holder.turn("example.org", 0):
        started = time.monotonic()
        with (
            pytest.raises(HostBusy, match=r"no turn at example.org within 0.3s: example.org stayed busy"),
            waiter.turn("example.org", 0),
        ):
            pass
        assert 0.3 <= time.monotonic() - started < 0.6
        with waiter.turn("other.example.org", 0):  # other hosts are not held up
            pass


def test_an_interval_longer_than_the_wait_fails_at_once(tmp_path: Path) -> None:
    gate = HostGate(tmp_path, wait=1)
    with gate.turn("example.org", 0):
        pass
    started = time.monotonic()

    with (
        pytest.raises(HostBusy, match=r"example.org asks for 3600s between requests; the next turn is 3600s away"),
        gate.turn("example.org", 3600),
    ):
        pass

    assert time.monotonic() - started < 0.2


def test_a_start_recorded_in_the_future_costs_one_interval(tmp_path: Path) -> None:
    (tmp_path / "example.org.lock").write_text(f"{time.time() + 3600}\n")  # the clock was set back
    gate = HostGate(tmp_path, wait=5)
    started = time.monotonic()

    with gate.turn("example.org", 0.3):
        pass

    assert 0.3 <= time.monotonic() - started < 1


def test_the_fetcher_reports_a_busy_host_without_blaming_its_robots_txt(replay: ReplayServer) -> None:
    gate = HostGate(default_database_path().parent / "hosts", wait=1)

    with Fetcher(policy(host_wait=0.2)) as fetcher:
        with gate.turn("127.0.0.1", 0), pytest.raises(NoTurn, match="no turn at 127.0.0.1 within 0.2s"):
            fetcher.get(replay.url(FEED))
        assert fetcher.get(replay.url(FEED)).status == 200  # robots.txt was read now, not judged unreachable

    assert [v.path for v in replay.visits] == [ROBOTS, FEED]


def test_lock_names_stay_inside_the_folder() -> None:
    assert lock_name("Feeds.Example.ORG") == "feeds.example.org"
    assert lock_name("::1") == "__1" and lock_name("../../etc") == ".._.._etc"
    assert issubclass(NoTurn, FetchError)
