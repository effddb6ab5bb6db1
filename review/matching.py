"""Reviewer decisions as constraints for automatic matching.

A merge says its two groups of candidates belong together; a split or a "not the same incident"
says its two groups never share a cluster. Each decision stores both groups as they were when it
was made, so the facts hold at the level of candidates and survive any later re-clustering. Later
decisions override earlier ones pair by pair (a reviewer may merge what another split).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import product

from sqlmodel import Session

from store import ReviewerDecision, repo

REGROUPING = ("merge", "split", "not_same")
_JOINS = frozenset({"merge"})

Pair = frozenset[int]


@dataclass(frozen=True)
class StandingDecision:
    """A regrouping decision that still decides at least one pair of candidates."""

    decision_id: int
    kind: str
    cluster_id: int | None
    other_cluster_id: int | None
    reviewer: str
    at: datetime


@dataclass(frozen=True)
class MatchingDecisions:
    apart: dict[Pair, int]  # candidate pair → the decision that separated them (split, not_same)
    together: dict[Pair, int]  # candidate pair → the merge that joined them
    placed: dict[int, int]  # candidate → cluster a reviewer put it in (merge or split): do not move it
    apart_clusters: frozenset[Pair]  # clusters (as they are now) holding a separated pair: never merge them
    standing: tuple[StandingDecision, ...]  # the merges, splits and not-the-same decisions still in force

    def separating(self, group: Iterable[int], other: Iterable[int]) -> int | None:
        """The decision that keeps some candidate of ``group`` apart from some of ``other``, if any."""
        others = list(other)
        return next((self.apart[p] for a in group for b in others if (p := frozenset((a, b))) in self.apart), None)

    def may_join(self, candidate_id: int, cluster_members: Iterable[int]) -> bool:
        """Whether matching may put the candidate into a cluster with these members."""
        return candidate_id not in self.placed and self.separating([candidate_id], cluster_members) is None

    def may_merge(self, cluster_id: int, other_cluster_id: int) -> bool:
        return frozenset((cluster_id, other_cluster_id)) not in self.apart_clusters


def decisions_for_matching(session: Session) -> MatchingDecisions:
    """Every merge, split and not-the-same decision folded into the facts matching must respect."""
    decisions = repo.reviewer_decisions(session, REGROUPING)
    apart: dict[Pair, int] = {}
    together: dict[Pair, int] = {}
    placed: dict[int, int] = {}
    for decision in decisions:
        assert decision.id is not None
        joins = decision.kind in _JOINS
        for pair in _pairs(decision):
            (together if joins else apart)[pair] = decision.id
            (apart if joins else together).pop(pair, None)
        placed.update(_placements(decision))
    in_force = set(apart.values()) | set(together.values())
    return MatchingDecisions(
        apart=apart,
        together=together,
        placed=placed,
        apart_clusters=_apart_clusters(session, apart),
        standing=tuple(_standing(d) for d in decisions if d.id in in_force),
    )


def _pairs(decision: ReviewerDecision) -> Iterable[Pair]:
    return (frozenset((a, b)) for a, b in product(decision.candidate_ids, decision.other_candidate_ids) if a != b)


def _placements(decision: ReviewerDecision) -> dict[int, int]:
    """Where a merge or split put candidates: the moved side into its new cluster, a split's rest stays."""
    if decision.kind == "merge" and decision.cluster_id is not None:
        return dict.fromkeys(decision.other_candidate_ids, decision.cluster_id)
    if decision.kind == "split" and decision.cluster_id is not None and decision.other_cluster_id is not None:
        return dict.fromkeys(decision.candidate_ids, decision.cluster_id) | dict.fromkeys(
            decision.other_candidate_ids, decision.other_cluster_id
        )
    return {}


def _apart_clusters(session: Session, apart: dict[Pair, int]) -> frozenset[Pair]:
    named = sorted({candidate for pair in apart for candidate in pair})
    cluster_of = repo.clusters_of(session, named) if named else {}
    pairs = set()
    for pair in apart:
        clusters = frozenset(cluster_of[c] for c in pair if c in cluster_of)
        if len(clusters) == 2:
            pairs.add(clusters)
    return frozenset(pairs)


def _standing(decision: ReviewerDecision) -> StandingDecision:
    assert decision.id is not None
    return StandingDecision(
        decision.id, decision.kind, decision.cluster_id, decision.other_cluster_id, decision.reviewer, decision.created_at
    )
