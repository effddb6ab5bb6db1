"""What matching reads from the store, on SQLite and PostgreSQL: the unclustered candidates,
the clusters sharing a rare term with a new hit near its time, older clusters by URL, the features
earlier runs kept; in the same few queries however many clusters the store holds."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import Engine, event, inspect, update
from sqlmodel import col, select

from bench import query_plans
from dedup import MatchSettings
from lpi.matching import index_unkept
from lpi.pipeline import match_and_promote
from store import Candidate, Cluster, ClusterMember, match_index, repo, session_scope
from store.migrate import alembic_config
from store.models import (
    MatchCluster,
    MatchCorpus,
    MatchFeatures,
    MatchPosting,
    MatchTerm,
    ReviewerDecision,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_serial = itertools.count(1)


def candidate(
    title: str, published: datetime, *, url: str | None = None, role: str = "confirming"
) -> Candidate:
    n = next(_serial)
    url = url or f"https://outlet{n}.example/story/{n}"
    return Candidate(
        key=f"{role}:{url}" if role in ("lead", "discovery") else url,
        stream="tech-press",
        source_id="tech-press/test",
        role=role,
        url=url,
        original_url=url,
        publisher=url.split("/")[2],
        title=title,
        summary="",
        published_at=published,
        fetched_at=published,
        fingerprint=f"fp{n}",
        raw_sha256="0" * 64,
    )


def cluster(engine: Engine, *members: Candidate) -> int:
    """Store ``members`` as one cluster, as an earlier matching run would have, features kept."""
    with session_scope(engine) as session:
        seen = [m.published_at for m in members if m.published_at]
        row = Cluster(
            title=members[0].title, first_seen_at=min(seen), last_seen_at=max(seen)
        )
        session.add_all([row, *members])
        session.flush()
        for member in members:
            repo.add_member(session, row, member, 1.0, NOW)
        session.flush()
        index_unkept(session, MatchSettings())
        assert row.id is not None
        return row.id


def pending(engine: Engine, *candidates: Candidate) -> list[int]:
    with session_scope(engine) as session:
        return repo.insert_new_candidates(session, candidates)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on ``engine`` inside the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE is no query
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_unclustered_candidates_are_those_in_no_cluster_earliest_published_first(
    engine: Engine,
) -> None:
    cluster(engine, candidate("Clustered already", NOW - timedelta(days=3)))
    later, earlier = pending(
        engine, candidate("Later", NOW), candidate("Earlier", NOW - timedelta(days=1))
    )

    with session_scope(engine) as session:
        found = repo.unclustered_candidates(session)

    assert [c.id for c in found] == [earlier, later]


def test_unclustered_candidates_are_read_from_their_partial_index_not_the_whole_table(engine: Engine) -> None:
    """A store of thousands of clustered candidates and three new ones: only the three are read."""
    clustered = pending(engine, *(candidate(f"Old story {n}", NOW - timedelta(days=n % 400)) for n in range(3000)))
    with session_scope(engine) as session:
        session.execute(update(Candidate).where(col(Candidate.id).in_(clustered)).values(clustered=True))
    new = pending(engine, *(candidate(f"New story {n}", NOW + timedelta(hours=n)) for n in range(3)))
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")  # what autovacuum or a long-lived store has: statistics

    with session_scope(engine) as session, query_plans.recorded(engine) as plans:
        found = repo.unclustered_candidates(session)

    assert [c.id for c in found] == new
    (plan,) = plans
    assert "ix_candidate_unclustered" in "\n".join(plan.lines) and plan.full_scans == [], plan.lines


def test_the_decisions_naming_a_cluster_on_either_side_are_found_through_indexes(engine: Engine) -> None:
    """A recount asks this of every rejected cluster it touches: in a long history of decisions it
    reads the few naming the cluster, not the whole table."""
    decided = NOW - timedelta(days=30)
    with session_scope(engine) as session:
        session.add_all(
            ReviewerDecision(kind="reject", cluster_id=n, reviewer="r", created_at=decided) for n in range(10, 3010)
        )
        session.add(ReviewerDecision(kind="merge", cluster_id=7, other_cluster_id=5, reviewer="r", created_at=NOW))
        session.add(ReviewerDecision(kind="reject", cluster_id=5, reviewer="r", created_at=decided))
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")

    with session_scope(engine) as session, query_plans.recorded(engine) as plans:
        found = repo.cluster_decisions(session, 5)

    assert [(d.kind, d.cluster_id, d.other_cluster_id) for d in found] == [("reject", 5, None), ("merge", 7, 5)]
    (plan,) = plans
    assert "ix_reviewer_decision_other_cluster_id" in "\n".join(plan.lines) and plan.full_scans == [], plan.lines


def test_revision_0011_adds_that_index_and_takes_it_away_again(engine: Engine) -> None:
    def indexes() -> set[str]:
        return {str(index["name"]) for index in inspect(engine).get_indexes("reviewer_decision")}

    assert "ix_reviewer_decision_other_cluster_id" in indexes()
    command.downgrade(alembic_config(engine), "0010")
    assert "ix_reviewer_decision_other_cluster_id" not in indexes()
    command.upgrade(alembic_config(engine), "head")
    assert "ix_reviewer_decision_other_cluster_id" in indexes()


def test_a_candidate_is_marked_clustered_when_it_joins_a_cluster(engine: Engine) -> None:
    joined = cluster(engine, candidate("Clustered", NOW))
    waiting = pending(engine, candidate("Waiting", NOW))

    with session_scope(engine) as session:
        flags = dict(session.execute(select(col(Candidate.id), col(Candidate.clustered))).tuples().all())
        members = set(session.exec(select(ClusterMember.candidate_id).where(ClusterMember.cluster_id == joined)))

    assert {i for i, flag in flags.items() if flag} == members and waiting[0] in flags and not flags[waiting[0]]


def test_the_clusters_sharing_most_of_a_hits_rare_terms_near_its_time_are_offered(engine: Engine) -> None:
    near = cluster(engine, candidate("Delphi crash report", NOW - timedelta(days=10)))
    long_ago = cluster(engine, candidate("Delphi crash report", NOW - timedelta(days=90)))
    volcano = cluster(engine, candidate("Volcano grounds flights", NOW - timedelta(days=3)))
    later = cluster(engine, candidate("Delphi recall widens", NOW + timedelta(days=30)))
    hits = [(NOW, {"delphi": 0.5, "crash": 0.5}), (NOW - timedelta(days=400), {"volcano": 1.0})]

    with session_scope(engine) as session:
        with statements(engine) as run:
            offered = match_index.sharing(session, hits, timedelta(days=45), clusters=10, candidates=10)
            first = match_index.sharing(session, hits, timedelta(days=45), clusters=1, candidates=1)
        members = repo.members_of(session, [near, later])

    assert offered.clusters == {near, later} and long_ago not in offered.clusters and volcano not in offered.clusters
    assert offered.candidates == {c.id for c in [*members[near], *members[later]]}
    assert first.clusters == {near} and first.candidates == {members[near][0].id}  # sharing "crash" too
    assert len(run) == 4  # one query per span of a window: two hits a year apart, twice


def two_reports_matched(engine: Engine) -> None:
    """Two reports of one story, matched by a run."""
    pending(
        engine,
        candidate("Air Canada chatbot invents refund policy", NOW - timedelta(days=1)),
        candidate("Tribunal: Air Canada must honour chatbot refund", NOW),
    )
    match_and_promote(engine, MatchSettings())


def test_a_run_keeps_features_postings_and_counts(engine: Engine) -> None:
    two_reports_matched(engine)

    with session_scope(engine) as session:
        kept = session.exec(select(MatchFeatures)).all()
        assert len(kept) == 2 and all(f.vector and f.block for f in kept)
        assert {"air", "canada"} <= set(kept[0].words["title"])
        postings = {(p.term, p.candidate_id) for p in session.exec(select(MatchPosting))}
        assert {(term, f.candidate_id) for f in kept for term in f.block} == postings
        refund = session.get(MatchTerm, "refund")
        assert refund is not None and refund.frequency == 2.0 and refund.familiarity > 0
        corpus = session.get(MatchCorpus, 1)
        assert corpus is not None and corpus.size == 2.0 and corpus.counted_at == NOW


def test_clusters_are_kept_summed_and_summed_again_after_members_move(engine: Engine) -> None:
    two_reports_matched(engine)
    with session_scope(engine) as session:
        (row,) = session.exec(select(MatchCluster)).all()
        ids = [c.id for c in session.exec(select(Candidate).order_by(col(Candidate.id)))]
        assert row.size == 2 and {"air", "canada"} <= set(row.block) and row.total
        first = row.cluster_id
        apart = Cluster(title="moved", first_seen_at=NOW, last_seen_at=NOW)
        session.add(apart)
        session.flush()
        assert apart.id is not None and ids[1] is not None
        repo.move_members(session, [ids[1]], apart.id, "rev-a", NOW)  # a reviewer's split
        assert session.exec(select(MatchCluster)).all() == []  # both sums dropped

    pending(engine, candidate("Air Canada chatbot refund ruling explained", NOW))
    match_and_promote(engine, MatchSettings())

    with session_scope(engine) as session:
        sums = {r.cluster_id: r.size for r in session.exec(select(MatchCluster))}
        members = repo.member_counts(session, list(sums))
    assert first in sums and sums == members  # summed again from the members where they are now


def test_counts_halve_every_window(engine: Engine) -> None:
    pending(engine, candidate("Delphi crash report", NOW - timedelta(days=45)))
    match_and_promote(engine, MatchSettings())
    pending(engine, candidate("Volcano grounds flights", NOW))
    match_and_promote(engine, MatchSettings())

    with session_scope(engine) as session:
        stats = match_index.stats(session, ["delphi", "volcano"], timedelta(days=45))

    assert stats.frequency == {"delphi": 0.5, "volcano": 1.0} and stats.size == 1.5


def test_a_store_from_before_the_index_is_indexed_once_and_matched_against(engine: Engine) -> None:
    """Clusters stored without kept features (a store upgraded to the match index) are indexed by
    the first run, so a new report of their story still finds them."""
    with session_scope(engine) as session:
        old = [
            candidate("Air Canada chatbot invents refund policy", NOW - timedelta(days=3)),
            candidate("Air Canada ordered to honour chatbot refund", NOW - timedelta(days=2)),
        ]
        row = Cluster(title=old[0].title, first_seen_at=NOW - timedelta(days=3), last_seen_at=NOW - timedelta(days=2))
        session.add_all([row, *old])
        session.flush()
        for member in old:
            repo.add_member(session, row, member, 1.0, NOW)
    pending(engine, candidate("Air Canada must pay refund its chatbot invented", NOW))

    report = match_and_promote(engine, MatchSettings())

    assert report.clustered == 1 and report.new_clusters == 0
    with session_scope(engine) as session:
        assert len(session.exec(select(MatchFeatures)).all()) == 3
        assert match_index.is_indexed(session)
        summed = session.get(MatchCluster, row.id)
        assert summed is not None and summed.size == 3 and {"air", "canada"} <= set(summed.block)


def test_older_clusters_holding_a_key_are_found_however_old(engine: Engine) -> None:
    url, submitted = "https://news.example/2025/ai-refund", "https://blog.example/x"
    old = cluster(
        engine,
        candidate("Refund bot", NOW - timedelta(days=400), url=url),
        candidate("Also", NOW - timedelta(days=399)),
    )
    lead = cluster(
        engine,
        candidate("Sent in", NOW - timedelta(days=300), url=submitted, role="lead"),
    )
    cluster(engine, candidate("Unrelated", NOW - timedelta(days=350)))
    keys = [url, f"lead:{submitted}", "https://nowhere.example/"]

    with session_scope(engine) as session:
        found = repo.clusters_holding(session, keys)

    assert found == {old: {url}, lead: {submitted}}  # with the URLs a hit would join by


def test_clusters_by_id_reads_the_rows_asked_for(engine: Engine) -> None:
    first = cluster(engine, candidate("First", NOW))
    cluster(engine, candidate("Second", NOW))

    with session_scope(engine) as session:
        found = repo.clusters_by_id(session, [first, 999_999])

    assert list(found) == [first] and found[first].title == "First"


def test_matching_reads_the_window_in_the_same_queries_however_many_clusters_it_holds(
    engine: Engine,
) -> None:
    """One new hit costs as many statements with 30 clusters in the window as with 3 (none per cluster)."""
    counts = []
    for clusters, title in (
        (3, "Quantum sensor startup raises seed round"),
        (27, "Volcano grounds flights over Iceland"),
    ):
        for n in range(clusters):
            cluster(
                engine,
                candidate(
                    f"Tribunal orders airline {n} to honour chatbot refund",
                    NOW - timedelta(days=n % 40),
                ),
            )
        pending(engine, candidate(title, NOW))
        with statements(engine) as run:
            report = match_and_promote(engine, MatchSettings())
        assert report.clustered == 1 and report.new_clusters == 1
        counts.append(len(run))

    assert counts[0] == counts[1]


def test_a_hit_joins_an_old_cluster_holding_its_url_beyond_the_window(
    engine: Engine,
) -> None:
    url = "https://news.example/2025/chatbot-refund"
    old = cluster(
        engine,
        candidate(
            "Airline chatbot invents refund policy", NOW - timedelta(days=200), url=url
        ),
    )
    pending(
        engine,
        candidate("Look at this", NOW, url=url, role="lead"),
        candidate(
            "Quantum sensor startup raises seed round",
            NOW,
            url="https://other.example/quantum",
        ),
    )

    report = match_and_promote(engine, MatchSettings())

    with session_scope(engine) as session:
        placed = dict(
            session.exec(
                select(Candidate.key, ClusterMember.cluster_id).join(ClusterMember)
            ).all()
        )
        assert session.get(Cluster, old).last_seen_at == NOW  # type: ignore[union-attr]
    assert (
        placed[f"lead:{url}"] == old and placed["https://other.example/quantum"] != old
    )
    assert report.clustered == 2 and report.new_clusters == 1


def test_clusters_of_answers_for_more_candidates_than_one_query_takes(
    engine: Engine,
) -> None:
    """Reviewer decisions name every candidate they split or kept apart; matching asks where
    each is now, and a long history names more than one statement may bind."""
    first = cluster(engine, *(candidate(f"Story {n}", NOW) for n in range(600)))
    second = cluster(engine, candidate("Other story", NOW))
    with session_scope(engine) as session:
        ids = list(session.exec(select(ClusterMember.candidate_id)))

        found = repo.clusters_of(session, [*ids, 10_000_000])

    assert len(found) == 601
    assert sorted(set(found.values())) == [first, second]
