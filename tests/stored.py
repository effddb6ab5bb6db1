"""What an intake database holds, by content rather than by id (ids differ between databases), read
through a plain engine that never takes the pipeline's locks: to compare a database with another
one, or with itself later."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy
from sqlalchemy import Engine, text


@dataclass(frozen=True)
class Stored:
    keys: Counter[str]  # candidate key → rows
    payloads: Counter[tuple[str, str]]  # (source, sha256) → raw payload rows
    clusters_per_candidate: Counter[int]  # how many clusters a candidate is in → candidates
    empty_clusters: int
    clusters: dict[frozenset[str], tuple[int, str]]  # member keys → (independent count, state)


def stored(observer: Engine) -> Stored:
    with observer.connect() as db:
        keys = Counter(db.scalars(text("SELECT key FROM candidate")))
        payloads = Counter((s, h) for s, h in db.execute(text("SELECT source_id, sha256 FROM raw_payload")))
        memberships = Counter(db.scalars(text(
            "SELECT count(m.cluster_id) FROM candidate c LEFT JOIN cluster_member m ON m.candidate_id = c.id GROUP BY c.id"
        )))
        empty = db.scalar(text("SELECT count(*) FROM cluster WHERE id NOT IN (SELECT cluster_id FROM cluster_member)"))
        members: dict[int, set[str]] = {}
        for cluster_id, key in db.execute(text(
            "SELECT m.cluster_id, c.key FROM cluster_member m JOIN candidate c ON c.id = m.candidate_id"
        )):
            members.setdefault(cluster_id, set()).add(key)
        facts = {i: (n, s) for i, n, s in db.execute(text("SELECT id, independent_count, state FROM cluster"))}
    return Stored(keys, payloads, memberships, int(empty or 0), {frozenset(k): facts[i] for i, k in members.items()})


def stored_at(url: str) -> Stored:
    observer = sqlalchemy.create_engine(url)
    try:
        return stored(observer)
    finally:
        observer.dispose()


def row_count(observer: Engine, table: str) -> int:
    with observer.connect() as db:
        return int(db.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
