"""Matching terms, slug titles, IDF from the corpus, neighbour widening and summary templates."""

from __future__ import annotations

import math

import pytest

from dedup.entities import MODEL_ALIASES, MODEL_NAMES, UNDISCLOSED_VENDOR
from dedup.similarity import (
    MODEL_TERMS,
    Corpus,
    boilerplate,
    dot,
    normalized,
    term_weights,
    widen,
    wording,
)
from dedup.terms import names, stem, terms
from dedup.urls import slug_words


@pytest.mark.parametrize(
    ("forms", "shared"),
    [
        (["crash", "crashes", "crashed"], "crash"),
        (["psychopath", "psychopathic", "psychopaths"], "psychopath"),
        (["recruiting", "recruitment", "recruit"], "recruit"),
        (["sexist", "sexism"], "sex"),
        (["racist", "racism", "racial"], "rac"),
        (["defamatory", "defamation"], "defam"),
        (["hire", "hiring", "hired"], "hire"),
        (["title", "titles"], "titl"),
        (["policy", "policies"], "polici"),
        (["google", "googles", "googling"], "googl"),
    ],
)
def test_stem_folds_the_forms_outlets_use(forms: list[str], shared: str) -> None:
    assert {stem(form) for form in forms} == {shared}


def test_short_words_keep_their_letters() -> None:
    assert [stem(w) for w in ("bus", "news", "fake", "status", "thing")] == ["bus", "news", "fake", "status", "thing"]


def test_terms_drop_stopwords_generic_words_numbers_ids_and_file_words() -> None:
    assert terms("The AI chatbot of Air Canada: 2024 ruling idUSKBN1DA2K1 n (index.html)") == ["air", "canada", "rule"]


def test_names_are_capitalized_words_inside_sentences_and_acronyms_but_not_title_case() -> None:
    assert names("Prompt injection lets attackers exfiltrate API keys from Slack AI. Salesforce fixed it.") == {"api", "slack"}
    # after the colon every word is capitalized (title case): nothing there can be told to be a name
    assert names("Microsoft Copilot: From Prompt Injection to Exfiltration of Personal Information") == {"copilot"}
    assert names("Elevated Errors On Claude Sonnet For Some Users") == set()
    assert names("NYC's chatbot told owners to break the law") == {"nyc"}


def test_slug_words_take_the_last_headline_like_segment_without_ids_dates_or_extension() -> None:
    assert slug_words("https://www.axios.com/youtube-climate-misinformation-8ff85b76-285b.html?utm_source=x") == "youtube climate misinformation"
    assert slug_words("https://example.org/2018/10/10/amazon-scraps-ai-tool/amp/") == "amazon scraps ai tool"
    assert slug_words("https://static.nhtsa.gov/odi/rcl/2022/RCLRPT-22E072-8020.PDF") == ""
    assert slug_words("https://news.ycombinator.com/item?id=39444500") == ""


def test_a_thin_title_is_completed_from_the_url_slug() -> None:
    thin = wording("Photos", "", "https://example.org/2024/05/google-ai-overview-glue-pizza")
    full = wording("Google AI Overviews tell users to put glue on pizza", "", "https://example.org/x-y-z")

    assert thin.title == {"photo", "googl", "overview", "glue", "pizza"}
    assert full.title == {"googl", "overview", "put", "glue", "pizza"}


def test_title_terms_outweigh_summary_terms_and_templates_are_left_out() -> None:
    words = wording("Slack AI leaks private channels", "Disclosed on HackerOne: Slack leaks keys")

    assert term_weights(words, frozenset({"disclos", "hackeron"})) == {"slack": 1.0, "leak": 1.0, "privat": 1.0, "channel": 1.0, "key": 0.5}


def test_boilerplate_is_what_half_of_a_streams_summaries_say() -> None:
    summaries = [frozenset({"disclos", "hackerone", "slack"}), frozenset({"disclos", "hackerone", "gitlab"}),
                 frozenset({"disclos", "brave"}), frozenset(), frozenset({"claude", "fetch"})]

    assert boilerplate(summaries) == {"disclos"}  # in 3 of the 4 written; "hackerone" only in 2
    assert boilerplate(summaries[:2]) == frozenset()  # too few to tell a template


