"""Stores for the matching speed benchmark: a synthetic history written in bulk, clustered as
matching would have clustered it, cached, and restored before every timed run.

The rows go in with multi-row INSERTs, never through the matcher: a million hits would take hours
that way. Each story's hits form one cluster (a lead joins the cluster of the article it submits),
counted as dedup.independence would count it when the text says no more than who published it
(wire copies count once, as their agency; leads and posts count zero); older promoted clusters
were verified or rejected by a reviewer, and a few were told apart from another ("not the same").
A SQLite store is a file copied for each run; a PostgreSQL store is a template database.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Table, create_engine, text
from sqlalchemy.engine import make_url

from bench.synthetic_intake import T0, Arrival, History, arrival, candidate_row, history
from dedup import MatchSettings
from dedup.independence import ZERO_WEIGHT_REASONS
from lpi.matching import index_store
from store import (
    Candidate,
    Cluster,
    ClusterMember,
    QueueState,
    ReviewerDecision,
    open_engine,
)
from store.migrate import MIGRATIONS, head_revision

CHUNK = 5_000  # rows per INSERT batch
REVIEWED_AFTER = timedelta(
    days=14
)  # promoted clusters older than this have had a reviewer's decision
VERIFIED_SHARE = (
    0.6  # of reviewed clusters; the methodology expects about 40 % to be dropped
)
NOT_SAME_EVERY = (
    200  # one promoted cluster in this many was told apart from the one before it
)
WIRE_ORIGIN = "apnews.com"
# Bump when what a store holds changes (the generator's output or the fill): cached stores rebuild.
DATA_VERSION = 5


def version(stored: int, new: int, per_day: float, seed: int) -> str:
    """What a cached store was built from: the data version, its parameters and the schema (the
    migrations' text, so an edited migration rebuilds too)."""
    schema = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(MIGRATIONS.glob("versions/*.py")))).hexdigest()
    key = f"{DATA_VERSION}/{stored}/{new}/{per_day}/{seed}/{head_revision()}/{schema}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class Store(Protocol):
    """A cached history and the database a timed run works on."""

    run_url: str

    def exists(self) -> bool: ...

    def build(self, h: History) -> None: ...

    def restore(self) -> None:
        """Make the run database the cached history again."""
        ...

    def discard(self) -> None:
        """Remove the run database (the cached history stays)."""
        ...


@dataclass
class SqliteStore:
    cache: Path  # the built history
    run_url: str = field(init=False)

    def __post_init__(self) -> None:
        # a run copy of its own per process: two benches may share a cache
        self._run = self.cache.with_name(f"run{os.getpid()}-{self.cache.name}")
        self.run_url = f"sqlite:///{self._run}"

    def exists(self) -> bool:
        return self.cache.exists()

    def build(self, h: History) -> None:
        building = self.cache.with_suffix(".building")
        _remove_sqlite(building)
        engine = open_engine(f"sqlite:///{building}")
        fill(engine, h)
        engine.dispose()  # the last connection to close checkpoints the WAL into the file
        prefix = self.cache.name.rsplit("-", 1)[0]
        for stale in [
            *self.cache.parent.glob(f"{prefix}-*.db"),
            *self.cache.parent.glob(f"run*-{prefix}-*.db"),
        ]:
            _remove_sqlite(stale)  # other versions of this size, and their run copies
        building.rename(self.cache)
        _remove_sqlite(building)  # what opening it left beside it

    def restore(self) -> None:
        self.discard()
        shutil.copyfile(self.cache, self._run)
        with self._run.open("rb+") as copy:  # on disk before the run: a stored database is at rest, and
            os.fsync(copy.fileno())  # writing back a fresh copy is no part of a run (its checkpoints would wait on it)

    def discard(self) -> None:
        _remove_sqlite(self._run)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".migrate-lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@dataclass
