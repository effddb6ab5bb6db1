"""Revision 0010 flags the candidates already in a cluster, on SQLite and PostgreSQL: after an
upgrade, matching takes exactly the candidates in no cluster, as the anti-join it replaces did."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import Engine, inspect
from sqlmodel import col, select

from store import Candidate, repo, session_scope
from store.migrate import alembic_config
from tests.store.test_matching_queries import NOW, candidate, cluster, pending


def test_revision_0010_flags_the_members_of_clusters_and_leaves_the_rest_to_match(engine: Engine) -> None:
    members = [candidate("Air Canada chatbot invents refund policy", NOW - timedelta(days=2)),
               candidate("Tribunal: Air Canada must honour its chatbot", NOW - timedelta(days=1))]
    cluster(engine, *members)
    waiting = pending(engine, candidate("Lawyer cites cases ChatGPT made up", NOW))
    command.downgrade(alembic_config(engine), "0009")
    assert "clustered" not in {c["name"] for c in inspect(engine).get_columns("candidate")}

    command.upgrade(alembic_config(engine), "head")

    with session_scope(engine) as session:
        flagged = set(session.exec(select(Candidate.id).where(col(Candidate.clustered))))
        found = [c.id for c in repo.unclustered_candidates(session)]
    assert flagged == {m.id for m in members} and found == waiting
