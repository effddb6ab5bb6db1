"""Incremental clustering of hits, shared by the pipeline and ``lpi cluster-file``.

Hits are taken in the order given. Each one joins, in this order of precedence:
1. the cluster holding a member with its canonical URL (a lead and the same article from a feed);
2. the best cluster sharing an identifier with it (AIID incident, docket, CVE);
3. the best cluster in its block (sharing a rare term, within the time window, no conflicting
   identifier) whose similarity reaches the threshold;
and otherwise starts a cluster of its own. Term statistics and neighbours come from every hit of
the run, the members of the clusters already open and the new hits alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from dedup.cluster import Features, OpenCluster, identifiers
from dedup.similarity import Corpus, boilerplate, term_weights, widen, wording
from dedup.urls import canonical_url


@dataclass(frozen=True)
class MatchSettings:
    """The matching knobs (the ``matching:`` section of the configuration)."""

    threshold: float = 0.4  # cosine (0..1) of a hit to a cluster's centroid needed to join it
    window_days: int = 45  # a hit only joins clusters seen within this many days of it
    near_margin: float = 0.05  # a join scoring below threshold + near_margin is flagged for review
    neighbours: int = 10  # how many nearest hits widen a hit's vector
    neighbour_floor: float = 0.15  # the least cosine a neighbour needs to count

    def is_near(self, score: float) -> bool:
        """A join by similarity that only just reached the threshold: the first a reviewer should check."""
        return self.threshold <= score < self.threshold + self.near_margin


@dataclass(frozen=True)
class MatchHit:
    """One hit as matching reads it."""

    key: Hashable
    url: str
    title: str
    summary: str = ""
    seen: datetime | None = None  # published (or fetched) time; None when unknown
    entities: Mapping[str, Any] = field(default_factory=dict)
    stream: str = ""  # hits of one stream share a summary template, which is not evidence


@dataclass(frozen=True)
class KnownCluster:
    """A cluster opened by an earlier run, with its members."""

    ref: Hashable
    last_seen: datetime | None
    members: Sequence[MatchHit]


@dataclass(frozen=True)
class Placement:
    """Where one new hit went, with what score and why."""

    hit: MatchHit
    cluster: OpenCluster
    score: float
    reason: str  # founded | same url | shared identifier | similar

    @property
    def founded(self) -> bool:
        return self.reason == FOUNDED


FOUNDED, SAME_URL, SHARED_IDENTIFIER, SIMILAR = "founded", "same url", "shared identifier", "similar"

# Whether a hit (by key) may join a cluster with these member keys: how reviewer decisions
# (review.matching) constrain matching without dedup knowing about reviewers.
JoinRule = Callable[[Any, Sequence[Any]], bool]


def any_join(key: Hashable, members: Sequence[Hashable]) -> bool:
    """No constraint: every join the evidence supports is allowed."""
    return True


def place(
    known: Sequence[KnownCluster], new: Sequence[MatchHit], settings: MatchSettings, may_join: JoinRule = any_join
) -> list[Placement]:
    """Place each of ``new`` in turn into ``known`` or a cluster opened by an earlier new hit,
    never into a cluster ``may_join`` refuses (the hit then looks further, or founds its own)."""
    features_of = features([*(m for c in known for m in c.members), *new], settings)
    index = _Index()
    position = 0
    for cluster in known:
        opened = OpenCluster(cluster.ref, cluster.last_seen)
        for member in cluster.members:
            index.add(opened, member.key, features_of[position])
            position += 1
    window = timedelta(days=settings.window_days)
    placements = []
    for hit, hit_features in zip(new, features_of[position:], strict=True):
        allowed = partial(_allowed, may_join, index, hit.key)
        placement = _place_one(hit, hit_features, index, settings, window, allowed)
        index.add(placement.cluster, hit.key, hit_features)
        placements.append(placement)
    return placements


def _allowed(may_join: JoinRule, index: _Index, key: Hashable, cluster: OpenCluster) -> bool:
    return may_join(key, index.members[cluster])


def _place_one(
    hit: MatchHit,
    features: Features,
    index: _Index,
    settings: MatchSettings,
    window: timedelta,
    allowed: Callable[[OpenCluster], bool],
) -> Placement:
    if features.url and (same := index.by_url.get(features.url)) and allowed(same):
        return Placement(hit, same, 1.0, SAME_URL)
    sharing = [c for c in index.sharing_identifier(features) if allowed(c)]
    if sharing:
        best = max(sharing, key=lambda c: (c.similarity(features), -index.order[c]))
        return Placement(hit, best, 1.0, SHARED_IDENTIFIER)
    scored = [
        (cluster.similarity(features) * cluster.name_agreement(features), -index.order[cluster], cluster)
        for cluster in index.block_of(features)
        if cluster.within(features.seen, window) and not cluster.conflicts(features) and allowed(cluster)
    ]
    if scored:
        score, _, cluster = max(scored, key=lambda s: (s[0], s[1]))
        if score >= settings.threshold:
            return Placement(hit, cluster, score, SIMILAR)
    return Placement(hit, OpenCluster(hit.key, None), 1.0, FOUNDED)


def features(hits: Sequence[MatchHit], settings: MatchSettings) -> list[Features]:
    """What matching compares of each hit, with term statistics and neighbours taken over all of ``hits``."""
    wordings = [wording(h.title, h.summary, h.url) for h in hits]
    summaries_by_stream: dict[str, list[frozenset[str]]] = defaultdict(list)
    for hit, words in zip(hits, wordings, strict=True):
        summaries_by_stream[hit.stream].append(words.summary)
    templates = {stream: boilerplate(summaries) for stream, summaries in summaries_by_stream.items()}
    weights = [term_weights(words, templates[hit.stream]) for hit, words in zip(hits, wordings, strict=True)]
    corpus = Corpus.of(weights, wordings)
    blocks = [frozenset(t for t in w if corpus.is_rare(t)) for w in weights]
    vectors = widen(
        [corpus.vector(w, words.names) for w, words in zip(weights, wordings, strict=True)],
        blocks,
        neighbours=settings.neighbours,
        floor=settings.neighbour_floor,
    )
    return [
        Features(vector, block, _web_url(h.url), identifiers(h.entities), h.seen, block & words.names)
        for h, vector, block, words in zip(hits, vectors, blocks, wordings, strict=True)
    ]


def _web_url(url: str) -> str:
    """The canonical form of a web URL; "" for anything else (a guid, nothing), which never matches."""
    canonical = canonical_url(url)
    return canonical if canonical.startswith("https://") else ""


class _Index:
    """Open clusters by member URL, identifier and rare term: what a hit is compared with."""

    def __init__(self) -> None:
        self.order: dict[OpenCluster, int] = {}  # opening order: ties go to the older cluster
        self.by_url: dict[str, OpenCluster] = {}
        self.by_identifier: dict[tuple[str, str], list[OpenCluster]] = defaultdict(list)
        self.by_term: dict[str, list[OpenCluster]] = defaultdict(list)
        self.members: dict[OpenCluster, list[Hashable]] = defaultdict(list)

    def add(self, cluster: OpenCluster, key: Hashable, member: Features) -> None:
        self.order.setdefault(cluster, len(self.order))
        self.members[cluster].append(key)
        if member.url:
            self.by_url.setdefault(member.url, cluster)
        for identifier in member.identifiers - cluster.identifiers:
            self.by_identifier[identifier].append(cluster)
        for term in member.block - cluster.block:
            self.by_term[term].append(cluster)
        cluster.add(member)

    def sharing_identifier(self, hit: Features) -> list[OpenCluster]:
        return _unique(c for identifier in hit.identifiers for c in self.by_identifier.get(identifier, ()))

    def block_of(self, hit: Features) -> list[OpenCluster]:
        return _unique(c for term in hit.block for c in self.by_term.get(term, ()))


def _unique(clusters: Iterable[OpenCluster]) -> list[OpenCluster]:
    return list(dict.fromkeys(clusters))
