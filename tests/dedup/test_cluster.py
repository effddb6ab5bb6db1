"""Incremental clustering: best cluster above the threshold, within the time window, by average linkage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dedup.cluster import OpenCluster, best_match, score
from dedup.similarity import Profile, profile

THRESHOLD = 0.42
WINDOW = timedelta(days=45)
T0 = datetime(2024, 2, 16, 18, 0, tzinfo=UTC)

ARS = profile("Air Canada must honor refund policy invented by airline's chatbot",
              "Air Canada appears to have quietly killed its costly chatbot support after a tribunal ruled it "
              "must honor a bereavement refund its chatbot invented.")
GUARDIAN = profile("Air Canada ordered to pay customer who was misled by airline's chatbot",
                   "Canada's largest airline has been ordered to pay compensation after its chatbot gave a customer "
                   "inaccurate information about bereavement fares, Jake Moffatt said.")
BBC = profile("Air Canada ordered to pay passenger after its chatbot gave wrong refund advice",
              "A tribunal rejected Air Canada's argument that its customer-service chatbot was responsible for "
              "its own actions over a bereavement fare refund.")
PIZZA = profile("Google AI search tells users to glue pizza and eat rocks",
                "Google's experimental AI Overviews feature told users to add glue to pizza sauce.")
SLACK = profile("Slack AI can be tricked into leaking data from private channels",
                "Prompt injection via public channels lets attackers exfiltrate API keys from Slack AI.")


def cluster(cid: int, *members: Profile, last_seen: datetime = T0) -> OpenCluster:
    return OpenCluster(cid, list(members), last_seen)


def test_joins_the_best_scoring_cluster_above_the_threshold() -> None:
    air_canada, pizza, slack = cluster(1, ARS, GUARDIAN), cluster(2, PIZZA), cluster(3, SLACK)

    match = best_match(BBC, T0, [pizza, air_canada, slack], threshold=THRESHOLD, window=WINDOW)

    assert match is not None and match.cluster is air_canada
    assert match.score == score(BBC, air_canada) >= THRESHOLD


def test_prefers_the_higher_score_not_the_first_cluster_that_qualifies() -> None:
    near, exact = cluster(1, GUARDIAN), cluster(2, ARS)
    assert score(ARS, near) >= THRESHOLD  # both qualify

    match = best_match(ARS, T0, [near, exact], threshold=THRESHOLD, window=WINDOW)

    assert match is not None and match.cluster is exact and match.score == 1.0


def test_returns_none_below_the_threshold() -> None:
    assert best_match(SLACK, T0, [cluster(1, ARS, GUARDIAN), cluster(2, PIZZA)], threshold=THRESHOLD, window=WINDOW) is None
    assert best_match(ARS, T0, [], threshold=THRESHOLD, window=WINDOW) is None


def test_respects_the_time_window_both_ways() -> None:
    for last_seen in (T0 - timedelta(days=46), T0 + timedelta(days=46)):
        assert best_match(BBC, T0, [cluster(1, ARS, last_seen=last_seen)], threshold=THRESHOLD, window=WINDOW) is None
    inside = cluster(1, ARS, last_seen=T0 - timedelta(days=44))
    assert best_match(BBC, T0, [inside], threshold=THRESHOLD, window=WINDOW) is not None


def test_average_linkage_a_hit_like_one_member_only_does_not_join() -> None:
    mixed = cluster(1, ARS, PIZZA, SLACK)
    assert score(GUARDIAN, cluster(2, ARS)) >= THRESHOLD  # close to one member on its own

    assert score(GUARDIAN, mixed) < THRESHOLD
    assert best_match(GUARDIAN, T0, [mixed], threshold=THRESHOLD, window=WINDOW) is None


def test_adding_a_member_moves_last_seen_forward_only() -> None:
    open_cluster = cluster(1, ARS)

    open_cluster.add(GUARDIAN, T0 + timedelta(days=3))
    open_cluster.add(BBC, T0 + timedelta(days=1))

    assert open_cluster.members == [ARS, GUARDIAN, BBC]
    assert open_cluster.last_seen == T0 + timedelta(days=3)
