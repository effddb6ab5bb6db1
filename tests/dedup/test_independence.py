"""Independence counting: one origin per organization, copies once, zero-weight roles explained."""

from __future__ import annotations

from dedup.independence import Evidence, count_independent


def confirming(candidate_id: int, publisher: str, fingerprint: str) -> Evidence:
    return Evidence(candidate_id, "confirming", publisher, fingerprint, "tier1-news")


def test_different_publishers_with_their_own_text_each_count() -> None:
    count = count_independent([confirming(1, "theguardian.com", "g"), confirming(2, "arstechnica.com", "a")])

    assert count.independent == 2 and count.collapsed == [] and count.zero == []


def test_same_publisher_collapses_into_one_origin() -> None:
    count = count_independent([confirming(1, "apnews.com", "first"), confirming(2, "apnews.com", "update")])

    assert count.independent == 1
    assert count.origins == {"apnews.com": [1, 2]}
    assert count.collapsed == [{"candidate": 2, "into": "apnews.com", "reason": "same originating organization"}]


def test_identical_text_from_another_publisher_collapses_as_a_syndicated_copy() -> None:
    count = count_independent([confirming(1, "apnews.com", "same-words"), confirming(2, "abcnews.go.com", "same-words")])

    assert count.independent == 1
    assert count.origins == {"apnews.com": [1, 2]}
    [copy] = count.collapsed
    assert copy["candidate"] == 2 and copy["into"] == "apnews.com"
    assert copy["reason"] == "identical text to candidate 1: a syndicated copy"


def test_discovery_lead_and_aggregator_count_zero_with_reasons() -> None:
    members = [
        Evidence(1, "discovery", "reddit.com", "r", "reddit-hn"),
        Evidence(2, "lead", "lpi.example", "l", "user-submissions"),
        Evidence(3, "aggregator", "incidentdatabase.ai", "i", "aiid"),
    ]

    count = count_independent(members)

    assert count.independent == 0 and count.origins == {}
    reasons = {z["candidate"]: z["reason"] for z in count.zero}
    assert reasons[1].startswith("discovery only") and reasons[2].startswith("user-submitted lead")
    assert reasons[3].startswith("aggregator entry")


def test_zero_weight_text_never_makes_a_confirming_source_a_copy() -> None:
    count = count_independent([Evidence(1, "discovery", "reddit.com", "same", "reddit-hn"), confirming(2, "bbc.co.uk", "same")])

    assert count.independent == 1 and count.origins == {"bbc.co.uk": [2]} and count.collapsed == []


def test_explanation_shape() -> None:
    count = count_independent(
        [confirming(1, "apnews.com", "x"), confirming(2, "abcnews.go.com", "x"), confirming(3, "arstechnica.com", "y"),
         Evidence(4, "discovery", "news.ycombinator.com", "z", "reddit-hn")]
    )

    explanation = count.explanation()

    assert set(explanation) == {"independent", "origins", "collapsed", "zero"}
    assert explanation["independent"] == 2
    assert explanation["origins"] == [{"origin": "apnews.com", "candidates": [1, 2]},
                                      {"origin": "arstechnica.com", "candidates": [3]}]  # earliest first
    assert [c["candidate"] for c in explanation["collapsed"]] == [2]
    assert [z["candidate"] for z in explanation["zero"]] == [4]


def test_copy_of_an_outlets_second_article_is_still_a_copy() -> None:
    count = count_independent(
        [confirming(1, "apnews.com", "first-story"), confirming(2, "apnews.com", "follow-up"),
         confirming(3, "abcnews.go.com", "follow-up")]  # ABC runs AP's follow-up word for word
    )

    assert count.independent == 1
