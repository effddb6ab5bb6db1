"""Matching speed: hits per second to normalize, store and match 1,000 new hits into stores already
holding 10k, 100k and 1M clustered candidates, on SQLite and on PostgreSQL.

    python bench/match_speed.py [--sizes 10k,100k,1m] [--backends sqlite,postgresql] [--runs 3]
        [--new 1000] [--per-day 400] [--database-url URL] [--cache-dir DIR] [--profile N]
        [--explain]

The stores hold a synthetic history (bench/synthetic_intake.py: incident stories reported by several
outlets over days, at a constant rate, so a bigger store is a longer history) written in bulk and
clustered as matching would have (bench/speed_store.py). They are cached under --cache-dir
($LPI_BENCH_DIR, else /tmp/lpi-bench) as SQLite files and PostgreSQL template databases (beside
--database-url), rebuilt when speed_store.DATA_VERSION or the schema changes. Each run restores the store, then times the next ``--new`` arrivals:
dedup.normalize of the parsed hits, storing them (one transaction per source, as ingest does), and
lpi.pipeline.match_and_promote, split into loading (up to the matcher's call), matching (the call)
and writing (placements, recounts, commit). Reported: the median run per backend and size.
--profile prints where one more matching run spends its time, --explain the plan of each statement
it issues (bench/query_plans.py).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, bindparam, text

import lpi.matching
import lpi.pipeline
from bench import query_plans
from bench.query_plans import Plan
from bench.speed_store import Store, cached
from bench.synthetic_intake import Arrival
from dedup import KnownCluster, MatchSettings, normalize, place
from dedup.quality import Scores, bcubed
from dedup.similarity import wording
from dedup.syndication import shingle_lanes as syndication_lanes
from dedup.urls import canonical_url
from store import Candidate, open_engine, repo, session_scope

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RAW_SHA = "0" * 64  # the raw payload is not what is timed here


@dataclass(frozen=True)
class Timing:
    """One run: seconds per step, and what matching worked with and did."""

    normalize: float
    store: float
    load: float
    match: float
    write: float
    compared: int  # stored hits the matcher compared the new ones with (clusters sharing a rare term or a URL)
    joined: int  # new hits that joined a stored cluster
    founded: int  # clusters the new hits opened
    quality: Scores  # B-cubed of the new hits' clusters against their stories

    @property
    def total(self) -> float:
        return self.normalize + self.store + self.load + self.match + self.write

    @property
    def precision(self) -> float:
        return self.quality.precision

    @property
    def recall(self) -> float:
        return self.quality.recall


@dataclass(frozen=True)
class Result:
    backend: str
    stored: int
    new: int
    runs: list[Timing]

    def median(self, name: str) -> float:
        return float(statistics.median(getattr(run, name) for run in self.runs))


class _MatcherClock:
    """Times the matcher's call inside match_and_promote: the real one, wrapped, not replaced."""

    def __init__(self) -> None:
        self.started = self.finished = 0.0
        self.compared = 0

    def __call__(self, known: Sequence[KnownCluster], *args: Any, **kwargs: Any) -> Any:
        self.compared = sum(len(cluster.members) for cluster in known)
        self.started = time.perf_counter()
        try:
            return place(known, *args, **kwargs)
        finally:
            self.finished = time.perf_counter()

    @contextmanager
    def installed(self) -> Iterator[_MatcherClock]:
        matching = vars(lpi.matching)  # the name match_and_promote's placements calls
        matching["place"] = self
        try:
            yield self
        finally:
            matching["place"] = place


Watch = Callable[[Engine], AbstractContextManager[Any]]


def run_once(
    store: Store,
    arrivals: list[Arrival],
    settings: MatchSettings,
    watch: Watch | None = None,
) -> Timing:
    """Restore the store, then normalize, store and match ``arrivals``; ``watch`` wraps the matching."""
    store.restore()
    for cache in (wording, syndication_lanes, canonical_url):
        cache.cache_clear()  # these very hits were read by the run before: no help a new run would get
    engine = open_engine(store.run_url)
    stored_clusters = _scalar(engine, "SELECT max(id) FROM cluster")
    stored_candidates = _scalar(engine, "SELECT max(id) FROM candidate")
    with _MatcherClock().installed() as clock:
        started = time.perf_counter()
        candidates = [
            normalize(a.hit, a.spec, a.role, a.fetched_at, RAW_SHA) for a in arrivals
        ]
        normalized = time.perf_counter()
        for _, batch in groupby(
            sorted(candidates, key=lambda c: c.source_id), key=lambda c: c.source_id
        ):
            with session_scope(engine) as session:
                repo.insert_new_candidates(session, list(batch))
        stored = time.perf_counter()
        with watch(engine) if watch else nullcontext():
            report = lpi.pipeline.match_and_promote(engine, settings)
        matched = time.perf_counter()
    joined = _scalar(
        engine,
        f"SELECT count(*) FROM cluster_member WHERE candidate_id > {stored_candidates} AND cluster_id <= {stored_clusters}",
    )
    quality = _quality(engine, candidates, arrivals)
    engine.dispose()
    if report.clustered != len(arrivals):
        raise AssertionError(
            f"{report.clustered} of {len(arrivals)} new hits were clustered"
        )
    return Timing(
        normalize=normalized - started,
        store=stored - normalized,
        load=clock.started - stored,
        match=clock.finished - clock.started,
        write=matched - clock.finished,
        compared=clock.compared,
        joined=joined,
        founded=report.new_clusters,
        quality=quality,
    )


