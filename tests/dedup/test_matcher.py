"""Incremental matching: URL identity, identifiers, similarity within block and window, founding."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from dedup.cluster import OpenCluster
from dedup.matcher import KeptCluster, KnownCluster, MatchHit, MatchSettings, place
from dedup.urls import canonical_url

T0 = datetime(2024, 2, 16, 18, 0, tzinfo=UTC)
SETTINGS = MatchSettings()

ARS = MatchHit(
    "ars", "https://arstechnica.com/tech-policy/2024/02/air-canada-must-honor-refund-policy-invented-by-airlines-chatbot/",
    "Air Canada must honor refund policy invented by airline's chatbot",
    "Air Canada appears to have quietly killed its costly chatbot support after a tribunal ruled it must honor a "
    "bereavement refund its chatbot invented.", T0,
)
GUARDIAN = MatchHit(
    "guardian", "https://www.theguardian.com/world/2024/feb/16/air-canada-chatbot-lawsuit",
    "Air Canada ordered to pay customer who was misled by airline's chatbot",
    "Canada's largest airline has been ordered to pay compensation after its chatbot gave a customer inaccurate "
    "information about bereavement fares.", T0 + timedelta(hours=2),
)
BBC = MatchHit(
    "bbc", "https://www.bbc.co.uk/travel/article/20240222-air-canada-chatbot-misinformation",
    "Air Canada ordered to pay passenger after its chatbot gave wrong refund advice",
    "A tribunal rejected Air Canada's argument that its customer-service chatbot was responsible for its own actions "
    "over a bereavement fare refund.", T0 + timedelta(days=6),
)
PIZZA = MatchHit(
    "pizza", "https://www.bbc.co.uk/news/articles/cd11gzejgz4o", "Google AI search tells users to glue pizza and eat rocks",
    "Google's experimental AI Overviews feature told users to add glue to pizza sauce.", T0 + timedelta(days=1),
)
SLACK = MatchHit(
    "slack", "https://www.theregister.com/2024/08/21/slack_ai_prompt_injection/", "Slack AI can be tricked into leaking data from private channels",
    "Prompt injection via public channels lets attackers exfiltrate API keys from Slack AI.", T0 + timedelta(days=2),
)


def clusters_of(placements: list) -> list[set]:  # type: ignore[type-arg]
    groups: dict[object, set] = {}  # type: ignore[type-arg]
    for p in placements:
        groups.setdefault(p.cluster, set()).add(p.hit.key)
    return sorted(groups.values(), key=sorted)


def test_reports_of_one_incident_join_and_others_found_their_own() -> None:
    placements = place([], [ARS, PIZZA, GUARDIAN, SLACK, BBC], SETTINGS)

    assert clusters_of(placements) == [{"ars", "bbc", "guardian"}, {"pizza"}, {"slack"}]
    by_key = {p.hit.key: p for p in placements}
    assert by_key["ars"].founded and by_key["ars"].score == 1.0 and by_key["ars"].cluster.ref == "ars"
    assert by_key["bbc"].reason == "similar" and SETTINGS.threshold <= by_key["bbc"].score <= 1.0


def test_a_hit_joins_a_known_cluster_of_an_earlier_run() -> None:
    known = [KnownCluster(7, T0, [ARS, GUARDIAN]), KnownCluster(8, T0, [PIZZA])]

    (placement,) = place(known, [BBC], SETTINGS)

    assert placement.cluster.ref == 7 and not placement.founded and placement.cluster.size == 3


def test_a_cluster_summed_by_an_earlier_run_places_hits_as_its_members_would() -> None:
    """What the database path reads instead of members (store.match_index): the summed cluster."""
    placed = place([], [ARS, GUARDIAN, PIZZA], SETTINGS)
    air_canada = placed[0].cluster
    summed = OpenCluster.kept(
        7, air_canada.last_seen, air_canada.total, set(air_canada.block), set(air_canada.identifiers),
        set(air_canada.names), air_canada.size, {canonical_url(ARS.url)},
    )
    pizza = OpenCluster.kept(8, PIZZA.seen, placed[2].cluster.total, set(placed[2].cluster.block), set(), set(), 1)
    lead = MatchHit("lead", ARS.url + "?utm_source=x", "Look at this", "", T0 + timedelta(days=900))

    by_sum = place([KeptCluster(summed, ["ars", "guardian"]), KeptCluster(pizza, ["pizza"])], [BBC, lead], SETTINGS)
    by_members = place([KnownCluster(7, T0, [ARS, GUARDIAN]), KnownCluster(8, T0, [PIZZA])], [BBC, lead], SETTINGS)

    assert [(p.cluster.ref, p.reason) for p in by_sum] == [(p.cluster.ref, p.reason) for p in by_members] == [
        (7, "similar"), (7, "same url")
    ]
    assert by_sum[0].score >= SETTINGS.threshold and by_sum[0].cluster.size == 4  # both joined the sum
    refused = place([KeptCluster(summed, ["ars", "guardian"])], [BBC], SETTINGS, lambda key, members: "guardian" not in members)
    assert refused[0].founded  # reviewers' decisions see the members' keys


def test_same_canonical_url_joins_whatever_the_wording_and_the_time() -> None:
    lead = MatchHit("lead", ARS.url.replace("https://", "http://www.") + "?utm_source=x", "Look at this", "", T0 + timedelta(days=900))

    (placement,) = place([KnownCluster(7, T0, [ARS])], [lead], SETTINGS)

    assert placement.cluster.ref == 7 and placement.reason == "same url" and placement.score == 1.0


def test_a_shared_aiid_incident_joins_different_headlines() -> None:
    nyt = MatchHit("nyt", "https://www.nytimes.com/2024/10/23/technology/characterai-lawsuit-teen-suicide.html",
                   "Can A.I. Be Blamed for a Teen's Suicide?", "", T0, {"aiid_ids": ["826"]})
    ap = MatchHit("ap", "https://apnews.com/article/chatbot-ai-lawsuit-suicide-teen", "An AI chatbot pushed a teen to kill "
                  "himself, a lawsuit against its creator alleges", "", T0 + timedelta(days=2), {"aiid_ids": [826]})

    first, second = place([], [nyt, ap], SETTINGS)

    assert second.cluster is first.cluster and second.reason == "shared identifier"


def test_different_dockets_never_merge_on_wording() -> None:
    order = "Opinion and Order on Motion to Dismiss in the copyright case against Microsoft and OpenAI"
    daily_news = MatchHit("dn", "https://ecf.example/1", order, "", T0, {"dockets": ["1:24-cv-03285"]})
    times = MatchHit("nyt", "https://ecf.example/2", order, "", T0, {"dockets": ["1:23-cv-11195"]})
    no_docket = MatchHit("story", "https://news.example/3", order, "", T0)

    placements = place([], [daily_news, times, no_docket], SETTINGS)

    assert placements[1].founded  # identical words, another case
    assert placements[2].cluster is placements[0].cluster  # no docket: wording decides


def test_time_window_parts_the_same_story_told_months_apart_unless_times_are_unknown() -> None:
    later = dataclasses.replace(GUARDIAN, key="later", url="https://x.example/later", seen=T0 + timedelta(days=60))
    undated = dataclasses.replace(later, key="undated", url="https://x.example/undated", seen=None)

    assert place([KnownCluster(7, T0, [ARS])], [later], SETTINGS)[0].founded
    assert place([KnownCluster(7, T0, [ARS])], [undated], SETTINGS)[0].cluster.ref == 7


def test_scores_at_the_threshold_join_and_just_above_are_near() -> None:
    first = place([KnownCluster(7, T0, [ARS, GUARDIAN])], [BBC], SETTINGS)[0]
    assert first.reason == "similar"

    at = place([KnownCluster(7, T0, [ARS, GUARDIAN])], [BBC], dataclasses.replace(SETTINGS, threshold=first.score))[0]
    above = place([KnownCluster(7, T0, [ARS, GUARDIAN])], [BBC], dataclasses.replace(SETTINGS, threshold=first.score + 0.01))[0]

    assert at.reason == "similar" and above.founded
    near = dataclasses.replace(SETTINGS, threshold=0.4, near_margin=0.05)
    assert near.is_near(0.4) and near.is_near(0.449) and not near.is_near(0.45) and not near.is_near(0.39)


def test_only_clusters_sharing_a_rare_term_are_compared() -> None:
    # "chatgpt" is in half of the corpus: not rare, so sharing it alone puts no cluster in the block
    filler = [MatchHit(f"f{i}", f"https://x.example/{i}", f"ChatGPT {word} outage", "", T0)
              for i, word in enumerate("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split())]
    others = [MatchHit(f"o{i}", f"https://y.example/{i}", f"{word} story", "", T0)
              for i, word in enumerate("mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray".split())]
    hit = MatchHit("hit", "https://z.example/1", "ChatGPT zulu", "", T0)
    permissive = dataclasses.replace(SETTINGS, threshold=0.001, neighbours=0)

    placements = place([], [*filler, *others, hit], permissive)

    assert placements[-1].founded
    assert all(p.founded for p in placements[: len(filler)])  # the fillers only share "chatgpt" and "outage"
