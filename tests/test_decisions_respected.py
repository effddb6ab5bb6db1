"""Reviewer decisions outlive later runs: after a split and a "not the same", new hits arrive and the
archive is reprocessed, and no separated pair of candidates shares a cluster again, nobody the
reviewer placed has moved, and the matcher itself never joins a hit to a cluster it is kept from."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dedup import KnownCluster, MatchHit, MatchSettings, place
from dedup.matcher import JoinRule
from lpi.config import load_config
from lpi.pipeline import reprocess, run_cycle
from review import decisions_for_matching, not_same, split
from store import Candidate, ClusterMember, session_scope
from tests.conftest import INTAKE_STREAMS, write_config
from tests.replay import ReplayServer
from tests.stored import stored

GUARDIAN = "guardian-technology"
AIR_CANADA = ("arstechnica.com", "bbc.co.uk", "theguardian.com")


def without_guardian() -> dict[str, Any]:
    streams = copy.deepcopy(INTAKE_STREAMS)
    news = streams["tier1-news"]
    news["sources"] = [s for s in news["sources"] if s["name"] != GUARDIAN]
    return streams


def cluster_of(session: Session) -> dict[int, int]:
    return {c: k for c, k in session.exec(select(ClusterMember.candidate_id, ClusterMember.cluster_id))}


def air_canada(session: Session) -> dict[str, int]:
    """Publisher → candidate id of the Air Canada chatbot story in the recorded feeds."""
    rows = session.exec(select(Candidate).where(col(Candidate.title).contains("Air Canada")))
    return {c.publisher: c.id for c in rows if c.publisher in AIR_CANADA and c.id is not None}


def cluster_holding(session: Session, publisher_word: str) -> int:
    """The cluster of the (single) stored hit whose title contains ``publisher_word``."""
    (candidate_id,) = session.exec(select(Candidate.id).where(col(Candidate.title).contains(publisher_word)))
    assert candidate_id is not None
    return cluster_of(session)[candidate_id]


def assert_decisions_stand(engine: Engine) -> None:
    with session_scope(engine) as session:
        decisions = decisions_for_matching(session)
        where = cluster_of(session)
    assert decisions.apart, "the reviewer decisions were recorded"
    for pair in decisions.apart:
        assert len({where[c] for c in pair}) == 2, f"separated candidates {sorted(pair)} share a cluster"
    for candidate_id, cluster_id in decisions.placed.items():
        assert where[candidate_id] == cluster_id, f"candidate {candidate_id} left the cluster a reviewer put it in"


def test_a_split_and_a_not_same_stand_through_new_hits_and_reprocessing(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    run_cycle(load_config(write_config(tmp_path / "before.yaml", replay, database_url, without_guardian())), engine)
    with session_scope(engine) as session:
        story = air_canada(session)
        assert set(story) == {"arstechnica.com", "bbc.co.uk"}
        joined = cluster_of(session)[story["arstechnica.com"]]
        assert cluster_of(session)[story["bbc.co.uk"]] == joined  # the matcher put them together
        split(session, joined, [story["bbc.co.uk"]], "rev-a", note="different angle")
        not_same(session, cluster_holding(session, "Slack AI can be tricked"), cluster_holding(session, "SpAIware"), "rev-b")
    assert_decisions_stand(engine)

    full = load_config(write_config(tmp_path / "after.yaml", replay, database_url))
    cycle = run_cycle(full, engine)  # the Guardian's Air Canada story arrives: it fits either part
    assert cycle.new_hits == 1
    assert_decisions_stand(engine)
    with session_scope(engine) as session:
        story = air_canada(session)
        where = cluster_of(session)
        assert where[story["theguardian.com"]] in {where[story["arstechnica.com"]], where[story["bbc.co.uk"]]}

    settled = stored(engine)
    again = reprocess(full, engine)
    assert again.match.clustered == 0 and again.updated == 0
    assert_decisions_stand(engine)
    assert stored(engine) == settled


def hits(session: Session, ids: Iterable[int]) -> list[MatchHit]:
    found = [session.get(Candidate, i) for i in ids]
    return [
        MatchHit(c.id, c.url, c.title, c.summary, c.published_at, c.entities, c.stream) for c in found if c is not None
    ]


def test_the_matcher_never_joins_a_hit_to_a_cluster_it_is_kept_from(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    run_cycle(load_config(write_config(tmp_path / "lpi.yaml", replay, database_url)), engine)
    with session_scope(engine) as session:
        story = air_canada(session)
        ars, bbc = (hits(session, [story[p]]) for p in AIR_CANADA[:2])
        (guardian,) = hits(session, [story["theguardian.com"]])
    known = [KnownCluster("ars", None, ars), KnownCluster("bbc", None, bbc)]
    settings = MatchSettings()

    def kept_from(*refused: object) -> JoinRule:
        return lambda key, members: key == guardian.key and not set(refused) & set(members)

    (free,) = place(known, [guardian], settings)
    first_choice = next(c for c in known if c.ref == free.cluster.ref).members[0].key
    (kept,) = place(known, [guardian], settings, kept_from(first_choice))
    (alone,) = place(known, [guardian], settings, kept_from(story["arstechnica.com"], story["bbc.co.uk"]))

    assert free.reason == kept.reason == "similar"
    assert {free.cluster.ref, kept.cluster.ref} == {"ars", "bbc"}  # the next best cluster instead
    assert alone.founded and alone.cluster.ref == guardian.key
