"""Language of a hit that states none: the language whose common words its text uses most.

Covers the languages the configured sources write in: English, French, German, Spanish, Italian,
Portuguese and Dutch; any other language comes out as None, or, rarely, as the closest of these. A
stopword count is transparent, deterministic and needs no model file: each word of the text found in
a language's list scores for that language, divided among the languages that share it ("de" is
French, Spanish, Portuguese and Dutch). The best language must score ``MIN_SCORE`` and lead the
next by ``MIN_LEAD``; below ``MIN_WORDS`` words (a bare headline) there is too little to tell.
"""

from __future__ import annotations

from collections import Counter

from dedup.text import words

MIN_WORDS = 8
MIN_SCORE = 2.0
MIN_LEAD = 1.5  # the best score must be at least this many times the second best

# The commonest function words of each language, accents folded (as dedup.text.words folds them).
_LISTED = {
    "en": (
        "the and of to a in is was that for it with as on are be by this from have has its at an which were "
        "not their they said after or but been would had his her will about who no do"
    ),
    "fr": (
        "le la les l d qu de des du un une et est que qui dans pour pas sur au aux avec ce cette il elle "
        "sont par ont plus ne se ses son leur mais ou ete a en entre"
    ),
    "de": (
        "der die das und ist nicht ein eine einen dem den des mit sich auf fur von zu im in auch wird wurde "
        "nach bei aus sie es hat sind oder aber wie uber noch werden dass da"
    ),
    "es": (
        "el la los las de del y en que es por una un con para se su sus lo le al como mas pero fue ha son "
        "esta este sobre tambien entre sin ya a o no nos"
    ),
    "it": (
        "il lo la le gli di della delle dei degli del che e non per una un con sono nel nella alla al si se "
        "come anche ha ma piu questo questa essere stato da ai sul sulla a in sua"
    ),
    "pt": (
        "o os a as da do das dos de que e em um uma para com nao no na nos nas por mais se foi ao pelo pela "
        "seu sua ser como tambem entre ja isso esta mas sobre"
    ),
    "nl": (
        "de het een en van is dat op te niet met voor zijn die er aan ook als bij door om maar nog wordt "
        "werd naar uit over hij zij dit deze heeft hebben kan in"
    ),
}
STOPWORDS: dict[str, frozenset[str]] = {
    language: frozenset(listed.split()) for language, listed in _LISTED.items()
}
_SHARED = Counter(
    word for listed in STOPWORDS.values() for word in listed
)  # word → languages listing it


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is most likely in; None when it cannot be told."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    scores = dict.fromkeys(STOPWORDS, 0.0)
    for token in tokens:
        for language, listed in STOPWORDS.items():
            if token in listed:
                scores[language] += 1 / _SHARED[token]
    (best, top), (_, second) = sorted(scores.items(), key=lambda item: -item[1])[:2]
    return best if top >= MIN_SCORE and top >= MIN_LEAD * second else None
