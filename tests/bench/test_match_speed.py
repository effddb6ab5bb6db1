"""The matching speed benchmark at a tiny size: its stores build, restore and time a real
run on SQLite and PostgreSQL, and its bulk rows are what normalization would have stored."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from bench import match_speed
from bench.speed_store import cached
from bench.synthetic_intake import arrival, candidate_row, history
from dedup import MatchSettings, normalize
from dedup.cluster import identifiers
from tests.conftest import PG_URL

STORED, NEW, PER_DAY, SEED = 300, 40, 400.0, 7


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, str]]:
    """(backend, server URL, name): PostgreSQL stores get a name of their own, dropped after."""
    name = f"test_{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        yield "sqlite", "", name
        return
    if not PG_URL:
        pytest.skip("LPI_TEST_DATABASE_URL not set")
    yield "postgresql", PG_URL, name
    admin = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        made = connection.execute(
            sqlalchemy.text("SELECT datname FROM pg_database WHERE datname LIKE :made"),
            {"made": f"lpi_bench_{name}_%"},
        )
        for (database,) in list(made):
            connection.exec_driver_sql(f'DROP DATABASE "{database}" WITH (FORCE)')
    admin.dispose()


def test_a_run_restores_the_store_and_times_every_step(
    backend: tuple[str, str, str], tmp_path: Path
) -> None:
    kind, server, name = backend
    stores, arrivals = cached(
        [kind], STORED, NEW, PER_DAY, SEED, tmp_path, server, name
    )
    store = stores[kind]

    first = match_speed.run_once(store, arrivals, MatchSettings())
    again = match_speed.run_once(store, arrivals, MatchSettings())

    assert len(arrivals) == NEW
    assert (
        first.joined > 0 and first.founded > 0
    )  # some join stored clusters, some are new
    assert first.compared > 0  # the window held stored hits to compare with
    assert len({a.story for a in arrivals}) < NEW and 0.5 < first.quality.precision <= 1 and 0.5 < first.quality.recall <= 1
    assert min(first.normalize, first.store, first.load, first.match, first.write) > 0
    # restored in between: the second run found the same store and did the same
    assert (again.joined, again.founded, again.compared, again.quality) == (
        first.joined,
        first.founded,
        first.compared,
        first.quality,
    )
    store.discard()


def test_the_command_prints_a_row_per_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--sizes", str(STORED), "--new", str(NEW), "--runs", "1"]
    argv += ["--backends", "sqlite", "--cache-dir", str(tmp_path), "--seed", str(SEED)]

    results = match_speed.main(argv)

    printed = capsys.readouterr().out
    assert [r.stored for r in results] == [STORED]
    assert f"| sqlite | {STORED} |" in printed


def test_bulk_rows_are_what_normalization_stores() -> None:
    """The store is written without normalize (too slow for a million rows): its rows must
    still be what normalizing the same hits gives."""
    h = history(STORED, NEW, PER_DAY, SEED)

    for index in range(0, STORED, 3):
        row = candidate_row(h, index)
        came = arrival(h, index)
        normalized = normalize(
            came.hit, came.spec, came.role, came.fetched_at, "0" * 64
        )
        for field in (
            "key",
            "url",
            "role",
            "publisher",
            "title",
            "summary",
            "fingerprint",
        ):
            assert row[field] == getattr(normalized, field), (index, field)
        assert identifiers(row["entities"]) == identifiers(normalized.entities), index
        assert row["published_at"] == normalized.published_at, index
