"""Everything a reviewer weighs on one queue item: the count explained (each origin with the hit that
counts for it and the hits collapsed into it, each zero-weight hit, and why), each member side by side
with whether it counted and why (from the cluster's stored explanation), the hints, the AIID
cross-reference, the claim, and the decisions taken on it so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from dedup.entities import UNDISCLOSED_MODEL, UNDISCLOSED_VENDOR
from review.claims import live_holder
from review.draft import FIELDS
from review.errors import NotFound
from review.hints import Hints, first_seen_date, hints_for
from sources.streams import STREAMS
from store import (
    Candidate,
    Cluster,
    ClusterMember,
    QueueState,
    ReviewerDecision,
    now,
    repo,
)

AIID_CITE = "https://incidentdatabase.ai/cite/{}"
SNIPPET_CHARS = 280


@dataclass(frozen=True)
class MemberEvidence:
    candidate_id: int
    publisher: str
    stream: str
    source_type: str  # the stream's title
    role: str
    published_at: datetime | None
    date_is_fetch_time: bool  # the entry had no date of its own
    title: str
    snippet: str
    url: str
    via_url: str | None  # the aggregator entry or discovery post it was found through
    match_score: float
    placed_by: str  # "auto" or the reviewer who moved it here
    counted: bool  # the member that counts for its origin
    why: str


@dataclass(frozen=True)
class CountedHit:
    """One member in the count's explanation: which hit, from whom, and why it weighs what it does."""

    candidate_id: int
    publisher: str
    reason: str  # "" for the hit an origin counts through, when it is the publisher's own


@dataclass(frozen=True)
class OriginCount:
    """One independent origin: the hit it counts through and the hits collapsed into it."""

    origin: str
    counted: CountedHit
    collapsed: list[CountedHit]


@dataclass(frozen=True)
class CountExplained:
    origins: list[OriginCount]
    zero: list[CountedHit]  # discovery posts, leads, aggregator entries


@dataclass(frozen=True)
class DecisionRecord:
    """A decision taken on the cluster (it may be on either side of a two-cluster decision)."""

    id: int
    kind: str
    reviewer: str
    at: datetime
    cluster_id: int | None
    other_cluster_id: int | None
    reason: str | None
    note: str | None


@dataclass(frozen=True)
class ClusterEvidence:
    cluster_id: int
    state: QueueState
    title: str
    independent: int
    origins: list[str]
    count: CountExplained
    members: list[MemberEvidence]
    explanation: dict[str, Any]
    hints: Hints
    aiid_id: str | None
    aiid_url: str | None
    claimed_by: str | None  # live claims only
    claimed_until: datetime | None
    another_look: str | None
    incident_id: str | None  # when published
    decisions: list[DecisionRecord]
    first_seen_date: str | None


def evidence(session: Session, cluster_id: int, *, at: datetime | None = None) -> ClusterEvidence:
    at = at or now()
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        raise NotFound(f"no cluster {cluster_id}")
    rows = repo.cluster_members(session, cluster_id)
    candidates = [candidate for candidate, _ in rows]
    why = why_by_candidate(cluster.explanation)
    holder = live_holder(cluster, at)
    incident = repo.incident_of_cluster(session, cluster_id)
    first = first_seen_date(candidates)
    return ClusterEvidence(
        cluster_id=cluster_id,
        state=cluster.state,
        title=cluster.title,
        independent=cluster.independent_count,
        origins=[o["origin"] for o in cluster.explanation.get("origins", [])],
        count=count_explained(cluster.explanation, {c.id or 0: c.publisher for c in candidates}),
        members=[_member(c, m, why.get(c.id or 0, (False, "not counted yet"))) for c, m in rows],
        explanation=cluster.explanation,
        hints=hints_for(candidates),
        aiid_id=cluster.aiid_id,
        aiid_url=AIID_CITE.format(cluster.aiid_id) if cluster.aiid_id else None,
        claimed_by=holder,
        claimed_until=cluster.claimed_until if holder else None,
        another_look=cluster.another_look,
        incident_id=incident.id if incident else None,
        decisions=[_decision(d) for d in repo.cluster_decisions(session, cluster_id)],
        first_seen_date=first.isoformat() if first else None,
    )


