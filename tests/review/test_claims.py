"""Claims: a lease that expires and renews, one holder at a time (also when reviewers race, in
threads and in processes), and an audit row for every claim and release."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

import review
from review import LeaseError, StateError
from store import Cluster, QueueState, session_scope
from tests.review.builders import FIELDS, T0, add_cluster

ROOT = Path(__file__).resolve().parents[2]


def test_claim_renew_release_and_the_audit_of_each(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    with session_scope(engine) as session:
        first = review.claim(session, cluster_id, "alice", at=T0)
    assert (first.until, first.renewed) == (T0 + review.LEASE, False)
    with session_scope(engine) as session:
        again = review.claim(session, cluster_id, "alice", at=T0 + timedelta(minutes=20))
    assert again.renewed and again.until == T0 + timedelta(minutes=50)
    with session_scope(engine) as session:
        review.release(session, cluster_id, "alice", at=T0 + timedelta(minutes=25))
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None and cluster.claimed_by is None
        entries = review.audit_log(session, f"cluster:{cluster_id}")
    assert [(e.action, e.actor, e.reason) for e in entries] == [
        ("claim", "alice", None), ("claim", "alice", "renewed"), ("release", "alice", None)
    ]
    assert entries[0].before["claimed_by"] is None and entries[0].after["claimed_by"] == "alice"
    assert entries[2].before["claimed_by"] == "alice" and entries[2].after["claimed_by"] is None


def test_a_live_claim_keeps_others_out_until_it_expires(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    with session_scope(engine) as session:
        review.claim(session, cluster_id, "alice", at=T0)
    with pytest.raises(LeaseError, match=f"cluster {cluster_id} is claimed by alice until 2025-03-03 09:30 UTC"), session_scope(engine) as session:
        review.claim(session, cluster_id, "bob", at=T0 + timedelta(minutes=29))
    with pytest.raises(LeaseError, match="not claimed by bob"), session_scope(engine) as session:
        review.release(session, cluster_id, "bob")
    with session_scope(engine) as session:
        taken = review.claim(session, cluster_id, "bob", at=T0 + timedelta(minutes=31))
    assert taken.reviewer == "bob" and not taken.renewed
    # alice's lease is gone: she can no longer decide
    with pytest.raises(LeaseError, match="claimed by bob"), session_scope(engine) as session:
        review.verify(session, cluster_id, "alice", FIELDS, at=T0 + timedelta(minutes=32))


def test_an_expired_claim_must_be_renewed_before_deciding(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    with session_scope(engine) as session:
        review.claim(session, cluster_id, "alice", at=T0, lease=timedelta(minutes=5))
    with pytest.raises(LeaseError, match="your claim on cluster .* expired at 2025-03-03 09:05 UTC"), session_scope(engine) as session:
        review.reject(session, cluster_id, "alice", "unverified", at=T0 + timedelta(minutes=6))


def test_only_queue_items_can_be_claimed(engine: Engine) -> None:
    lead = add_cluster(engine, ["lead:https://example.org"], title="A lead")
    with session_scope(engine) as session:
        cluster = session.get(Cluster, lead)
        assert cluster is not None
        cluster.state = QueueState.LEAD
    with pytest.raises(StateError, match=f"cluster {lead} is lead: not in a review queue"), session_scope(engine) as session:
        review.claim(session, lead, "alice")
    with pytest.raises(review.NotFound, match="no cluster 999"), session_scope(engine) as session:
        review.claim(session, 999, "alice")


def test_racing_reviewers_in_threads_never_both_win(engine: Engine) -> None:
    clusters = [add_cluster(engine, ["bbc.co.uk", "theverge.com"], title=f"Race {n}") for n in range(8)]
    reviewers = ["alice", "bob", "carol", "dave"]
    won: dict[int, list[str]] = {c: [] for c in clusters}
    lock = threading.Lock()

    def race(reviewer: str, barrier: threading.Barrier) -> None:
        for cluster_id in clusters:
            barrier.wait()
            try:
                with session_scope(engine) as session:
                    review.claim(session, cluster_id, reviewer)
            except LeaseError:
                continue
            with lock:
                won[cluster_id].append(reviewer)

    barrier = threading.Barrier(len(reviewers))
    threads = [threading.Thread(target=race, args=(r, barrier)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(len(winners) == 1 for winners in won.values()), won
    with session_scope(engine) as session:
        holders = {c: session.get(Cluster, c).claimed_by for c in clusters}  # type: ignore[union-attr]
    assert holders == {c: winners[0] for c, winners in won.items()}


def start_workers(action: str, url: str, reviewers: list[str], clusters: list[int]) -> list[subprocess.Popen[str]]:
    """One process per reviewer, each ready and waiting; the caller says go."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.review.workers", action, url, reviewer, *map(str, clusters)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        for reviewer in reviewers
    ]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    return workers


def finish(workers: list[subprocess.Popen[str]]) -> list[dict[str, str]]:
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = []
    for worker in workers:
        out, _ = worker.communicate(timeout=180)
        assert worker.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_racing_reviewers_in_processes_never_both_win(engine: Engine, database_url: str) -> None:
    clusters = [add_cluster(engine, ["bbc.co.uk", "theverge.com"], title=f"Race {n}") for n in range(10)]
    results = finish(start_workers("claim", database_url, ["alice", "bob", "carol"], clusters))
    winners = {c: [r[str(c)] for r in results if str(c) in r] for c in clusters}
    assert all(len(w) == 1 for w in winners.values()), winners
