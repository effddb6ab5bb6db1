"""Text clean-up, verbatim-copy fingerprints, entity extraction and keyword relevance."""

from __future__ import annotations

from dedup.entities import extract_entities
from dedup.relevance import matched_keywords
from dedup.text import MAX_SUMMARY_CHARS, fingerprint, html_to_text


def test_html_to_text_drops_scripts_styles_and_tags() -> None:
    markup = ("<p>Air Canada's <b>chatbot</b> lied.</p><script>track('visit');</script>"
              "<style>p { color: red }</style><noscript>enable JS</noscript><p>Tribunal &amp; refund</p>")

    assert html_to_text(markup) == "Air Canada's chatbot lied. Tribunal & refund"


def test_html_to_text_collapses_whitespace() -> None:
    assert html_to_text("  a\n\n\tb   c  ") == "a b c"
    assert html_to_text("<p>a</p>\n\n<p>\n b </p>") == "a b"


def test_html_to_text_limits_length() -> None:
    assert html_to_text("word " * 2000) == ("word " * 2000).strip()[:MAX_SUMMARY_CHARS]
    assert html_to_text("<p>" + "x" * 50 + "</p>", limit=10) == "x" * 10
    assert html_to_text("plain text here", limit=5) == "plain"


def test_fingerprint_is_equal_for_the_same_words_whatever_the_punctuation_and_case() -> None:
    original = fingerprint("NYC's AI chatbot tells businesses to break the law", "The city isn't taking it down.")

    assert fingerprint("NYC\u2019s AI Chatbot Tells Businesses to Break the Law!", "The city isn't -- taking it down") == original
    assert fingerprint("NYCs AI chatbot tells businesses to break the law", "The city isnt taking it down") != original
    assert fingerprint("NYC's AI chatbot tells businesses to obey the law", "The city isn't taking it down.") != original
    assert fingerprint("Caf\u00e9 chatbot", "") == fingerprint("Cafe chatbot", "")  # accents folded


def test_extract_entities_finds_models_with_vendor() -> None:
    found = extract_entities("ChatGPT and GPT-4o leaked; Claude 3.5 Sonnet, Gemini 1.5 Pro and Grok-2 did not. ChatGPT again.")

    assert found["models"] == [
        {"vendor": "OpenAI", "model": "ChatGPT", "mention": "ChatGPT"},  # listed once
        {"vendor": "OpenAI", "model": "GPT", "mention": "GPT-4o", "version": "4o"},
        {"vendor": "Anthropic", "model": "Claude", "mention": "Claude 3.5 Sonnet", "version": "3.5 Sonnet"},
        {"vendor": "Google", "model": "Gemini", "mention": "Gemini 1.5 Pro", "version": "1.5 Pro"},
        {"vendor": "xAI", "model": "Grok", "mention": "Grok-2", "version": "2"},
    ]
    assert extract_entities("supergemini and Claudette") == {}  # whole words only


def test_extract_entities_finds_cves_dockets_and_aiid_ids() -> None:
    text = ("Patched as cve-2024-5184 and CVE-2023-29374. Moffatt v. Air Canada; see Mata v. Avianca, "
            "No. 1:22-cv-01461-PKC (S.D.N.Y.). Cited at incidentdatabase.ai/cite/639 and as AIID #622.")

    found = extract_entities(text)

    assert found["cves"] == ["CVE-2023-29374", "CVE-2024-5184"]
    assert found["dockets"] == ["1:22-cv-01461"]  # judge initials dropped: filings of one case vary in them
    assert found["aiid_ids"] == ["622", "639"]
    assert "models" not in found


def test_extract_entities_omits_empty_keys() -> None:
    assert extract_entities("Smartphone shipments rise for the third quarter in a row") == {}


def test_extract_entities_recognises_gpt_4o_mini() -> None:
    assert extract_entities("the bot ran on gpt-4o-mini").get("models") == [
        {"vendor": "OpenAI", "model": "GPT", "mention": "gpt-4o-mini", "version": "4o-mini"}
    ]


def test_matched_keywords_are_whole_words_and_case_insensitive() -> None:
    keywords = ["LLM", "chatbot", "Google AI"]

    assert matched_keywords(keywords, "An LLM-powered CHATBOT from google ai.") == ["chatbot", "google ai", "llm"]
    assert matched_keywords(keywords, "Chatbots and LLMs, Googleai") == []  # no partial words


def test_matched_keywords_with_no_keywords_accepts_everything() -> None:
    assert matched_keywords([], "Smartphone shipments rise") == ["*"]
    assert matched_keywords(["chatbot"], "Smartphone shipments rise") == []
