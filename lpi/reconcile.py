"""Reconciliation: the clusters awaiting review, and those parked out of scope, re-scored with the current matcher.

Clusters were formed one run at a time, by whatever matcher and term statistics held then. This
looks at them all together now and PROPOSES merges (two clusters whose centroids reach the
threshold, that no reviewer decision keeps apart) and splits (members far below the threshold
from the rest of their cluster, not joined by URL or identifier, not placed by a reviewer). It
changes nothing: a reviewer applies a proposal with ``lpi queue merge`` / ``lpi queue split``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import Engine

from dedup import MatchSettings, OpenCluster
from dedup.cluster import Features
from dedup.matcher import features
from dedup.similarity import dot, norm
from lpi.matching import match_hit
from review import MatchingDecisions, decisions_for_matching
from review.counting import REGROUPABLE_STATES
from store import Candidate, Cluster, repo, session_scope

SPLIT_FACTOR = 0.5  # a member scoring below threshold × this against the rest of its cluster is an outlier


@dataclass(frozen=True)
class MergeProposal:
    keep: int  # the older cluster
    absorb: int
    score: float  # cosine of the two centroids
    titles: tuple[str, str]

    @property
    def command(self) -> str:
        return f"lpi queue merge {self.keep} {self.absorb}"


@dataclass(frozen=True)
class SplitProposal:
    cluster_id: int
    candidate_id: int
    score: float  # cosine of the member to the centroid of the rest of its cluster
    cluster_title: str
    member_title: str

    @property
    def command(self) -> str:
        return f"lpi queue split {self.cluster_id} {self.candidate_id}"


@dataclass(frozen=True)
class Proposals:
    clusters: int  # clusters re-scored
    threshold: float
    merges: list[MergeProposal]
    splits: list[SplitProposal]

    def to_dict(self) -> dict[str, Any]:
        return {
            "clusters": self.clusters,
            "threshold": self.threshold,
            "merges": [asdict(m) | {"command": m.command} for m in self.merges],
            "splits": [asdict(s) | {"command": s.command} for s in self.splits],
        }

    def render_markdown(self) -> str:
        lines = [
            "# Reconciliation proposals",
            "",
            (
                f"{self.clusters} clusters awaiting review re-scored at threshold {self.threshold}: "
                f"**{len(self.merges)}** merges and **{len(self.splits)}** splits proposed. Nothing was changed."
            ),
        ]
        if self.merges:
            lines += ["", "## Merges", "", "| score | keep | absorb | command |", "|---|---|---|---|"]
            lines += [
                f"| {m.score:.3f} | {m.keep}: {_cell(m.titles[0])} | {m.absorb}: {_cell(m.titles[1])} | `{m.command}` |"
                for m in self.merges
            ]
        if self.splits:
            lines += ["", "## Splits", "", "| score | cluster | member | command |", "|---|---|---|---|"]
            lines += [
                f"| {s.score:.3f} | {s.cluster_id}: {_cell(s.cluster_title)} | {s.candidate_id}: {_cell(s.member_title)} "
                f"| `{s.command}` |"
                for s in self.splits
            ]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Scored:
    cluster: Cluster
    members: list[tuple[Candidate, Features]]
    centroid: OpenCluster


def reconcile(engine: Engine, settings: MatchSettings) -> Proposals:
    """Proposals for every cluster awaiting review or parked out of scope; reads only."""
    with session_scope(engine) as session:
        clusters = [c for c in repo.queue(session, REGROUPABLE_STATES) if c.id is not None]
        members = repo.members_of(session, [c.id for c in clusters if c.id is not None])
        decisions = decisions_for_matching(session)
    scored = _score(clusters, members, settings)
    return Proposals(
        len(scored), settings.threshold, _merges(scored, decisions, settings), _splits(scored, decisions, settings)
    )


def _score(clusters: list[Cluster], members: dict[int, list[Candidate]], settings: MatchSettings) -> list[_Scored]:
    """Each cluster with its members' features, all computed in one pass (shared term statistics)."""
    kept = sorted((c for c in clusters if c.id in members), key=lambda c: c.id or 0)
    candidates = [candidate for c in kept for candidate in members[c.id or 0]]
    computed = iter(features([match_hit(c) for c in candidates], settings))
    scored = []
    for cluster in kept:
        pairs = [(candidate, next(computed)) for candidate in members[cluster.id or 0]]
        scored.append(_Scored(cluster, pairs, _centroid(cluster.id, [f for _, f in pairs])))
    return scored


def _centroid(ref: int | None, of: list[Features]) -> OpenCluster:
    centroid = OpenCluster(ref, None)
    for member in of:
        centroid.add(member)
    return centroid


def _merges(scored: list[_Scored], decisions: MatchingDecisions, settings: MatchSettings) -> list[MergeProposal]:
    by_term: dict[str, list[_Scored]] = defaultdict(list)
    for item in scored:
        for term in item.centroid.block:
            by_term[term].append(item)
    pairs = {(a.cluster.id, b.cluster.id): (a, b) for group in by_term.values() for a, b in combinations(group, 2)}
    window = timedelta(days=settings.window_days)
    proposals = []
    for a, b in pairs.values():
        score = _cosine(a.centroid, b.centroid)
        if score < settings.threshold or not _may_merge(a, b, decisions, window):
            continue
        assert a.cluster.id is not None and b.cluster.id is not None
        proposals.append(MergeProposal(a.cluster.id, b.cluster.id, round(score, 3), (a.cluster.title, b.cluster.title)))
    return sorted(proposals, key=lambda p: (-p.score, p.keep, p.absorb))


def _may_merge(a: _Scored, b: _Scored, decisions: MatchingDecisions, window: timedelta) -> bool:
    """Within the time window, no conflicting identifier, and no reviewer decision keeping them apart."""
    assert a.cluster.id is not None and b.cluster.id is not None
    ids_a, ids_b = a.centroid.identifiers, b.centroid.identifiers
    conflicting = bool({k for k, _ in ids_a} & {k for k, _ in ids_b}) and not ids_a & ids_b
    apart = not decisions.may_merge(a.cluster.id, b.cluster.id) or decisions.separating(_ids(a), _ids(b)) is not None
    return abs(a.cluster.last_seen_at - b.cluster.last_seen_at) <= window and not conflicting and not apart


def _splits(scored: list[_Scored], decisions: MatchingDecisions, settings: MatchSettings) -> list[SplitProposal]:
    floor = settings.threshold * SPLIT_FACTOR
    proposals = []
    for item in scored:
        if len(item.members) < 2:
            continue
        # In a pair both members score the same against each other: only the later one is proposed.
        considered = item.members[1:] if len(item.members) == 2 else item.members
        for candidate, member in considered:
            if candidate.id is None or candidate.id in decisions.placed:
                continue
            rest = _centroid(item.cluster.id, [f for c, f in item.members if c is not candidate])
            if (member.url and member.url in rest.urls) or member.identifiers & rest.identifiers:
                continue  # the same article or a shared identifier: it belongs whatever its words say
            score = rest.similarity(member)
            if score < floor:
                assert item.cluster.id is not None
                proposals.append(SplitProposal(item.cluster.id, candidate.id, round(score, 3), item.cluster.title, candidate.title))
    return sorted(proposals, key=lambda p: (p.score, p.cluster_id, p.candidate_id))


def _cosine(a: OpenCluster, b: OpenCluster) -> float:
    lengths = norm(a.total) * norm(b.total)
    return dot(a.total, b.total) / lengths if lengths else 0.0


def _ids(item: _Scored) -> list[int]:
    return [c.id for c, _ in item.members if c.id is not None]


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())