def why_by_candidate(explanation: dict[str, Any]) -> dict[int, tuple[bool, str]]:
    """Candidate id → (counted, why), read from a cluster's stored explanation."""
    why: dict[int, tuple[bool, str]] = {}
    for origin in explanation.get("origins", []):
        through = f" ({origin['reason']})" if origin.get("reason") else ""
        why[origin["candidates"][0]] = (True, f"counted: origin {origin['origin']}{through}")
    for item in explanation.get("collapsed", []):
        why[item["candidate"]] = (False, f"collapsed into {item['into']}: {item['reason']}")
    for item in explanation.get("zero", []):
        why[item["candidate"]] = (False, f"counts zero: {item['reason']}")
    return why


def count_explained(explanation: dict[str, Any], publishers: dict[int, str]) -> CountExplained:
    """The stored explanation grouped by origin, each hit with its publisher (``publishers``: id → publisher)."""
    reasons = {item["candidate"]: item["reason"] for item in explanation.get("collapsed", [])}

    def hit(candidate_id: int, reason: str) -> CountedHit:
        return CountedHit(candidate_id, publishers.get(candidate_id, "?"), reason)

    origins = [
        OriginCount(
            origin["origin"],
            hit(origin["candidates"][0], origin.get("reason", "")),
            [hit(c, reasons.get(c, "")) for c in origin["candidates"][1:]],
        )
        for origin in explanation.get("origins", [])
    ]
    zero = [hit(item["candidate"], item["reason"]) for item in explanation.get("zero", [])]
    return CountExplained(origins, zero)


def suggested_fields(found: ClusterEvidence) -> dict[str, Any]:
    """A starting point for the incident fields, from the evidence; the reviewer confirms each one."""
    model = next((m for m in found.hints.models if m.vendor != UNDISCLOSED_VENDOR), None)
    suggestions: dict[str, Any] = {
        "title": found.title,
        "incident_date": found.first_seen_date,
        "category": found.hints.categories[0] if found.hints.categories else None,
        "sector": found.hints.sectors[0] if found.hints.sectors else None,
        "model_vendor": model.vendor if model else None,
        "model_name": model.model if model else UNDISCLOSED_MODEL,
        "deployer": found.hints.deployers[0] if found.hints.deployers else None,
        "notable": False,
        "aiid_id": found.aiid_id,
    }
    return {spec.name: suggestions.get(spec.name) for spec in FIELDS}


def _member(candidate: Candidate, member: ClusterMember, why: tuple[bool, str]) -> MemberEvidence:
    assert candidate.id is not None
    stream = STREAMS.get(candidate.stream)
    summary = " ".join(candidate.summary.split())
    return MemberEvidence(
        candidate_id=candidate.id,
        publisher=candidate.publisher,
        stream=candidate.stream,
        source_type=stream.title if stream else candidate.stream,
        role=candidate.role,
        published_at=candidate.published_at,
        date_is_fetch_time=candidate.published_is_fallback,
        title=candidate.title,
        snippet=summary if len(summary) <= SNIPPET_CHARS else summary[: SNIPPET_CHARS - 1].rstrip() + "…",
        url=candidate.url,
        via_url=candidate.via_url,
        match_score=member.score,
        placed_by=member.added_by,
        counted=why[0],
        why=why[1],
    )


def _decision(decision: ReviewerDecision) -> DecisionRecord:
    assert decision.id is not None
    return DecisionRecord(
        decision.id, decision.kind, decision.reviewer, decision.created_at,
        decision.cluster_id, decision.other_cluster_id, decision.reason, decision.note,
    )