def _quality(engine: Engine, candidates: Sequence[Candidate], arrivals: Sequence[Arrival]) -> Scores:
    """B-cubed of where the new hits went against the stories they report. The stored clusters
    are the stories themselves, so a new hit in another story's stored cluster counts against."""
    with engine.connect() as connection:
        placed = dict(
            connection.execute(
                text("SELECT candidate.key, cluster_member.cluster_id FROM candidate JOIN cluster_member ON candidate_id = candidate.id"
                     " WHERE candidate.key IN :keys").bindparams(bindparam("keys", expanding=True)),
                {"keys": [c.key for c in candidates]},
            ).tuples().all()
        )
    return bcubed([placed[c.key] for c in candidates], [a.story for a in arrivals])


def _scalar(engine: Engine, query: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(query)).scalar() or 0)


def measure(args: argparse.Namespace) -> list[Result]:
    settings = MatchSettings()
    results = []
    for stored in args.sizes:
        stores, arrivals = cached(
            args.backends,
            stored,
            args.new,
            args.per_day,
            args.seed,
            args.cache_dir,
            args.database_url,
        )
        _warm_up(arrivals)
        for backend, store in stores.items():
            runs = [run_once(store, arrivals, settings) for _ in range(args.runs)]
            results.append(Result(backend, stored, len(arrivals), runs))
            print(_row(results[-1], results), flush=True)
            if args.profile:
                profile = cProfile.Profile()
                run_once(store, arrivals, settings, partial(_profiling, profile))
                print(_profile(profile, args.profile), flush=True)
            if args.explain:
                plans: list[Plan] = []
                run_once(store, arrivals, settings, partial(_explaining, plans))
                print(
                    f"\nplans of the statements matching issued ({backend}, {_size(stored)} stored):\n{query_plans.report(plans)}\n"
                )
            store.discard()
    return results


@contextmanager
def _profiling(profile: cProfile.Profile, engine: Engine) -> Iterator[None]:
    profile.enable()
    try:
        yield
    finally:
        profile.disable()


@contextmanager
def _explaining(plans: list[Plan], engine: Engine) -> Iterator[None]:
    with query_plans.recorded(engine) as found:
        yield
    plans.extend(found)


def _warm_up(arrivals: list[Arrival]) -> None:
    """Imports, compiled patterns and the public-suffix list load before anything is timed."""
    for a in arrivals[:20]:
        normalize(a.hit, a.spec, a.role, a.fetched_at, RAW_SHA)


COLUMNS = (
    "| backend | stored | hits/s | ms/hit | × 10k | normalize | store | load | match | write+recount | compared | joined | new clusters | B³ P | B³ R |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
)


def _row(result: Result, results: list[Result]) -> str:
    """One table row; the ratio is to the backend's first size measured (10k by default)."""
    per_hit = result.median("total") / result.new
    base = next(r for r in results if r.backend == result.backend)
    ratio = per_hit / (base.median("total") / base.new)
    steps = " | ".join(
        f"{result.median(step) * 1000 / result.new:.2f}"
        for step in ("normalize", "store", "load", "match", "write")
    )
    return (
        f"| {result.backend} | {_size(result.stored)} | {1 / per_hit:,.0f} "
        f"| {per_hit * 1000:.2f} | {ratio:.2f} | {steps} "
        f"| {result.median('compared'):,.0f} | {result.median('joined'):.0f} "
        f"| {result.median('founded'):.0f} | {result.median('precision'):.3f} | {result.median('recall'):.3f} |"
    )


def _profile(profile: cProfile.Profile, lines: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)
    return out.getvalue()


def _size(count: int) -> str:
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if count >= scale and count % scale == 0:
            return f"{count // scale}{unit}"
    return str(count)


def parse_size(value: str) -> int:
    """10k, 100k, 1m or a plain number."""
    value = value.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(value[-1:], 1)
    return int(float(value.rstrip("km")) * scale)


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10k,100k,1m",
        type=lambda v: [parse_size(s) for s in v.split(",")],
    )
    parser.add_argument(
        "--backends", default="sqlite,postgresql", type=lambda v: v.split(",")
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="timed runs per store (the median is shown)"
    )
    parser.add_argument("--new", type=int, default=1000, help="new hits per run")
    parser.add_argument(
        "--per-day",
        type=float,
        default=400.0,
        help="hits arriving per day in the history",
    )
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LPI_BENCH_DATABASE_URL")
        or os.environ.get("LPI_TEST_DATABASE_URL")
        or DEFAULT_SERVER,
        help="a database on the PostgreSQL server; the stores are databases made beside it",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("LPI_BENCH_DIR") or "/tmp/lpi-bench"),
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        help="after the timed runs, profile one more match and print this many lines",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="after the timed runs, print the plan of every statement one more match issues",
    )
    args = parser.parse_args(argv)
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> list[Result]:
    args = arguments(argv)
    print(
        f"{args.new} new hits per run, median of {args.runs} runs; ms per hit by step\n"
    )
    print("\n".join(COLUMNS), flush=True)
    return measure(args)


if __name__ == "__main__":
    main()
