"""A reviewer's "in scope after all": an out-of-scope cluster goes where its count puts it (watched or
the verification queue), and stays in scope through every later recount (review.scope)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from review import audit, claims, counting
from review.errors import StateError
from review.scope import IN_SCOPE, cluster_scope, state_for
from store import QueueState, ReviewerDecision, now, repo


def mark_in_scope(
    session: Session, cluster_id: int, reviewer: str, *, note: str | None = None, at: datetime | None = None
) -> ReviewerDecision:
    """Overrule the automatic out-of-scope verdict of a parked cluster; StateError for any other state."""
    at = at or now()
    repo.lock_for_matching(session)  # a recount running now must not decide on the old verdict
    cluster = claims.hold(session, cluster_id, reviewer, at, claim_required=False)
    if cluster.state is not QueueState.EXCLUDED:
        raise StateError(f"cluster {cluster_id} is {cluster.state.value}: only an out-of-scope cluster can be brought in scope")
    members = counting.member_ids(session, cluster_id)
    before = audit.cluster_state(cluster, members)
    decision = audit.decide(session, IN_SCOPE, reviewer=reviewer, at=at, cluster_id=cluster_id, candidate_ids=members,
                            reason="in scope after all", note=(note or "").strip() or None)
    scope = cluster_scope(session, cluster_id, counting.members(session, cluster_id))
    cluster.explanation = {**cluster.explanation, "scope": scope.explanation()}
    cluster.state = state_for(cluster.independent_count)
    cluster.promoted_at = at if cluster.state is QueueState.PROMOTED else None
    audit.record(session, actor=reviewer, action=IN_SCOPE, subject=audit.cluster_subject(cluster_id), at=at,
                 before=before, after=audit.cluster_state(cluster, members), reason=decision.note, decision=decision)
    return decision
