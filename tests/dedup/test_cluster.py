"""An open cluster: its centroid, time bounds and identifier rules."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from dedup.cluster import Features, OpenCluster, identifiers

T0 = datetime(2024, 2, 16, 18, 0, tzinfo=UTC)
WINDOW = timedelta(days=45)


def features(vector: dict[str, float], *, url: str = "", ids: frozenset[tuple[str, str]] = frozenset(), seen: datetime | None = T0) -> Features:
    return Features(vector, frozenset(vector), url, ids, seen)


def test_similarity_is_the_cosine_to_the_centroid() -> None:
    cluster = OpenCluster("c", None)
    cluster.add(features({"air": 1.0}))
    cluster.add(features({"canada": 1.0}))

    # centroid (1, 1): a hit like either member scores 1/sqrt(2), one like both scores 1
    assert math.isclose(cluster.similarity(features({"air": 1.0})), 1 / math.sqrt(2))
    assert math.isclose(cluster.similarity(features({"air": 1 / math.sqrt(2), "canada": 1 / math.sqrt(2)})), 1.0)
    assert cluster.similarity(features({"pizza": 1.0})) == 0.0


def test_a_hit_like_one_member_of_a_mixed_cluster_scores_low() -> None:
    mixed = OpenCluster("c", None)
    for word in ("air", "pizza", "slack"):
        mixed.add(features({word: 1.0}))

    assert math.isclose(mixed.similarity(features({"air": 1.0})), 1 / math.sqrt(3))


def test_adding_members_moves_last_seen_forward_only_and_keeps_urls_and_blocks() -> None:
    cluster = OpenCluster("c", T0)
    cluster.add(features({"a": 1.0}, url="https://x.org/1", seen=T0 + timedelta(days=3)))
    cluster.add(features({"b": 1.0}, url="https://x.org/2", seen=T0 + timedelta(days=1)))
    cluster.add(features({"c": 1.0}, seen=None))

    assert cluster.last_seen == T0 + timedelta(days=3)
    assert cluster.urls == {"https://x.org/1", "https://x.org/2", ""}
    assert cluster.block == {"a", "b", "c"} and cluster.size == 3


def test_time_window_applies_both_ways_and_not_to_unknown_times() -> None:
    cluster = OpenCluster("c", T0)

    assert cluster.within(T0 + timedelta(days=44), WINDOW) and cluster.within(T0 - timedelta(days=45), WINDOW)
    assert not cluster.within(T0 + timedelta(days=46), WINDOW) and not cluster.within(T0 - timedelta(days=46), WINDOW)
    assert cluster.within(None, WINDOW) and OpenCluster("d", None).within(T0, WINDOW)


def test_identifiers_are_read_from_entities_of_the_identifying_kinds_only() -> None:
    entities = {"aiid_ids": ["639", 639], "dockets": ["1:24-cv-03285"], "cves": ["cve-2025-32711"], "models": [{"model": "GPT"}]}

    assert identifiers(entities) == {("aiid_ids", "639"), ("dockets", "1:24-CV-03285"), ("cves", "CVE-2025-32711")}
    assert identifiers({}) == frozenset()


def test_shared_identifier_and_conflict() -> None:
    cluster = OpenCluster("c", None)
    cluster.add(features({"a": 1.0}, ids=frozenset({("dockets", "1:24-CV-03285")})))

    same_case = features({"b": 1.0}, ids=frozenset({("dockets", "1:24-CV-03285"), ("aiid_ids", "1")}))
    other_case = features({"a": 1.0}, ids=frozenset({("dockets", "1:23-CV-11195")}))
    no_docket = features({"a": 1.0}, ids=frozenset({("cves", "CVE-2024-1")}))

    assert cluster.shares_identifier(same_case) and not cluster.conflicts(same_case)
    assert cluster.conflicts(other_case) and not cluster.shares_identifier(other_case)
    assert not cluster.conflicts(no_docket)  # a different kind says nothing either way
