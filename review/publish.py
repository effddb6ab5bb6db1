"""Verifying a queue item: the claim holder publishes it as an incident ``LPI-YYYY-NNNN``.

Everything happens in the caller's transaction: the claim is checked with the cluster's row locked,
the fields are validated, then the year's next number is taken. A failure anywhere rolls back the
number with the rest, so published ids run without gaps and are never issued twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from review import audit, claims
from review.draft import parse_draft
from review.errors import StateError
from review.values import json_fields
from sources.streams import STREAMS
from store import Candidate, Cluster, Incident, QueueState, now, repo

REQUIRED_SOURCES = 2  # independent confirming sources the methodology requires before publication


def incident_id(year: int, number: int) -> str:
    return f"LPI-{year}-{number:04d}"


def verify(
    session: Session, cluster_id: int, reviewer: str, fields: Mapping[str, Any], *, at: datetime | None = None
) -> Incident:
    """Publish the cluster ``reviewer`` holds as an incident with ``fields`` (see review.draft.FIELDS;
    title and AIID id default to the cluster's). Raises LeaseError, StateError or DraftError."""
    at = at or now()
    cluster = claims.hold(session, cluster_id, reviewer, at, claim_required=True)
    if cluster.independent_count < REQUIRED_SOURCES:
        raise StateError(
            f"cluster {cluster_id} has {cluster.independent_count} independent confirming source(s); "
            f"publication needs {REQUIRED_SOURCES}"
        )
    given = {name: value for name, value in fields.items() if value is not None}
    draft = parse_draft({"title": cluster.title, "aiid_id": cluster.aiid_id, **given}, today=at.date())
    members = [candidate for candidate, _ in repo.cluster_members(session, cluster_id)]
    incident = Incident(
        id=incident_id(at.year, repo.next_incident_number(session, at.year)),
        cluster_id=cluster_id,
        sources=sources(cluster, members),
        published_at=at,
        **draft.columns(),
    )
    session.add(incident)
    before = audit.cluster_state(cluster, [c.id for c in members if c.id is not None])
    cluster.state, cluster.claimed_by, cluster.claimed_until, cluster.another_look = QueueState.VERIFIED, None, None, None
    decision = audit.decide(session, "verify", reviewer=reviewer, at=at, cluster_id=cluster_id,
                            candidate_ids=before["members"], note=incident.id)
    after = {**audit.cluster_state(cluster), "incident": incident.id, "fields": json_fields(draft.columns())}
    audit.record(session, actor=reviewer, action="verify", subject=audit.cluster_subject(cluster_id), at=at,
                 before=before, after=after, decision=decision)
    session.flush()
    return incident


def sources(cluster: Cluster, members: list[Candidate]) -> list[dict[str, str]]:
    """One source per independent origin: the member that counted for it (url, publisher, stream type)."""
    by_id = {c.id: c for c in members}
    found = []
    for origin in cluster.explanation.get("origins", []):
        counted = by_id.get(origin["candidates"][0])
        if counted is not None:
            stream = STREAMS.get(counted.stream)
            found.append({"url": counted.url, "publisher": counted.publisher, "type": stream.title if stream else counted.stream})
    return found
