"""Incremental clustering: each new hit joins the best-matching open cluster or starts one.

A hit is scored against *every* member of a cluster and the scores are averaged (average
linkage), so a chain of pairwise-similar titles cannot drag unrelated stories together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dedup.similarity import Profile, similarity


@dataclass
class OpenCluster:
    """What matching needs to know of a cluster: its members' profiles and its newest time."""

    id: int | None
    members: list[Profile]
    last_seen: datetime

    def add(self, member: Profile, seen: datetime) -> None:
        self.members.append(member)
        self.last_seen = max(self.last_seen, seen)


@dataclass(frozen=True)
class Match:
    cluster: OpenCluster
    score: float  # 0..1


def score(hit: Profile, cluster: OpenCluster) -> float:
    """Average similarity of ``hit`` to each member (average linkage), in 0..1."""
    if not cluster.members:
        return 0.0
    return sum(similarity(hit, member) for member in cluster.members) / len(cluster.members)


def best_match(
    hit: Profile, seen: datetime, clusters: Iterable[OpenCluster], *, threshold: float, window: timedelta
) -> Match | None:
    """The highest-scoring cluster within ``window`` of ``seen`` whose score reaches ``threshold``."""
    best: Match | None = None
    for cluster in clusters:
        if abs(seen - cluster.last_seen) > window:
            continue
        s = score(hit, cluster)
        if s >= threshold and (best is None or s > best.score):
            best = Match(cluster, s)
    return best
