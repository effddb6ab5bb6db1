"""Dedup: normalization, entity extraction, clustering and independence counting (no I/O)."""

from dedup.cluster import OpenCluster
from dedup.independence import Count, Evidence, count_independent
from dedup.matcher import KnownCluster, MatchHit, MatchSettings, Placement, place
from dedup.normalize import candidate_key, normalize
from dedup.relevance import matched_keywords

__all__ = [
    "Count",
    "Evidence",
    "KnownCluster",
    "MatchHit",
    "MatchSettings",
    "OpenCluster",
    "Placement",
    "candidate_key",
    "count_independent",
    "matched_keywords",
    "normalize",
    "place",
]
