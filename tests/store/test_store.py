"""The store on SQLite and PostgreSQL: migrations at head, content-addressed raw archive, and
candidate inserts that stay idempotent under concurrent writers."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from store import Blob, Candidate, RawPayload, repo, session_scope
from store.migrate import current_revision, head_revision, upgrade

FETCHED = datetime(2024, 2, 16, 18, 0, tzinfo=UTC)
BODY = b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>" * 20


def rows(engine: Engine, table: type) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def archive(engine: Engine, body: bytes, source_id: str = "tech-press/ars-technica") -> str:
    with session_scope(engine) as session:
        return repo.archive_payload(
            session, source_id=source_id, stream="tech-press", url="https://feeds.example/rss",
            final_url="https://feeds.example/rss.xml", redirects=["https://feeds.example/rss"], status=200,
            headers={"content-type": "application/rss+xml", "etag": '"abc"'}, body=body, fetched_at=FETCHED,
        )


def candidate(n: int) -> Candidate:
    url = f"https://example.com/story/{n}"
    return Candidate(
        key=url, stream="tech-press", source_id="tech-press/example", role="confirming", url=url, original_url=url,
        publisher="example.com", title=f"Story {n}", published_at=FETCHED, fetched_at=FETCHED,
        fingerprint=f"fp{n}", raw_sha256="0" * 64,
    )


def insert(engine: Engine, candidates: Sequence[Candidate]) -> list[int]:
    with session_scope(engine) as session:
        return repo.insert_new_candidates(session, candidates)


def test_schema_is_at_head_after_open(engine: Engine) -> None:
    head = head_revision()

    assert head is not None and current_revision(engine) == head


def test_upgrading_again_does_nothing(engine: Engine) -> None:
    assert upgrade(engine) is False
    assert current_revision(engine) == head_revision()


def test_archiving_the_same_body_twice_stores_it_once_and_reads_back(engine: Engine) -> None:
    first, second = archive(engine, BODY), archive(engine, BODY)

    assert first == second == hashlib.sha256(BODY).hexdigest()
    assert rows(engine, Blob) == 1 and rows(engine, RawPayload) == 1
    with session_scope(engine) as session:
        assert repo.read_blob(session, first) == BODY
        payload = session.exec(select(RawPayload)).one()
        assert payload.redirects == ["https://feeds.example/rss"] and payload.content_type == "application/rss+xml"
        assert session.get(Blob, first).size == len(BODY)


def test_same_body_from_another_source_shares_the_blob(engine: Engine) -> None:
    archive(engine, BODY)
    archive(engine, BODY, source_id="tech-press/mirror")
    archive(engine, BODY + b"<!-- changed -->")

    assert rows(engine, Blob) == 2 and rows(engine, RawPayload) == 3


def test_reading_an_unknown_blob_raises_key_error(engine: Engine) -> None:
    with session_scope(engine) as session, pytest.raises(KeyError):
        repo.read_blob(session, "f" * 64)


def test_insert_new_candidates_skips_existing_keys(engine: Engine) -> None:
    first = insert(engine, [candidate(1), candidate(2)])

    again = insert(engine, [candidate(2), candidate(3), candidate(1)])

    assert len(first) == 2 and len(again) == 1
    with session_scope(engine) as session:
        assert session.get(Candidate, again[0]).key == "https://example.com/story/3"
    assert rows(engine, Candidate) == 3


def concurrently(engine: Engine, batches: list[list[Candidate]]) -> tuple[list[list[int]], list[BaseException]]:
    barrier = threading.Barrier(len(batches))
    results: list[list[int]] = [[] for _ in batches]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        barrier.wait()
        try:
            results[i] = insert(engine, batches[i])
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_concurrent_writers_of_the_same_candidates_leave_no_duplicate(engine: Engine) -> None:
    results, errors = concurrently(engine, [[candidate(n) for n in range(100)] for _ in range(2)])

    assert errors == []
    assert sorted(results[0] + results[1]) == sorted(set(results[0] + results[1]))  # each row claimed once
    assert len(results[0] + results[1]) == 100 and rows(engine, Candidate) == 100


def test_concurrent_writers_in_opposite_order_leave_no_duplicate(engine: Engine) -> None:
    results, errors = concurrently(engine, [[candidate(n) for n in range(300)], [candidate(n) for n in reversed(range(300))]])

    assert errors == []
    assert len(results[0] + results[1]) == 300 and rows(engine, Candidate) == 300