def test_idf_rewards_rare_terms_and_rare_means_few_hits() -> None:
    corpus = Corpus.of([{"googl": 1.0, "crash": 1.0}, {"googl": 1.0, "defam": 1.0}, {"googl": 1.0}] * 20)

    assert corpus.idf("defam") > corpus.idf("googl") > 0
    assert corpus.is_rare("unseen") and not corpus.is_rare("crash")  # 20 of 60 hits
    vector = corpus.vector({"googl": 1.0, "defam": 1.0})
    assert math.isclose(math.hypot(*vector.values()), 1.0) and vector["defam"] > vector["googl"]


def test_words_rare_in_the_language_weigh_more_than_common_ones_as_rare_in_the_run() -> None:
    words = [wording("Delphi car near miss"), wording("Delphi car crash"), *(wording(f"story {i}") for i in range(40))]
    corpus = Corpus.of([dict.fromkeys(w.title, 1.0) for w in words], words)

    assert corpus.frequency["delphi"] == corpus.frequency["car"] == 2
    assert corpus.familiarity["car"] > 5 > corpus.familiarity["delphi"] > 0  # Zipf: "car" is everyday English
    assert corpus.weight("delphi") > corpus.weight("car") > corpus.idf("car")
    assert corpus.weight("unseen") == corpus.idf("unseen")  # no word known: the run's IDF alone


def test_rare_names_weigh_double_and_common_ones_do_not() -> None:
    corpus = Corpus.of([{"chatgpt": 1.0, "slack": 1.0, "leak": 1.0}] + [{"chatgpt": 1.0, f"other{i}": 1.0} for i in range(59)])
    plain = corpus.vector({"chatgpt": 1.0, "slack": 1.0, "leak": 1.0})
    named = corpus.vector({"chatgpt": 1.0, "slack": 1.0, "leak": 1.0}, frozenset({"chatgpt", "slack"}))

    assert math.isclose(named["slack"] / named["leak"], 2 * plain["slack"] / plain["leak"])
    assert math.isclose(named["chatgpt"] / named["leak"], plain["chatgpt"] / plain["leak"])  # on every hit: not rare


def test_beside_a_deployer_a_models_or_vendors_name_is_a_word_but_not_a_name() -> None:
    title = "Researchers say that Perplexity, Gemini and Slack AI leaked private data from users to Google"
    deployed = wording(title, "The chatbot of Acme runs on Copilot.", deployed=True)
    attacked = wording(title, "They say Copilot did too.")

    assert deployed.names == {"slack", "acm"}
    assert {"perplex", "gemini", "googl"} <= deployed.title and "copilot" in deployed.summary
    # no deployer named: the model's product is what the story is about (an attack on it, its outage)
    assert attacked.names == {"slack", "perplex", "gemini", "googl", "copilot"}


def test_every_model_family_and_vendor_of_the_alias_table_is_a_model_name() -> None:
    written = {
        name.split()[0]
        for _, vendor, model in MODEL_ALIASES
        if vendor != UNDISCLOSED_VENDOR
        for name in (vendor, model)
        if not name.startswith("o-")  # "o-series": OpenAI's, and no word of its own
    }
    assert written <= set(MODEL_NAMES)
    assert {term for name in MODEL_NAMES for term in terms(name)} == MODEL_TERMS


def test_widening_brings_a_neighbours_words_and_stays_unit_length() -> None:
    vectors = [normalized({"norman": 1.0, "psycho": 1.0}), normalized({"norman": 1.0, "psychopath": 1.0, "mit": 1.0}),
               normalized({"mit": 1.0, "psychopath": 1.0})]
    blocks = [set(v) for v in vectors]

    widened = widen(vectors, blocks, neighbours=1, floor=0.1)

    assert dot(vectors[0], vectors[2]) == 0.0 and dot(widened[0], widened[2]) > 0.3
    assert all(math.isclose(math.hypot(*v.values()), 1.0) for v in widened)
    assert widen(vectors, blocks, neighbours=0, floor=0.1) == vectors
    assert widen(vectors, blocks, neighbours=1, floor=0.99) == vectors  # no neighbour close enough
