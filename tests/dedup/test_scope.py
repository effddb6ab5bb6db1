"""The scope score on real wording: recorded feed entries (tests/payloads) and AI Incident Database
report slugs (../shared/corpora/aiid_2025_dev, most of them out of scope)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from dedup.entities import extract_entities
from dedup.scope import (
    BASE,
    IN_SCOPE_AT,
    RULES,
    Assessment,
    MemberScope,
    assess,
    cluster_out_of_scope,
)
from dedup.urls import url_date
from tests.conftest import CORPORA

AIID_DEV = CORPORA / "aiid_2025_dev" / "hits.jsonl"


def scored(title: str, summary: str = "", published: date | None = date(2024, 6, 1), *, fallback: bool = False) -> Assessment:
    """As normalization scores a hit: models extracted from its text."""
    models = extract_entities(f"{title}\n{summary}").get("models", [])
    return assess(title, summary, models, published, date_is_fallback=fallback)


def test_an_llm_chatbot_in_production_is_in_scope_with_its_reasons() -> None:
    found = scored(
        "Air Canada ordered to pay passenger after its chatbot gave wrong refund advice",
        "A tribunal rejected Air Canada's argument that its customer-service chatbot was responsible for its own actions.",
        datetime(2024, 2, 22, 9, 30, tzinfo=UTC),
    )
    assert found.in_scope and found.score == 0.7
    assert found.sentences == [
        "describes an LLM without naming it (undisclosed frontier model): 'chatbot' (+0.20)",
        "describes a production deployment: 'ordered to pay', 'passenger', 'refund' (+0.20)",
    ]


def test_a_named_model_before_2024_is_out_but_an_unknown_date_never_excludes() -> None:
    title, summary = "Lawyers sanctioned for citing fake cases produced by ChatGPT", "A federal judge fined two attorneys."
    before = scored(title, summary, date(2023, 6, 22))
    undated = scored(title, summary, date(2023, 6, 22), fallback=True)  # the fetch time stood in for a date

    assert not before.in_scope and "published 2023-06-22, before the tracker's scope (2024-01-01 on) (-0.70)" in before.sentences
    assert before.sentences[0] == "names a frontier LLM: ChatGPT (OpenAI) (+0.35)"
    assert undated.in_scope and undated.score == 1.0
    assert undated.sentences[-1] == "no publication date in the entry (fetch time used): the date does not count"


@pytest.mark.parametrize(
    ("title", "reason"),
    [  # AIID report slugs, as the dev set gives them
        ("cruise robotaxi recall", "about autonomous vehicles: 'robotaxi' (-0.70)"),
        ("tesla pulled over cops sleeping drunk autopilot", "about autonomous vehicles: 'autopilot' (-0.70)"),
        ("paravision ai ordered delete face recognition software user pictures without permission",
         "vision-only system: 'face recognition' (-0.40)"),
        ("youtube for kids videos problems algorithm recommend", "pre-LLM ML system: 'algorithm' (-0.30)"),
        ("bank robbers deepfaking voice", "synthetic voice or video (deepfake), no language model involved: 'deepfaking' (-0.30)"),
        ("FCC Fines Political Consultant $6 Million for Deepfake Robocalls",
         "synthetic voice or video (deepfake), no language model involved: 'deepfake' (-0.30)"),
    ],
)
def test_excluded_systems_are_out_with_the_exclusion_named(title: str, reason: str) -> None:
    found = scored(title, published=None)

    assert not found.in_scope and reason in found.sentences


def test_a_lab_finding_without_production_use_is_out() -> None:
    found = scored(
        "Prompt Injection attack against LLM-integrated Applications",
        "Large Language Models (LLMs) are increasingly integrated into applications. In this study we show "
        "how an attacker can manipulate them.",
        date(2024, 3, 8),
    )
    assert not found.in_scope
    assert "lab / red-team finding, no production use stated: 'this study', 'we show' (-0.45)" in found.sentences


def test_a_vision_or_pre_llm_word_does_not_exclude_a_language_model() -> None:
    found = scored("GPT-4o recommendation algorithm told customers to buy fake products")

    assert found.in_scope and not any("pre-LLM" in s for s in found.sentences)


def test_the_hard_exclusions_outweigh_every_positive_rule_together() -> None:
    """The weights table's promise: no wording can bring an autonomous vehicle or a pre-2024 date in."""
    weights = {rule.name: rule.weight for rule in RULES}
    best = BASE + weights["llm-named"] + weights["llm-failure"] + weights["production"]  # the positives that can co-occur
    assert best + weights["autonomous-vehicle"] < IN_SCOPE_AT and best + weights["before-scope"] < IN_SCOPE_AT
    assert all(found.score in (0.0, 1.0) for found in (scored("cruise robotaxi recall", published=date(2019, 1, 1)),
                                                       scored("ChatGPT hallucinated fake cases; the court fined the lawyers")))


def test_a_cluster_is_out_only_when_all_its_confirming_members_are() -> None:
    out, kept, unassessed = MemberScope(1, True, False, 0.1, []), MemberScope(2, True, True, 0.8, []), MemberScope(3, True, None, None, [])
    lead_in = MemberScope(4, False, True, 0.9, [])  # a discovery post or lead counts zero, and so does its verdict

    assert cluster_out_of_scope([out, lead_in])
    assert not cluster_out_of_scope([out, kept]) and not cluster_out_of_scope([out, unassessed])
    assert not cluster_out_of_scope([lead_in]) and not cluster_out_of_scope([])


def aiid_dev() -> list[dict[str, str]]:
    if not AIID_DEV.exists():
        pytest.skip(f"{AIID_DEV} not present")
    return [json.loads(line) for line in AIID_DEV.read_text(encoding="utf-8").splitlines()]


def test_the_aiid_dev_set_is_nearly_all_out_of_scope() -> None:
    """The dev set's 43 incidents are AIID's older ones (self-driving cars, face recognition, recommender
    and ranking systems, pre-2024): none is a frontier LLM in production. From the slug alone (no date),
    at most 1% may slip through; with the date the URL carries, where it carries one, none does."""
    hits = aiid_dev()
    by_text = Counter(scored(h["title"], published=None).in_scope for h in hits)
    dated = [(h, day) for h in hits if (day := url_date(h["url"]))]

    assert by_text[True] <= len(hits) // 100, by_text
    assert dated and not any(scored(h["title"], published=day).in_scope for h, day in dated)
