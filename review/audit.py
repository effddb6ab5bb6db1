"""The record of what reviewers did: decisions (facts later runs respect) and the audit log (who, when,
what, and the state before and after) that every action writes to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from store import Cluster, ReviewerDecision, repo
from store.models import AuditEntry


def cluster_subject(cluster_id: int | None) -> str:
    return f"cluster:{cluster_id}"


def incident_subject(incident_id: str) -> str:
    return f"incident:{incident_id}"


def cluster_state(cluster: Cluster, members: list[int] | None = None) -> dict[str, Any]:
    """What a decision about a cluster can change, as JSON (with its member ids when regrouping)."""
    state: dict[str, Any] = {
        "state": cluster.state.value,
        "independent": cluster.independent_count,
        "claimed_by": cluster.claimed_by,
        "claimed_until": cluster.claimed_until.isoformat() if cluster.claimed_until else None,
        "another_look": cluster.another_look,
    }
    if members is not None:
        state["members"] = members
    return state


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    at: datetime,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str | None = None,
    decision: ReviewerDecision | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        before=before,
        after=after,
        reason=reason,
        decision_id=decision.id if decision else None,
    )
    session.add(entry)
    return entry


def decide(
    session: Session,
    kind: str,
    *,
    reviewer: str,
    at: datetime,
    cluster_id: int | None,
    other_cluster_id: int | None = None,
    candidate_ids: list[int] | None = None,
    other_candidate_ids: list[int] | None = None,
    reason: str | None = None,
    note: str | None = None,
) -> ReviewerDecision:
    """Store a reviewer decision (flushed, so audit entries can point at it)."""
    decision = ReviewerDecision(
        kind=kind,
        cluster_id=cluster_id,
        other_cluster_id=other_cluster_id,
        candidate_ids=candidate_ids or [],
        other_candidate_ids=other_candidate_ids or [],
        reason=reason,
        note=note,
        reviewer=reviewer,
        created_at=at,
    )
    session.add(decision)
    session.flush()
    return decision


def log(session: Session, subject: str | None = None) -> list[AuditEntry]:
    """The audit log, or one subject's part of it, oldest first."""
    return repo.audit_entries(session, subject)
