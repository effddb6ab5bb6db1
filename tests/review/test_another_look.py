"""A rejected cluster that gains an independent origin the rejection did not see is flagged for
another look: it shows in the queue, can be claimed again, and decided again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

import review
from dedup.matcher import MatchSettings
from lpi.pipeline import recount
from review import Section
from store import Cluster, session_scope
from tests.review.builders import FIELDS, T0, add_cluster, add_members
from tests.review.test_decisions import reject

LATER = T0 + timedelta(days=3)


def recount_as_the_intake_does(session: Session, cluster_id: int) -> Cluster:
    """The intake's own recount after new members joined (it calls the another-look hook)."""
    cluster = session.get(Cluster, cluster_id)
    assert cluster is not None
    recount(session, cluster, LATER, settings=MatchSettings())
    return cluster


def test_only_a_new_independent_origin_flags_a_rejected_cluster(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    reject(engine, cluster_id, "unverified")

    add_members(engine, cluster_id, ["bbc.co.uk"])  # another BBC article: the same origin
    with session_scope(engine) as session:
        assert recount_as_the_intake_does(session, cluster_id).another_look is None

    add_members(engine, cluster_id, ["wired.com"])
    with session_scope(engine) as session:
        flagged = recount_as_the_intake_does(session, cluster_id)
        reason = flagged.another_look
        assert review.flag_for_another_look(session, flagged, LATER) is None  # flagged once
        (entry,) = [e for e in review.audit_log(session, f"cluster:{cluster_id}") if e.action == "flag"]
    assert reason == "1 new independent origin(s) since the rejection of 2025-03-03: wired.com"
    assert (entry.actor, entry.reason, entry.before["another_look"], entry.after["another_look"]) == ("recount", reason, None, reason)

    with session_scope(engine) as session:
        (item,) = review.list_queue(session, at=LATER)
        assert (item.cluster_id, item.section, item.another_look) == (cluster_id, Section.ANOTHER_LOOK, reason)
        review.claim(session, cluster_id, "bob", at=LATER)
    with session_scope(engine) as session:
        incident = review.verify(session, cluster_id, "bob", FIELDS, at=LATER)
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None and cluster.another_look is None
    assert incident.id == "LPI-2025-0001" and len(incident.sources) == 3


def test_rejecting_again_clears_the_flag_and_remembers_the_new_members(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    reject(engine, cluster_id, "out-of-scope")
    add_members(engine, cluster_id, ["wired.com"])
    with session_scope(engine) as session:
        assert recount_as_the_intake_does(session, cluster_id).another_look
    rejected = reject(engine, cluster_id, "out-of-scope", note="still a lab demo")
    assert rejected.another_look is None
    with session_scope(engine) as session:
        assert recount_as_the_intake_does(session, cluster_id).another_look is None
        assert review.list_queue(session) == []


def test_a_cluster_absorbed_by_a_merge_is_flagged_when_it_gains_members(engine: Engine) -> None:
    keep, absorb = add_cluster(engine, ["bbc.co.uk"]), add_cluster(engine, ["theverge.com"])
    with session_scope(engine) as session:
        review.merge(session, keep, absorb, "alice", at=T0)
    add_members(engine, absorb, ["wired.com"])
    with session_scope(engine) as session:
        assert recount_as_the_intake_does(session, absorb).another_look == (
            "1 new independent origin(s) since the rejection of 2025-03-03: wired.com"
        )
