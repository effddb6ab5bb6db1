"""The per-client rate limit in the store: a sliding window, the wait until a slot frees, pruning,
and an exact count under concurrent attempts (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from store import repo, session_scope
from store.models import SubmissionAttempt

T0 = datetime(2024, 10, 23, 16, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def attempt(engine: Engine, client: str, at: datetime, limit: int = 3) -> float | None:
    with session_scope(engine) as session:
        return repo.take_submission_slot(session, client, at, limit, HOUR)


def attempts(engine: Engine) -> list[tuple[str, datetime]]:
    with session_scope(engine) as session:
        return [(a.client_hash, a.at) for a in session.exec(select(SubmissionAttempt).order_by(SubmissionAttempt.at))]  # type: ignore[arg-type]


def test_the_window_slides_and_says_when_a_slot_frees(engine: Engine) -> None:
    waits = [attempt(engine, "a", T0 + timedelta(minutes=m)) for m in (0, 10, 20, 30)]

    assert waits == [None, None, None, 30 * 60]  # the attempt at :00 leaves the window at 1:00
    assert attempt(engine, "b", T0 + timedelta(minutes=30)) is None  # clients are counted apart
    assert attempt(engine, "a", T0 + timedelta(minutes=60)) is None
    assert attempt(engine, "a", T0 + timedelta(minutes=61)) == 9 * 60


def test_expired_attempts_are_pruned(engine: Engine) -> None:
    attempt(engine, "a", T0)
    attempt(engine, "b", T0 + timedelta(minutes=5))
    attempt(engine, "c", T0 + 2 * HOUR)

    assert attempts(engine) == [("c", T0 + 2 * HOUR)]


def test_concurrent_attempts_never_exceed_the_limit(engine: Engine) -> None:
    results: list[float | None] = []
    start = threading.Barrier(12)

    def one() -> None:
        start.wait()
        results.append(attempt(engine, "burst", T0, limit=5))

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count(None) == 5
    assert len(attempts(engine)) == 5
