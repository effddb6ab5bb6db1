"""The another-look flag: a rejected cluster that gains independent evidence the rejection did not
see goes back in front of a reviewer. The intake's recount calls :func:`flag_for_another_look`."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from review import audit
from store import Cluster, QueueState, ReviewerDecision, repo

RECOUNT_ACTOR = "recount"


def flag_for_another_look(session: Session, cluster: Cluster, at: datetime) -> str | None:
    """Flag ``cluster`` when it is rejected and its freshly counted explanation has an independent
    origin none of whose candidates were members when it was rejected; return the flag's reason
    when it was set now. Safe to call on any cluster after each recount."""
    if cluster.state is not QueueState.REJECTED or cluster.another_look or cluster.id is None:
        return None
    rejection = _rejection(session, cluster.id)
    if rejection is None:
        return None
    known = set(rejection.candidate_ids) if rejection.kind == "reject" else set()  # a merge moved them all out
    new = [o["origin"] for o in cluster.explanation.get("origins", []) if not known & set(o["candidates"])]
    if not new:
        return None
    before = audit.cluster_state(cluster)
    cluster.another_look = (
        f"{len(new)} new independent origin(s) since the rejection of {rejection.created_at:%Y-%m-%d}: {', '.join(new)}"
    )
    audit.record(session, actor=RECOUNT_ACTOR, action="flag", subject=audit.cluster_subject(cluster.id), at=at,
                 before=before, after=audit.cluster_state(cluster), reason=cluster.another_look, decision=rejection)
    return cluster.another_look


def _rejection(session: Session, cluster_id: int) -> ReviewerDecision | None:
    """The decision that last rejected the cluster: a reject, or a merge that absorbed it."""
    rejections = [
        d for d in repo.cluster_decisions(session, cluster_id)
        if (d.kind == "reject" and d.cluster_id == cluster_id) or (d.kind == "merge" and d.other_cluster_id == cluster_id)
    ]
    return rejections[-1] if rejections else None
