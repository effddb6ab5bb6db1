"""Rejecting a queue item, with a reason from the methodology's fixed list."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session

from review import audit, claims, counting
from review.errors import NotFound, ReviewError
from review.vocabulary import REJECT_REASONS
from store import Cluster, Incident, QueueState, now

_INCIDENT_ID = re.compile(r"LPI-\d{4}-\d{4,}")


def reject(
    session: Session,
    cluster_id: int,
    reviewer: str,
    reason: str,
    *,
    note: str | None = None,
    duplicate_of: str | int | None = None,
    at: datetime | None = None,
) -> Cluster:
    """Reject a claimed item. ``duplicate`` needs ``duplicate_of`` (a cluster id or an incident id),
    ``other`` needs a ``note``. The members it had are kept with the decision, so that evidence
    arriving later can be told apart (review.recheck)."""
    at = at or now()
    try:
        term = REJECT_REASONS.resolve(reason)
    except ValueError as exc:
        raise ReviewError(str(exc)) from None
    note = (note or "").strip() or None
    if term.slug == "other" and not note:
        raise ReviewError("reason 'other' needs a note saying what")
    if term.slug != "duplicate" and duplicate_of is not None:
        raise ReviewError("duplicate_of goes with reason 'duplicate'")
    cluster = claims.hold(session, cluster_id, reviewer, at, claim_required=True)
    original = _original(session, cluster_id, duplicate_of) if term.slug == "duplicate" else None
    members = counting.member_ids(session, cluster_id)
    before = audit.cluster_state(cluster, members)
    cluster.state, cluster.claimed_by, cluster.claimed_until, cluster.another_look = QueueState.REJECTED, None, None, None
    decision = audit.decide(session, "reject", reviewer=reviewer, at=at, cluster_id=cluster_id, other_cluster_id=original,
                            candidate_ids=members, reason=term.slug, note=note)
    audit.record(session, actor=reviewer, action="reject", subject=audit.cluster_subject(cluster_id), at=at,
                 before=before, after=audit.cluster_state(cluster, members), reason=_words(term.label, original, note),
                 decision=decision)
    return cluster


def _original(session: Session, cluster_id: int, duplicate_of: str | int | None) -> int:
    """The cluster a duplicate duplicates, named by cluster id or by published incident id."""
    if duplicate_of is None:
        raise ReviewError("reason 'duplicate' needs duplicate_of: a cluster id or an incident id (LPI-YYYY-NNNN)")
    named = str(duplicate_of).strip()
    if _INCIDENT_ID.fullmatch(named):
        incident = session.get(Incident, named)
        if incident is None:
            raise NotFound(f"no incident {named}")
        return incident.cluster_id
    if not named.isdigit():
        raise ReviewError(f"duplicate_of {named!r} is neither a cluster id nor an incident id")
    if int(named) == cluster_id:
        raise ReviewError("a cluster cannot duplicate itself")
    if session.get(Cluster, int(named)) is None:
        raise NotFound(f"no cluster {named}")
    return int(named)


def _words(label: str, original: int | None, note: str | None) -> str:
    return "; ".join(part for part in (label, f"duplicate of cluster {original}" if original else None, note) if part)

