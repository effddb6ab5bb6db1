"""Regrouping decisions: merge two clusters, split one by choosing members, or mark two as not the
same incident. Each is stored with both groups of candidates (see review.matching) and audited.

These need no claim of their own, but nobody else may hold a live claim on a cluster involved.
Merges and splits take the matcher's lock first, so membership never changes under a matching run;
clusters are then locked in id order, so that two regroupings never deadlock each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from review import audit, claims, counting
from review.errors import ConflictError, ReviewError, StateError
from review.matching import decisions_for_matching
from store import Cluster, QueueState, ReviewerDecision, now, repo


def merge(
    session: Session,
    keep_id: int,
    absorb_id: int,
    reviewer: str,
    *,
    note: str | None = None,
    override: bool = False,
    at: datetime | None = None,
) -> Cluster:
    """Move every member of ``absorb_id`` into ``keep_id`` and recount; the emptied cluster is
    rejected as a duplicate. ConflictError when a reviewer said they are different incidents,
    unless ``override``."""
    at = at or now()
    repo.lock_for_matching(session)
    keep, absorb = _hold(session, reviewer, at, keep_id, absorb_id)
    for cluster in (keep, absorb):
        _require_open(cluster, "merged")
    kept, moved = counting.member_ids(session, keep_id), counting.member_ids(session, absorb_id)
    if not moved:
        raise StateError(f"cluster {absorb_id} has no members to merge")
    separated_by = decisions_for_matching(session).separating(kept, moved)
    if separated_by is not None and not override:
        raise ConflictError(
            f"decision {separated_by} keeps members of clusters {keep_id} and {absorb_id} apart; "
            "merge with override to overrule it"
        )
    before = {"kept": audit.cluster_state(keep, kept), "absorbed": audit.cluster_state(absorb, moved)}
    repo.move_members(session, moved, keep_id, reviewer, at)
    counting.refresh(session, keep, at)
    counting.refresh(session, absorb, at)
    absorb.state, absorb.claimed_by, absorb.claimed_until = QueueState.REJECTED, None, None
    decision = audit.decide(session, "merge", reviewer=reviewer, at=at, cluster_id=keep_id, other_cluster_id=absorb_id,
                            candidate_ids=kept, other_candidate_ids=moved, reason="duplicate", note=note)
    after = {"kept": audit.cluster_state(keep, kept + moved), "absorbed": audit.cluster_state(absorb, [])}
    audit.record(session, actor=reviewer, action="merge", subject=audit.cluster_subject(keep_id), at=at,
                 before=before, after=after, reason=note, decision=decision)
    return keep


def split(
    session: Session,
    cluster_id: int,
    candidate_ids: Iterable[int],
    reviewer: str,
    *,
    note: str | None = None,
    at: datetime | None = None,
) -> Cluster:
    """Move the chosen members out of ``cluster_id`` into a new cluster; recount both and return the new one."""
    at = at or now()
    repo.lock_for_matching(session)
    (cluster,) = _hold(session, reviewer, at, cluster_id)
    _require_open(cluster, "split")
    members = counting.member_ids(session, cluster_id)
    chosen = sorted(set(candidate_ids))
    if strangers := sorted(set(chosen) - set(members)):
        raise ReviewError(f"candidate(s) {', '.join(map(str, strangers))} are not members of cluster {cluster_id}")
    if not chosen or len(chosen) == len(members):
        raise ReviewError(f"choose some but not all of cluster {cluster_id}'s {len(members)} members to split off")
    rest = [m for m in members if m not in chosen]
    before = audit.cluster_state(cluster, members)
    new = Cluster(title=cluster.title, first_seen_at=cluster.first_seen_at, last_seen_at=cluster.last_seen_at)
    session.add(new)
    session.flush()
    assert new.id is not None
    repo.move_members(session, chosen, new.id, reviewer, at)
    counting.refresh(session, cluster, at)
    counting.refresh(session, new, at)
    decision = audit.decide(session, "split", reviewer=reviewer, at=at, cluster_id=cluster_id, other_cluster_id=new.id,
                            candidate_ids=rest, other_candidate_ids=chosen, note=note)
    after = {"rest": audit.cluster_state(cluster, rest), "split_off": {"cluster": new.id, **audit.cluster_state(new, chosen)}}
    audit.record(session, actor=reviewer, action="split", subject=audit.cluster_subject(cluster_id), at=at,
                 before=before, after=after, reason=note, decision=decision)
    return new


def not_same(
    session: Session, cluster_id: int, other_id: int, reviewer: str, *, note: str | None = None, at: datetime | None = None
) -> ReviewerDecision:
    """Record that two clusters are different incidents: automatic matching must never join them."""
    at = at or now()
    first, second = _hold(session, reviewer, at, cluster_id, other_id)
    groups = counting.member_ids(session, cluster_id), counting.member_ids(session, other_id)
    if not all(groups):
        raise StateError("both clusters need members for their difference to mean anything")
    decision = audit.decide(session, "not_same", reviewer=reviewer, at=at, cluster_id=cluster_id, other_cluster_id=other_id,
                            candidate_ids=groups[0], other_candidate_ids=groups[1], note=note)
    states = {str(c.id): audit.cluster_state(c, g) for c, g in zip((first, second), groups, strict=True)}
    audit.record(session, actor=reviewer, action="not_same", subject=audit.cluster_subject(cluster_id), at=at,
                 before=states, after={**states, "not_same": [cluster_id, other_id]}, reason=note, decision=decision)
    return decision


def _hold(session: Session, reviewer: str, at: datetime, *cluster_ids: int) -> list[Cluster]:
    """Lock the clusters (in id order, whatever order they were named in) and return them as named."""
    if len(set(cluster_ids)) != len(cluster_ids):
        raise ReviewError("name two different clusters")
    held = {cid: claims.hold(session, cid, reviewer, at, claim_required=False) for cid in sorted(cluster_ids)}
    return [held[cid] for cid in cluster_ids]


def _require_open(cluster: Cluster, action: str) -> None:
    if cluster.state not in counting.REGROUPABLE_STATES:
        raise StateError(f"cluster {cluster.id} is {cluster.state.value}: only clusters awaiting review or parked can be {action}")
