"""Incremental clustering of hits, shared by the pipeline and ``lpi cluster-file``.

Hits are taken in the order given. Each one joins, in this order of precedence:
1. the cluster holding a member with its canonical URL (a lead and the same article from a feed);
2. the best cluster sharing an identifier with it (AIID incident, docket, CVE);
3. the best cluster in its block (sharing a rare term, within the time window, no conflicting
   identifier) whose similarity reaches the threshold;
and otherwise starts a cluster of its own. Term statistics and neighbours come from every hit of
the run, the members of the clusters already open and the new hits alike, and from what earlier runs
kept (``Background``): the database path keeps each hit's features once placed, so a run computes
only its new hits' (store.match_index).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from typing import Any

from dedup.cluster import Features, OpenCluster, identifiers
from dedup.similarity import (
    Corpus,
    TermStats,
    Wording,
    boilerplate,
    term_weights,
    widen,
    wording,
)
from dedup.urls import canonical_url

# A hit is scored against the clusters sharing the most of its rare terms' weight, this many of them
# (no change in the dev set's scores down to 5).
CLUSTER_CANDIDATES = 10


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
class KnownMember:
    """A member of an earlier run's cluster, with the features that run computed and kept."""

    key: Hashable
    features: Features


@dataclass(frozen=True)
class KnownCluster:
    """A cluster opened by an earlier run, with its members (their features computed in this run
    when none were kept)."""

    ref: Hashable
    last_seen: datetime | None
    members: Sequence[MatchHit | KnownMember]


@dataclass(frozen=True)
class KeptCluster:
    """A cluster as an earlier run left it: summed (an OpenCluster) and its members' keys, which
    reviewers' decisions are about. Read instead of its members."""

    cluster: OpenCluster
    members: Sequence[Hashable]


