"""Language of a hit that states none: told from its common words, or None when it cannot be."""

from __future__ import annotations

import pytest

from dedup.language import STOPWORDS, detect_language

# The opening of a report of the Air Canada tribunal ruling, as outlets in each language wrote it.
OPENINGS = {
    "en": "Air Canada has been ordered to pay compensation to a grieving passenger who was misled by the airline's "
    "chatbot about its bereavement fare policy.",
    "fr": "La compagnie aérienne a été condamnée à rembourser un passager induit en erreur par son agent "
    "conversationnel, qui avait inventé une politique de remboursement.",
    "de": "Die Fluggesellschaft muss einem Passagier Geld zurückzahlen, weil ihr Chatbot eine Erstattungsregel "
    "erfunden hatte, die es gar nicht gibt.",
    "es": "La aerolínea deberá pagar una indemnización a un pasajero después de que su chatbot le diera "
    "información falsa sobre la política de reembolsos.",
    "it": "La compagnia aerea dovrà risarcire un passeggero dopo che il suo chatbot gli aveva fornito informazioni "
    "sbagliate sulla politica dei rimborsi per lutto.",
    "pt": "A companhia aérea terá de indenizar um passageiro depois que o seu chatbot deu informações falsas sobre "
    "a política de reembolso em caso de luto.",
    "nl": "De luchtvaartmaatschappij moet een passagier schadevergoeding betalen nadat haar chatbot hem verkeerde "
    "informatie had gegeven over het terugbetalingsbeleid.",
}


@pytest.mark.parametrize("language", sorted(OPENINGS))
def test_each_supported_language_is_told(language: str) -> None:
    assert detect_language(OPENINGS[language]) == language


def test_the_supported_languages_are_the_sources_languages() -> None:
    assert set(STOPWORDS) == set(OPENINGS)


@pytest.mark.parametrize(
    "text",
    [
        "Air Canada ordered to pay customer",  # a bare headline: too short to tell
        "Claude 3.5 Sonnet GPT-4o Gemini 1.5 Pro Llama 3.1 Grok 2 Mistral Large",  # names, no common words
        "",
    ],
)
def test_too_little_to_tell_is_none(text: str) -> None:
    assert detect_language(text) is None
