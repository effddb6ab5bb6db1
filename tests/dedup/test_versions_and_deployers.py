"""The alias table's versions, and deploying organizations found by their transparent phrasings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dedup.entities import UNDISCLOSED_MODEL, deployer_name, extract_entities
from review.hints import hints_for
from store import Candidate


@pytest.mark.parametrize(
    ("text", "vendor", "model", "version"),
    [
        ("The agent ran on GPT-4o when it leaked the data.", "OpenAI", "GPT", "4o"),
        ("a support bot built on gpt-4o-mini", "OpenAI", "GPT", "4o-mini"),
        ("OpenAI o3 refused to shut down", "OpenAI", "o-series", "o3"),
        ("the o1 model invented a citation", "OpenAI", "o-series", "o1"),
        ("Claude 3.5 Sonnet wrote the brief", "Anthropic", "Claude", "3.5 Sonnet"),
        (
            "Claude Opus 4 tried to blackmail an engineer in a test",
            "Anthropic",
            "Claude",
            "Opus 4",
        ),
        ("Gemini 2.5 Pro deleted the files", "Google", "Gemini", "2.5 Pro"),
        ("a chatbot running Llama 3.1 405B", "Meta", "Llama", "3.1 405B"),
        ("Mistral Large 2 answered in French", "Mistral AI", "Mistral", "Large 2"),
        ("Grok 3 called itself MechaHitler", "xAI", "Grok", "3"),
        ("DeepSeek R1 leaked chat logs", "DeepSeek", "DeepSeek", "R1"),
        ("Alibaba's Qwen2.5-Max ranked first", "Alibaba", "Qwen", "2.5-Max"),
        (
            "GitHub Copilot Chat suggested a leaked key",
            "Microsoft",
            "GitHub Copilot",
            "Chat",
        ),
    ],
)
def test_versions_are_kept_in_the_entry(
    text: str, vendor: str, model: str, version: str
) -> None:
    models = extract_entities(text)["models"]

    assert {"vendor": vendor, "model": model, "version": version} in [
        {k: m[k] for k in ("vendor", "model", "version") if k in m} for m in models
    ]


def test_copilot_variants_and_perplexity_are_told_apart() -> None:
    found = extract_entities(
        "Microsoft 365 Copilot and Copilot Studio, unlike Copilot, cite Perplexity AI"
    )["models"]

    assert [m["model"] for m in found] == [
        "Microsoft 365 Copilot",
        "Copilot Studio",
        "Copilot",
        "Perplexity",
    ]
    assert "models" not in extract_entities(
        "the perplexity of the language model fell"
    )  # the metric, not the product


def test_an_llm_described_but_not_named_is_an_undisclosed_frontier_model() -> None:
    found = extract_entities("The airline's AI chatbot invented a refund policy.")

    assert [m["model"] for m in found["models"]] == [UNDISCLOSED_MODEL]


@pytest.mark.parametrize(
    ("text", "deployers"),
    [
        (
            "Air Canada's chatbot told Jake Moffatt he could claim a bereavement fare after flying.",
            ["Air Canada"],
        ),
        (
            (
                "New York City's MyCity chatbot, built on Microsoft's Azure AI services, told landlords they could refuse "
                "Section 8 tenants."
            ),
            ["New York City"],
        ),
        (
            (
                "An artificial intelligence-powered chatbot created by New York City to help small business owners is under "
                "criticism."
            ),
            ["New York City"],
        ),
        (
            "A lawyer at Levidow, Levidow & Oberman used ChatGPT to research a brief that cited six nonexistent cases.",
            ["Levidow, Levidow & Oberman"],
        ),
        (
            "A Chevrolet dealership's ChatGPT-powered chatbot agreed to sell a Tahoe for $1.",
            ["Chevrolet dealership"],
        ),
        (
            "Users talked Chevrolet of Watsonville's chatbot into writing Python code.",
            ["Chevrolet of Watsonville"],
        ),
        (
            "In January, DPD's AI chatbot swore at a customer and wrote a poem about the firm.",
            ["DPD"],
        ),
        ("Cursor's AI support agent invented a one-device login policy.", ["Cursor"]),
        (
            "Deloitte Australia used a generative AI large language model to fill documentation gaps.",
            ["Deloitte Australia"],
        ),
        (
            "Lawyers from Morgan & Morgan cited cases the firm's in-house AI platform had invented.",
            ["Morgan & Morgan"],
        ),
        # none: a pronoun or plural noun opening the sentence, an outlet describing a product, a model name
        ("Researchers used ChatGPT to write papers. The airline's chatbot lied.", []),
        (
            "Google's AI Overviews told users to eat rocks; ChatGPT's voice assistant laughed.",
            [],
        ),
    ],
)
def test_deployers(text: str, deployers: list[str]) -> None:
    assert extract_entities(text).get("deployers", []) == deployers


@pytest.mark.parametrize(
    ("named", "one_name"),
    [
        ("NYC", "New York City"),
        ("City of New York", "New York City"),
        ("Air Canada", "Air Canada"),
        ("Acme Inc.", "Acme"),
        ("Klarna, Inc", "Klarna"),
        ("Babylon Health Ltd", "Babylon Health"),
        ("Chevrolet of Watsonville", "Chevrolet of Watsonville"),
    ],
)
def test_a_deployer_has_one_name_whatever_reports_call_it(named: str, one_name: str) -> None:
    assert deployer_name(named) == one_name


def test_the_deployers_of_a_cluster_are_named_once_under_their_commonest_name() -> None:
    reports = [
        "NYC's MyCity chatbot told business owners to break the law.",
        "New York City's chatbot told landlords they could refuse tenants.",
        "The MyCity chatbot deployed by New York City gave wrong answers; Acme Inc.'s bot did too.",
        "ACME's chatbot was not alone.",
    ]
    candidates = [Candidate(key=str(n), stream="news", source_id="news/x", role="confirming", url="", original_url="",
                            publisher="x", title=text, summary="", fetched_at=datetime(2025, 1, 1, tzinfo=UTC),
                            entities=extract_entities(text), fingerprint=str(n), raw_sha256="0" * 64)
                  for n, text in enumerate(reports)]
    stored_before = Candidate(**{**candidates[0].model_dump(), "key": "old", "entities": {"deployers": ["NYC"]}})

    assert hints_for([*candidates, stored_before]).deployers == ["New York City", "Acme"]