@dataclass(frozen=True)
class Background:
    """What earlier runs kept that bears on this one (nothing when clustering a file): their term
    statistics, their hits that may neighbour the new ones (stream, wording), and their latest
    summaries by stream (a stream's template only shows over many of its hits)."""

    stats: TermStats = TermStats()
    neighbours: Sequence[tuple[str, Wording]] = ()
    summaries: Mapping[str, Sequence[frozenset[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Reading:
    """Hits' matching terms: each one's wording, its term weights with its stream's template left
    out, and the templates."""

    wordings: list[Wording]
    weights: list[dict[str, float]]
    templates: dict[str, frozenset[str]]


def read(hits: Sequence[MatchHit], summaries: Mapping[str, Sequence[frozenset[str]]] = {}) -> Reading:
    """The matching terms of ``hits``; ``summaries`` are earlier summaries of their streams."""
    wordings = [wording(h.title, h.summary, h.url, bool(h.entities.get("deployers"))) for h in hits]
    by_stream: dict[str, list[frozenset[str]]] = defaultdict(list)
    for hit, words in zip(hits, wordings, strict=True):
        by_stream[hit.stream].append(words.summary)
    templates = {stream: boilerplate([*summaries.get(stream, ()), *written]) for stream, written in by_stream.items()}
    weights = [term_weights(words, templates[hit.stream]) for hit, words in zip(hits, wordings, strict=True)]
    return Reading(wordings, weights, templates)


@dataclass(frozen=True)
class Placement:
    """Where one new hit went, with what score and why."""

    hit: MatchHit
    cluster: OpenCluster
    score: float
    reason: str  # founded | same url | shared identifier | similar
    features: Features  # what it was compared on: what a later run compares it on

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
    known: Sequence[KnownCluster | KeptCluster],
    new: Sequence[MatchHit],
    settings: MatchSettings,
    may_join: JoinRule = any_join,
    background: Background = Background(),
) -> list[Placement]:
    """Place each of ``new`` in turn into ``known`` or a cluster opened by an earlier new hit,
    never into a cluster ``may_join`` refuses (the hit then looks further, or founds its own)."""
    unkept = [m for c in known if isinstance(c, KnownCluster) for m in c.members if isinstance(m, MatchHit)]
    features_of = features([*unkept, *new], settings, background)
    computed = iter(features_of)
    index = _Index()
    for cluster in known:
        if isinstance(cluster, KeptCluster):
            index.adopt(cluster.cluster, cluster.members)
            continue
        opened = OpenCluster(cluster.ref, cluster.last_seen)
        for member in cluster.members:
            index.add(opened, member.key, member.features if isinstance(member, KnownMember) else next(computed))
    position = len(unkept)
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
        return Placement(hit, same, 1.0, SAME_URL, features)
    sharing = [c for c in index.sharing_identifier(features) if allowed(c)]
    if sharing:
        best = max(sharing, key=lambda c: (c.similarity(features), -index.order[c]))
        return Placement(hit, best, 1.0, SHARED_IDENTIFIER, features)
    scored = [
        (score, -index.order[cluster], cluster)
        for cluster in index.sharing_most(features, lambda c: c.within(features.seen, window) and not c.conflicts(features))
        if (score := cluster.similarity(features) * cluster.name_agreement(features)) >= settings.threshold
    ]
    for score, _, cluster in sorted(scored, key=lambda s: (s[0], s[1]), reverse=True):
        if allowed(cluster):  # asked last: the reviewers' decisions are the dearest check
            return Placement(hit, cluster, score, SIMILAR, features)
    return Placement(hit, OpenCluster(hit.key, None), 1.0, FOUNDED, features)


def features(hits: Sequence[MatchHit], settings: MatchSettings, background: Background = Background()) -> list[Features]:
    """What matching compares of each hit, with term statistics and neighbours taken over all of
    ``hits`` and the ``background``."""
    reading = read(hits, background.summaries)
    near = [term_weights(words, reading.templates.get(stream, frozenset())) for stream, words in background.neighbours]
    corpus = Corpus.of(reading.weights, reading.wordings, background.stats)
    everyone = [*reading.weights, *near]
    names = [words.names for words in (*reading.wordings, *(words for _, words in background.neighbours))]
    blocks = [corpus.block(weights) for weights in everyone]
    own = [corpus.vector(weights, named) for weights, named in zip(everyone, names, strict=True)]
    vectors = widen(own, blocks, neighbours=settings.neighbours, floor=settings.neighbour_floor, first=len(hits))
    return [
        Features(
            vector,
            block,
            web_url(h.url),
            identifiers(h.entities),
            h.seen,
            block & words.names,
            words,
            frozenset(weights),
            {term: mine[term] for term in block},
        )
        for h, vector, block, words, weights, mine in zip(hits, vectors, blocks[: len(hits)], reading.wordings, reading.weights, own[: len(hits)], strict=True)
    ]


def web_url(url: str) -> str:
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

    def adopt(self, cluster: OpenCluster, keys: Sequence[Hashable]) -> None:
        """Index a cluster summed already, with its members' keys."""
        self.order.setdefault(cluster, len(self.order))
        self.members[cluster].extend(keys)
        for url in cluster.urls:
            self.by_url.setdefault(url, cluster)
        for identifier in cluster.identifiers:
            self.by_identifier[identifier].append(cluster)
        for term in cluster.block:
            self.by_term[term].append(cluster)

    def sharing_identifier(self, hit: Features) -> list[OpenCluster]:
        return _unique(c for identifier in hit.identifiers for c in self.by_identifier.get(identifier, ()))

    def sharing_most(self, hit: Features, eligible: Callable[[OpenCluster], bool]) -> list[OpenCluster]:
        """The CLUSTER_CANDIDATES ``eligible`` clusters sharing the most of the hit's rare terms'
        weight (ties to the older): a cluster sharing less is not the likeliest home, and scoring
        every cluster sharing any rare term costs most where a term is common."""
        shared: dict[OpenCluster, float] = defaultdict(float)
        for term, weight in hit.salience.items():
            for cluster in self.by_term.get(term, ()):
                shared[cluster] += weight
        ranked = sorted(shared, key=lambda c: (-shared[c], self.order[c]))
        return list(islice((c for c in ranked if eligible(c)), CLUSTER_CANDIDATES))


def _unique(clusters: Iterable[OpenCluster]) -> list[OpenCluster]:
    return list(dict.fromkeys(clusters))
