"""Claims: a reviewer leases a queue item so that no one else decides on it meanwhile.

A lease lasts :data:`LEASE` unless given another length, claiming again renews it, and once it
expires anyone may claim the item. Who wins a race is settled by one conditional UPDATE in the
store (``repo.claim_cluster``), never by reading first and writing after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from review import audit
from review.errors import LeaseError, NotFound, StateError
from store import Cluster, QueueState, now, repo

LEASE = timedelta(minutes=30)
CLAIMABLE = (QueueState.WATCHED, QueueState.PROMOTED)
CLAIMABLE_WHEN_FLAGGED = (QueueState.REJECTED,)  # a rejected cluster with new independent evidence


@dataclass(frozen=True)
class Claim:
    cluster_id: int
    reviewer: str
    until: datetime
    renewed: bool  # the reviewer already held it


def claim(session: Session, cluster_id: int, reviewer: str, *, at: datetime | None = None, lease: timedelta = LEASE) -> Claim:
    """Lease a queue item to ``reviewer`` (or renew their lease); LeaseError when someone else holds it."""
    at = at or now()
    cluster = _cluster(session, cluster_id)
    before = audit.cluster_state(cluster)
    renewed = live_holder(cluster, at) == reviewer
    won = repo.claim_cluster(
        session, cluster_id, reviewer, at, at + lease, states=CLAIMABLE, flagged_states=CLAIMABLE_WHEN_FLAGGED
    )
    session.refresh(cluster)
    if not won:
        raise _refusal(cluster)
    audit.record(session, actor=reviewer, action="claim", subject=audit.cluster_subject(cluster_id), at=at,
                 before=before, after=audit.cluster_state(cluster), reason="renewed" if renewed else None)
    assert cluster.claimed_until is not None
    return Claim(cluster_id, reviewer, cluster.claimed_until, renewed)


def release(session: Session, cluster_id: int, reviewer: str, *, at: datetime | None = None) -> None:
    """Give a claimed item back to the queue; LeaseError when ``reviewer`` did not hold it."""
    at = at or now()
    cluster = _cluster(session, cluster_id)
    before = audit.cluster_state(cluster)
    if not repo.release_cluster(session, cluster_id, reviewer):
        raise LeaseError(f"cluster {cluster_id} is not claimed by {reviewer}")
    session.refresh(cluster)
    audit.record(session, actor=reviewer, action="release", subject=audit.cluster_subject(cluster_id), at=at,
                 before=before, after=audit.cluster_state(cluster))


def hold(session: Session, cluster_id: int, reviewer: str, at: datetime, *, claim_required: bool) -> Cluster:
    """Lock a cluster for a decision by ``reviewer``: they must hold its claim (``claim_required``),
    or at least nobody else may. The lock lasts until the transaction ends."""
    cluster = repo.hold_cluster(session, cluster_id, reviewer, at, claim_required=claim_required)
    if cluster is not None:
        return cluster
    cluster = _cluster(session, cluster_id)
    holder = live_holder(cluster, at)
    if holder and holder != reviewer:
        raise _held_by_other(cluster)
    if cluster.claimed_by == reviewer:
        raise LeaseError(f"your claim on cluster {cluster_id} expired at {_when(cluster.claimed_until)}: claim it again")
    raise LeaseError(f"cluster {cluster_id} is not claimed by {reviewer}: claim it first")


def live_holder(cluster: Cluster, at: datetime) -> str | None:
    """Who holds a lease on the cluster at ``at``, if anyone."""
    if cluster.claimed_by and cluster.claimed_until and cluster.claimed_until > at:
        return cluster.claimed_by
    return None


def _cluster(session: Session, cluster_id: int) -> Cluster:
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        raise NotFound(f"no cluster {cluster_id}")
    return cluster


def _refusal(cluster: Cluster) -> Exception:
    claimable = cluster.state in CLAIMABLE or (cluster.state in CLAIMABLE_WHEN_FLAGGED and cluster.another_look)
    if not claimable:
        return StateError(f"cluster {cluster.id} is {cluster.state.value}: not in a review queue")
    return _held_by_other(cluster)


def _held_by_other(cluster: Cluster) -> LeaseError:
    return LeaseError(f"cluster {cluster.id} is claimed by {cluster.claimed_by} until {_when(cluster.claimed_until)}")


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC" if at else "never"
