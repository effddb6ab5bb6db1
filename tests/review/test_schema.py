"""Revision 0005 builds exactly what the models declare for the reviewer workflow, and undoes it."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from store.migrate import alembic_config, current_revision, head_revision

REVIEW_TABLES = {"cluster", "reviewer_decision", "audit_entry"}


def differences(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        found = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    return [str(d) for d in found if any(table in str(d) for table in REVIEW_TABLES)]


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert differences(engine) == []


def test_revision_0005_downgrades_and_upgrades_again(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0004")
    assert "audit_entry" not in inspect(engine).get_table_names()
    assert "claimed_by" not in {c["name"] for c in inspect(engine).get_columns("cluster")}
    command.upgrade(alembic_config(engine), "head")
    assert current_revision(engine) == head_revision() and differences(engine) == []
