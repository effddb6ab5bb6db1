"""Revision 0007 on a store holding rows: the scope columns arrive "not assessed", the out-of-scope
state can be stored, and a downgrade puts parked clusters back where their count alone puts them."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from store import Candidate, Cluster, QueueState, session_scope
from store.migrate import alembic_config, current_revision, head_revision

AT = datetime(2025, 2, 12, 8, 0, tzinfo=UTC)
SCOPE_COLUMNS = {"scope_score", "in_scope", "scope_reasons"}


def differences(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        found = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    return [str(d) for d in found if "'candidate'" in str(d) or "'cluster'" in str(d)]


def store_rows_at_0006(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO candidate (key, stream, source_id, role, url, original_url, publisher, title, summary,"
                " published_at, published_is_fallback, fetched_at, entities, fingerprint, raw_sha256) VALUES ("
                " 'https://theverge.com/waymo', 'tech-press', 'tech-press/verge', 'confirming', 'https://theverge.com/waymo',"
                " 'https://www.theverge.com/waymo', 'theverge.com', 'Waymo robotaxi hits cyclist', '', :at, :no, :at, '{}',"
                " 'fp', :sha)"
            ),
            {"at": AT, "no": False, "sha": "0" * 64},
        )
        for state, count in (("WATCHED", 1), ("LEAD", 0)):
            connection.execute(
                text("INSERT INTO cluster (title, state, independent_count, explanation, first_seen_at, last_seen_at)"
                     " VALUES (:title, :state, :count, '{}', :at, :at)"),
                {"title": f"a {state.lower()} cluster", "state": state, "count": count, "at": AT},
            )
        connection.execute(text("INSERT INTO cluster_member (candidate_id, cluster_id, score, added_by, added_at)"
                                " VALUES (1, 1, 1.0, 'auto', :at)"), {"at": AT})


def test_revision_0007_keeps_rows_unassessed_and_undoes_the_out_of_scope_state(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0006")
    assert not SCOPE_COLUMNS & {c["name"] for c in inspect(engine).get_columns("candidate")}
    store_rows_at_0006(engine)

    command.upgrade(alembic_config(engine), "head")

    assert current_revision(engine) == head_revision() and differences(engine) == []
    with session_scope(engine) as session:
        stored = session.get(Candidate, 1)
        assert stored is not None and (stored.scope_score, stored.in_scope, stored.scope_reasons) == (None, None, [])
        for cluster_id in (1, 2):
            parked = session.get(Cluster, cluster_id)
            assert parked is not None
            parked.state = QueueState.EXCLUDED
    with session_scope(engine) as session:
        assert {c.state for c in (session.get(Cluster, 1), session.get(Cluster, 2)) if c} == {QueueState.EXCLUDED}

    command.downgrade(alembic_config(engine), "0006")

    with engine.connect() as connection:
        states = {row[0]: str(row[1]) for row in connection.execute(text("SELECT id, state FROM cluster"))}
        assert connection.execute(text("SELECT count(*) FROM cluster_member")).scalar() == 1  # nothing lost on the way
    assert states == {1: "WATCHED", 2: "LEAD"}
    assert not SCOPE_COLUMNS & {c["name"] for c in inspect(engine).get_columns("candidate")}
    command.upgrade(alembic_config(engine), "head")
    assert differences(engine) == []
