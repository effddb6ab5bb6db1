"""Dedup: normalization, entity extraction, clustering and independence counting (no I/O)."""

from dedup.cluster import Match, OpenCluster, best_match
from dedup.independence import Count, Evidence, count_independent
from dedup.normalize import candidate_key, normalize
from dedup.relevance import matched_keywords
from dedup.similarity import Profile, profile, similarity

__all__ = [
    "Count",
    "Evidence",
    "Match",
    "OpenCluster",
    "Profile",
    "best_match",
    "candidate_key",
    "count_independent",
    "matched_keywords",
    "normalize",
    "profile",
    "similarity",
]
