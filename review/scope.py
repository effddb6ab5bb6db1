"""A cluster's scope: whether its confirming evidence is all out of the tracker's scope, why (member by
member, from each hit's stored assessment, dedup.scope), and whether a reviewer said "in scope after
all". Counting (the intake's recount and review.counting) parks such a cluster in the out-of-scope
state instead of queueing it; a reviewer's "in scope" decision stands through every later run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from dedup.independence import ZERO_WEIGHT_REASONS
from dedup.scope import IN_SCOPE_AT, MemberScope, cluster_out_of_scope
from review.errors import NotFound
from review.hints import hints_for
from store import Candidate, Cluster, QueueState, ReviewerDecision, repo

IN_SCOPE = "in_scope"  # the decision kind: a reviewer overrode the out-of-scope verdict


@dataclass(frozen=True)
class ClusterScope:
    members: list[MemberScope]
    override: ReviewerDecision | None = None
    out: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", self.override is None and cluster_out_of_scope(self.members))

    @property
    def verdict(self) -> str:
        confirming = [m for m in self.members if m.confirming]
        outside = sum(m.in_scope is False for m in confirming)
        if self.override is not None:
            return f"in scope: {self.override.reviewer} decided so (decision {self.override.id})"
        if self.out:
            return f"out of scope: all {len(confirming)} confirming member(s) score below {IN_SCOPE_AT}"
        if not confirming:
            return "no confirming member yet"
        return f"in scope: {len(confirming) - outside} of {len(confirming)} confirming member(s) in scope"

    def explanation(self) -> dict[str, Any]:
        """The scope part of a cluster's stored explanation."""
        return {
            "out_of_scope": self.out,
            "verdict": self.verdict,
            "override": self.override.id if self.override else None,
            "members": [
                {"candidate": m.candidate_id, "confirming": m.confirming, "in_scope": m.in_scope, "score": m.score,
                 "reasons": list(m.reasons)}
                for m in self.members
            ],
        }


def why_out(explanation: dict[str, Any]) -> str | None:
    """For a cluster parked out of scope, its stored explanation in one line: the verdict, and the
    reasons of the confirming member that came closest to scope (if even that one is out, so is
    the cluster). None when the cluster is not out of scope."""
    scope = explanation.get("scope") or {}
    confirming = [m for m in scope.get("members", []) if m["confirming"] and m["score"] is not None]
    if not scope.get("out_of_scope") or not confirming:
        return None
    best = max(confirming, key=lambda m: m["score"])
    return f"{scope['verdict']}; closest, #{best['candidate']} ({best['score']:.2f}): {'; '.join(best['reasons'])}"


def member_scope(candidate: Candidate) -> MemberScope:
    assert candidate.id is not None
    return MemberScope(
        candidate.id, candidate.role not in ZERO_WEIGHT_REASONS, candidate.in_scope, candidate.scope_score,
        candidate.scope_reasons,
    )


def cluster_scope(session: Session, cluster_id: int | None, members: Sequence[Candidate]) -> ClusterScope:
    override = in_scope_decision(session, cluster_id) if cluster_id is not None else None
    return scope_with(members, override)


def scope_with(members: Sequence[Candidate], override: ReviewerDecision | None) -> ClusterScope:
    """The cluster's scope from its members and the reviewer's "in scope after all", if any."""
    return ClusterScope([member_scope(c) for c in members if c.id is not None], override)


def in_scope_decisions(session: Session, cluster_ids: Sequence[int]) -> dict[int, ReviewerDecision]:
    """``in_scope_decision`` for many clusters, a query per few hundred."""
    return repo.latest_decisions(session, IN_SCOPE, cluster_ids)


def in_scope_decision(session: Session, cluster_id: int) -> ReviewerDecision | None:
    """The reviewer's latest "in scope after all" for this cluster, if any."""
    return in_scope_decisions(session, [cluster_id]).get(cluster_id)


def state_for(independent: int, *, out_of_scope: bool = False) -> QueueState:
    """Where the count and the scope put a cluster that no reviewer has decided on."""
    if out_of_scope:
        return QueueState.EXCLUDED
    if independent >= 2:
        return QueueState.PROMOTED
    return QueueState.WATCHED if independent == 1 else QueueState.LEAD


@dataclass(frozen=True)
class MemberView:
    """One member as the scope view shows it: its verdict and reasons, and the category and sector
    hints of its own text (review.vocabulary)."""

    candidate_id: int
    publisher: str
    title: str
    role: str
    confirming: bool
    in_scope: bool | None
    score: float | None
    reasons: list[str]
    categories: list[str]
    sectors: list[str]


@dataclass(frozen=True)
class ScopeView:
    cluster_id: int
    title: str
    state: QueueState
    out_of_scope: bool
    verdict: str
    members: list[MemberView]


def scope_view(session: Session, cluster_id: int) -> ScopeView:
    """A cluster's scope, member by member, as it stands now."""
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        raise NotFound(f"no cluster {cluster_id}")
    found = [candidate for candidate, _ in repo.cluster_members(session, cluster_id)]
    scope = cluster_scope(session, cluster_id, found)
    views = []
    for candidate, member in zip((c for c in found if c.id is not None), scope.members, strict=True):
        hints = hints_for([candidate])
        views.append(MemberView(
            member.candidate_id, candidate.publisher, candidate.title, candidate.role, member.confirming,
            member.in_scope, member.score, list(member.reasons), hints.categories, hints.sectors,
        ))
    return ScopeView(cluster_id, cluster.title, cluster.state, scope.out, scope.verdict, views)
