"""Incremental clustering: each new hit joins the best-matching open cluster or starts one.

A hit is scored against *every* member of a cluster and the scores are averaged (average
linkage), so a chain of pairwise-similar titles cannot drag unrelated stories together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from dedup.text import words

# Words that carry no identity in news headlines about AI incidents.
STOPWORDS = frozenset(
    """a an the and or but of to in on at for from by with as is are was were be been it its this that
    these those after before over under into about against amid says said say new how why what who
    when will would could should can may might has have had not no than then their his her they we you
    your our i he she them up out more most just also via report reports""".split()
)


def title_tokens(title: str) -> str:
    return " ".join(w for w in words(title) if w not in STOPWORDS)


@dataclass
class OpenCluster:
    """What matching needs to know of a cluster: its members' titles and its newest time."""

    id: int | None
    titles: list[str]
    last_seen: datetime
    tokens: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.tokens:
            self.tokens = [title_tokens(t) for t in self.titles]

    def add(self, title: str, seen: datetime) -> None:
        self.titles.append(title)
        self.tokens.append(title_tokens(title))
        self.last_seen = max(self.last_seen, seen)


@dataclass(frozen=True)
class Match:
    cluster: OpenCluster
    score: float  # 0..1


def score(tokens: str, cluster: OpenCluster) -> float:
    """Average token-set similarity of ``tokens`` to each member title, in 0..1."""
    if not tokens or not cluster.tokens:
        return 0.0
    return sum(fuzz.token_set_ratio(tokens, other) for other in cluster.tokens) / (100 * len(cluster.tokens))


def best_match(
    title: str, seen: datetime, clusters: Iterable[OpenCluster], *, threshold: float, window: timedelta
) -> Match | None:
    """The highest-scoring cluster within ``window`` of ``seen`` whose score reaches ``threshold``."""
    tokens = title_tokens(title)
    best: Match | None = None
    for cluster in clusters:
        if abs(seen - cluster.last_seen) > window:
            continue
        s = score(tokens, cluster)
        if s >= threshold and (best is None or s > best.score):
            best = Match(cluster, s)
    return best
