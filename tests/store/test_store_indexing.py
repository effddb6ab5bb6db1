"""A store upgraded from before the match index is indexed by the next run a batch per
transaction, on SQLite and PostgreSQL: a run cut short keeps what it committed and the next one
finishes without counting anything twice; revision 0009 marks stores indexed whole under 0008."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import col, select

import lpi.matching
from dedup import MatchSettings
from lpi.matching import index_store
from lpi.pipeline import match_and_promote
from store import Cluster, match_index, repo, session_scope
from store.migrate import alembic_config
from store.models import MatchCorpus, MatchFeatures
from tests.store.test_matching_queries import NOW, candidate, pending

STORIES = ("Air Canada chatbot invents refund policy", "Lawyer cites cases ChatGPT made up",
           "Chevrolet dealer bot sells car for a dollar", "NYC business chatbot tells owners to break law",
           "Replit agent deletes production database")


def upgraded_store(engine: Engine) -> list[int]:
    """Five clusters of one candidate each and nothing indexed: a store as revision 0008 finds it."""
    ids = []
    with session_scope(engine) as session:
        for day, title in enumerate(STORIES):
            member = candidate(title, NOW - timedelta(days=10 - day))
            row = Cluster(title=title, first_seen_at=member.published_at, last_seen_at=member.published_at)
            session.add_all([row, member])
            session.flush()
            repo.add_member(session, row, member, 1.0, NOW)
            assert member.id is not None
            ids.append(member.id)
    return ids


def kept(engine: Engine) -> set[int]:
    with session_scope(engine) as session:
        return set(session.exec(select(MatchFeatures.candidate_id)).all())


def corpus(engine: Engine) -> MatchCorpus:
    with session_scope(engine) as session:
        row = session.get(MatchCorpus, 1)
        assert row is not None
        session.expunge(row)
        return row


def test_each_batch_commits_and_the_store_is_marked_indexed_at_the_end(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = upgraded_store(engine)
    monkeypatch.setattr(lpi.matching, "INDEX_BATCH", 2)

    assert index_store(engine, MatchSettings()) == 5

    assert kept(engine) == set(ids)
    assert corpus(engine).indexed and corpus(engine).size == pytest.approx(5, rel=0.05)
    assert index_store(engine, MatchSettings()) == 0  # indexed: one row read, nothing done


def test_a_run_cut_short_keeps_its_batches_and_the_next_finishes_counting_each_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = upgraded_store(engine)
    monkeypatch.setattr(lpi.matching, "INDEX_BATCH", 2)
    keep, calls = match_index.keep, []

    def crashing_keep(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the process was killed")
        keep(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(match_index, "keep", crashing_keep)
    with pytest.raises(RuntimeError):
        index_store(engine, MatchSettings())
    assert kept(engine) == set(ids[:2])  # the first batch committed
    with session_scope(engine) as session:
        assert not match_index.is_indexed(session)

    monkeypatch.setattr(match_index, "keep", keep)
    assert index_store(engine, MatchSettings()) == 3

    assert kept(engine) == set(ids)
    assert corpus(engine).indexed and corpus(engine).size == pytest.approx(5, rel=0.05)


def test_a_new_store_is_marked_indexed_once_a_run_has_counted(engine: Engine) -> None:
    pending(engine, candidate("Air Canada chatbot invents refund policy", NOW))
    match_and_promote(engine, MatchSettings())  # nothing stored before: the first run only counts
    with session_scope(engine) as session:
        assert not match_index.is_indexed(session)

    pending(engine, candidate("Air Canada ordered to honour chatbot refund", NOW))
    report = match_and_promote(engine, MatchSettings())

    assert report.clustered == 1 and report.new_clusters == 0
    with session_scope(engine) as session:
        assert match_index.is_indexed(session)
        assert len(session.exec(select(col(MatchFeatures.candidate_id))).all()) == 2


def test_revision_0009_marks_a_store_indexed_under_0008_as_indexed(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0008")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO match_corpus (id, size, counted_at) VALUES (1, 3.0, :at)"), {"at": NOW})
    command.upgrade(alembic_config(engine), "head")

    assert corpus(engine).indexed and corpus(engine).size == 3.0
