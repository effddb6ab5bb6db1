"""A cluster as matching sees it, and the rules for whether a hit belongs to it.

A hit is compared with the cluster's centroid (the sum of its members' vectors): the cosine to the
centroid is the members' average similarity to the hit, scaled by how coherent the cluster is, so
a hit close to one member only cannot chain unrelated stories together (no single link).
Identifiers decide before words do: the same article, AIID incident, court docket or CVE is the
same incident; two different ones of the same kind are never merged by wording alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dedup.similarity import Vector, Wording, dot, norm

# Entity kinds (dedup.entities) that name one incident: sharing one joins, differing ones part.
IDENTIFIER_KINDS = ("aiid_ids", "dockets", "cves")
NAME_MISMATCH = 0.8  # similarity is scaled by this when hit and cluster name different things only


def identifiers(entities: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """The (kind, value) identifiers among a hit's extracted or stated entities."""
    return frozenset(
        (kind, str(value).strip().upper()) for kind in IDENTIFIER_KINDS for value in entities.get(kind) or () if str(value).strip()
    )


@dataclass(frozen=True)
class Features:
    """What matching compares of one hit, computed once per run."""

    vector: Vector  # widened, unit length
    block: frozenset[str]  # its rare terms: a cluster is only scored when it shares one
    url: str  # canonical
    identifiers: frozenset[tuple[str, str]]
    seen: datetime | None  # None: unknown, no time window applies
    names: frozenset[str] = frozenset()  # its rare terms written as names: Slack, Notion, Air Canada
    words: Wording | None = None  # what it was read as: what a later run widens its hits with
    terms: frozenset[str] = frozenset()  # its matching terms, as counted in the document frequencies
    salience: Mapping[str, float] = field(default_factory=dict)  # rare term → its weight in the hit's own words


@dataclass(eq=False)
class OpenCluster:
    """A cluster being matched against: the pipeline's row id, or the founding hit's key."""

    ref: Hashable
    last_seen: datetime | None
    total: Vector = field(default_factory=dict)
    block: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    identifiers: set[tuple[str, str]] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    size: int = 0
    _length: float = 0.0

    @classmethod
    def kept(
        cls,
        ref: Hashable,
        last_seen: datetime | None,
        total: Vector,
        block: set[str],
        identifiers: set[tuple[str, str]],
        names: set[str],
        size: int,
        urls: set[str] | None = None,
    ) -> OpenCluster:
        """A cluster as an earlier run summed it: what its members added, without the members."""
        cluster = cls(ref, last_seen, dict(total), block, urls or set(), identifiers, names, size)
        cluster._length = norm(cluster.total)
        return cluster

    def add(self, member: Features) -> None:
        for term, value in member.vector.items():
            self.total[term] = self.total.get(term, 0.0) + value
        self._length = norm(self.total)
        self.block |= member.block
        self.urls.add(member.url)
        self.identifiers |= member.identifiers
        self.names |= member.names
        self.size += 1
        if member.seen is not None:
            self.last_seen = member.seen if self.last_seen is None else max(self.last_seen, member.seen)

    def similarity(self, hit: Features) -> float:
        """Cosine of the hit to the centroid, in 0..1."""
        return dot(hit.vector, self.total) / self._length if self._length else 0.0

    def name_agreement(self, hit: Features) -> float:
        """1, or NAME_MISMATCH when the hit and the cluster both name things and share none of them:
        two reports of one kind of attack on different products (Slack AI, Notion AI) share the
        attack's words, and only the names tell the incidents apart."""
        return NAME_MISMATCH if hit.names and self.names and not hit.names & self.names else 1.0

    def shares_identifier(self, hit: Features) -> bool:
        return bool(self.identifiers & hit.identifiers)

    def conflicts(self, hit: Features) -> bool:
        """The hit and the cluster name different incidents of one identifier kind."""
        kinds = {kind for kind, _ in hit.identifiers} & {kind for kind, _ in self.identifiers}
        return bool(kinds) and not self.shares_identifier(hit)

    def within(self, seen: datetime | None, window: timedelta) -> bool:
        return seen is None or self.last_seen is None or abs(seen - self.last_seen) <= window
