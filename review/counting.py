"""What a cluster's members imply, recomputed after a reviewer moved members in or out."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from dedup import count_independent
from dedup.independence import evidence_of
from review.scope import cluster_scope, state_for
from store import Candidate, Cluster, QueueState, repo

OPEN_STATES = (QueueState.LEAD, QueueState.WATCHED, QueueState.PROMOTED)  # no reviewer verdict yet
# What merge, split and reconcile work on: no verdict yet, parked out of scope included (a parked
# cluster may be another report of a queued incident, or hold one in-scope story among others).
REGROUPABLE_STATES = (*OPEN_STATES, QueueState.EXCLUDED)


def members(session: Session, cluster_id: int | None) -> list[Candidate]:
    """A cluster's candidates, earliest published first."""
    assert cluster_id is not None
    return [candidate for candidate, _ in repo.cluster_members(session, cluster_id)]


def member_ids(session: Session, cluster_id: int | None) -> list[int]:
    return [c.id for c in members(session, cluster_id) if c.id is not None]


def refresh(session: Session, cluster: Cluster, at: datetime) -> None:
    """Recount an open cluster after regrouping: count, explanation, times, AIID id, title and state.

    Unlike the intake's recount, which only ever promotes, the state here follows the count both
    ways: a reviewer who splits a promoted cluster may leave either part with one source. A part
    whose confirming members are all out of scope is parked as out of scope, as the intake would.
    """
    session.flush()
    found = members(session, cluster.id)
    count = count_independent(evidence_of(found))
    cluster.independent_count = count.independent
    scope = cluster_scope(session, cluster.id, found)
    cluster.explanation = {**count.explanation(), "scope": scope.explanation()}
    cluster.aiid_id = next((ids[0] for c in found if (ids := c.entities.get("aiid_ids"))), None)
    if found:
        seen = [c.published_at or c.fetched_at for c in found]
        cluster.first_seen_at, cluster.last_seen_at = min(seen), max(seen)
        if cluster.title not in {c.title for c in found}:
            cluster.title = found[0].title
    state = state_for(count.independent, out_of_scope=scope.out)
    if state is not cluster.state:
        cluster.promoted_at = at if state is QueueState.PROMOTED else None
    cluster.state = state