class PostgresStore:
    server_url: str  # any database on the server: templates and run databases are made beside it
    template: str
    run_url: str = field(init=False)

    def __post_init__(self) -> None:
        self._run = f"{self.template.rsplit('_', 1)[0]}_run{os.getpid()}"
        self.run_url = (
            make_url(self.server_url)
            .set(database=self._run)
            .render_as_string(hide_password=False)
        )

    def _admin(self) -> Engine:
        return create_engine(self.server_url, isolation_level="AUTOCOMMIT")

    def exists(self) -> bool:
        admin = self._admin()
        with admin.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": self.template},
            ).first()
        admin.dispose()
        return found is not None

    def build(self, h: History) -> None:
        prefix = self.template.rsplit("_", 1)[0]
        building = f"{self.template}_building"
        admin = self._admin()
        with admin.connect() as connection:
            stale = connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": f"{prefix}_%"},
            )
            for (name,) in list(stale):
                connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            # built under another name, renamed when whole: a build cut short is never taken for a store
            connection.exec_driver_sql(f'CREATE DATABASE "{building}"')
        url = (
            make_url(self.server_url)
            .set(database=building)
            .render_as_string(hide_password=False)
        )
        engine = open_engine(url)
        fill(engine, h)
        with engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            for table in ("candidate", "cluster", "reviewer_decision"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            connection.exec_driver_sql(
                "VACUUM ANALYZE"
            )  # what autovacuum does to a store that grew
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{building}" RENAME TO "{self.template}"')
        admin.dispose()

    def restore(self) -> None:
        self.discard()
        self._admin_sql(f'CREATE DATABASE "{self._run}" TEMPLATE "{self.template}"')

    def discard(self) -> None:
        self._admin_sql(f'DROP DATABASE IF EXISTS "{self._run}" WITH (FORCE)')

    def _admin_sql(self, statement: str) -> None:
        admin = self._admin()
        with admin.connect() as connection:
            connection.exec_driver_sql(statement)
        admin.dispose()


def store_for(
    backend: str, cache_dir: Path, server_url: str, name: str, digest: str
) -> Store:
    """``name``: the SQLite file's, or the PostgreSQL databases' (template and run) prefix."""
    if backend == "sqlite":
        return SqliteStore(cache_dir / f"sqlite-{name}-{digest}.db")
    return PostgresStore(server_url, f"lpi_bench_{name}_{digest}")


def cached(
    backends: list[str],
    stored: int,
    new: int,
    per_day: float,
    seed: int,
    cache_dir: Path,
    server_url: str,
    name: str = "",
) -> tuple[dict[str, Store], list[Arrival]]:
    """The stores holding ``stored`` candidates (built unless cached) and the ``new``
    arrivals after them. ``name`` (default: the size) keeps apart stores built beside others."""
    digest = version(stored, new, per_day, seed)
    cache_dir.mkdir(parents=True, exist_ok=True)
    name = name or str(stored)
    stores = {
        backend: store_for(backend, cache_dir, server_url, name, digest)
        for backend in backends
    }
    arrivals_file = cache_dir / f"arrivals-{name}-{digest}.pickle"
    missing = [backend for backend, store in stores.items() if not store.exists()]
    if missing or not arrivals_file.exists():
        began = time.perf_counter()
        h = history(stored, new, per_day, seed)
        for backend in missing:
            print(
                f"building the {backend} store of {stored:,} candidates ...",
                file=sys.stderr,
                flush=True,
            )
            stores[backend].build(h)
        for stale in cache_dir.glob(f"arrivals-{name}-*.pickle"):
            stale.unlink()
        arrivals_file.write_bytes(
            pickle.dumps(
                [arrival(h, index) for index in range(h.stored, len(h.reports))]
            )
        )
        print(
            f"  built in {time.perf_counter() - began:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    arrivals: list[Arrival] = pickle.loads(arrivals_file.read_bytes())
    gold_file = cache_dir / f"gold-{name}-{digest}.pickle"
    if not gold_file.exists():
        h = history(stored, new, per_day, seed)
        for stale in cache_dir.glob(f"gold-{name}-*.pickle"):
            stale.unlink()
        gold_file.write_bytes(pickle.dumps([h.cluster_of(index) for index in range(h.stored, len(h.reports))]))
    gold: list[tuple[int, str]] = pickle.loads(gold_file.read_bytes())
    return stores, [replace(a, story=story) for a, story in zip(arrivals, gold, strict=True)]


@dataclass
class _Cluster:
    """One story's cluster as its members arrive."""

    id: int
    title: str
    first_seen: datetime
    last_seen: datetime
    origins: dict[str, list[int]] = field(default_factory=dict)
    zero: list[dict[str, Any]] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    promoted_at: datetime | None = None
    aiid_id: str | None = None

    def add(self, row: dict[str, Any], wire: bool) -> None:
        self.members.append(row["id"])
        seen = row["published_at"]
        self.first_seen, self.last_seen = (
            min(self.first_seen, seen),
            max(self.last_seen, seen),
        )
        self.aiid_id = self.aiid_id or next(
            iter(row["entities"].get("aiid_ids", [])), None
        )
        if row["role"] in ZERO_WEIGHT_REASONS:
            self.zero.append(
                {"candidate": row["id"], "reason": ZERO_WEIGHT_REASONS[row["role"]]}
            )
            return
        self.origins.setdefault(WIRE_ORIGIN if wire else row["publisher"], []).append(
            row["id"]
        )
        if len(self.origins) == 2 and self.promoted_at is None:
            self.promoted_at = row["fetched_at"]


def fill(engine: Engine, h: History) -> None:
    """Write the history's stored part: candidates, their clusters, memberships, reviewer decisions;
    then index it as matching's first run on an upgraded store would (the features it keeps)."""
    clusters: dict[tuple[int, str], _Cluster] = {}
    members: list[
        tuple[int, int, float, float]
    ] = []  # candidate, cluster, score, seconds after T0
    rng = Random(h.seed)
    with engine.begin() as connection:
        for chunk in _chunks(range(h.stored)):
            rows = []
            for index in chunk:
                row = candidate_row(h, index)
                key = h.cluster_of(index)
                cluster = clusters.get(key)
                if cluster is None:
                    seen = row["published_at"]
                    cluster = clusters[key] = _Cluster(
                        len(clusters) + 1, row["title"], seen, seen
                    )
                    score = 1.0
                else:
                    score = (
                        1.0
                        if index in h.links
                        else min(0.98, 0.42 + rng.expovariate(6.0))
                    )
                cluster.add(row, h.reports[index].wire)
                joined = h.reports[index].at + rng.uniform(
                    60, 1800
                )  # matched by the next cycle
                members.append((row["id"], cluster.id, score, joined))
                rows.append(row)
            _insert(connection, Candidate, rows)
        ordered = sorted(clusters.values(), key=lambda c: c.id)
        for cluster_chunk in _chunks(ordered):
            _insert(connection, Cluster, [_cluster_row(c) for c in cluster_chunk])
        for member_chunk in _chunks(members):
            _insert(connection, ClusterMember, [_member_row(*m) for m in member_chunk])
        _insert(connection, ReviewerDecision, list(_decisions(ordered, rng)))
    started = time.perf_counter()
    indexed = index_store(engine, MatchSettings())
    print(f"  indexed {indexed} candidates in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(connection: Connection, model: type, rows: list[dict[str, Any]]) -> None:
    if rows:
        table: Table = model.__table__  # type: ignore[attr-defined]
        connection.execute(table.insert(), rows)


def _reviewed(cluster: _Cluster) -> str | None:
    """ "verify" or "reject" for a promoted cluster old enough to have been reviewed, else None."""
    if cluster.promoted_at is None or cluster.promoted_at > T0 - REVIEWED_AFTER:
        return None
    return "verify" if Random(cluster.id).random() < VERIFIED_SHARE else "reject"


def _cluster_row(cluster: _Cluster) -> dict[str, Any]:
    count = len(cluster.origins)
    state = (
        QueueState.PROMOTED
        if count >= 2
        else QueueState.WATCHED
        if count == 1
        else QueueState.LEAD
    )
    reviewed = _reviewed(cluster)
    if reviewed:
        state = QueueState.VERIFIED if reviewed == "verify" else QueueState.REJECTED
    explanation = {
        "independent": count,
        "origins": [
            {"origin": origin, "candidates": ids}
            for origin, ids in cluster.origins.items()
        ],
        "collapsed": [],
        "zero": cluster.zero,
        "near_threshold": [],
    }
    return {
        "id": cluster.id,
        "title": cluster.title,
        "state": state,
        "independent_count": count,
        "explanation": explanation,
        "first_seen_at": cluster.first_seen,
        "last_seen_at": cluster.last_seen,
        "promoted_at": cluster.promoted_at,
        "aiid_id": cluster.aiid_id,
    }


def _member_row(
    candidate: int, cluster: int, score: float, joined: float
) -> dict[str, Any]:
    return {
        "candidate_id": candidate,
        "cluster_id": cluster,
        "score": score,
        "added_by": "auto",
        "added_at": T0 + timedelta(seconds=joined),
    }


def _decisions(clusters: list[_Cluster], rng: Random) -> Iterator[dict[str, Any]]:
    """A verify or reject for every reviewed cluster; now and then a "not the same" between two."""
    previous: _Cluster | None = None
    for cluster in clusters:
        if cluster.promoted_at is None:
            continue
        reviewed = _reviewed(cluster)
        at = cluster.promoted_at + timedelta(days=rng.uniform(1, 10))
        if reviewed:
            yield _decision(
                reviewed,
                cluster,
                None,
                at,
                reason=None if reviewed == "verify" else "out of scope",
            )
        if previous is not None and cluster.id % NOT_SAME_EVERY == 0:
            yield _decision("not_same", cluster, previous, at)
        previous = cluster


def _decision(
    kind: str,
    cluster: _Cluster,
    other: _Cluster | None,
    at: datetime,
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "cluster_id": cluster.id,
        "other_cluster_id": other.id if other else None,
        "candidate_ids": cluster.members,
        "other_candidate_ids": other.members if other else [],
        "reason": reason,
        "note": None,
        "reviewer": "reviewer-1",
        "created_at": at,
    }
