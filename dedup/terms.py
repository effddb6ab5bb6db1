"""Matching terms: the words of a headline that can tell one incident from another, stemmed.

Outlets word one story differently ("sexist recruiting tool", "recruitment bias"), so words are
folded to their stem; words every story in the domain uses, numbers and ids say nothing about
which incident a hit reports and are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]
from wordfreq import zipf_frequency

from dedup.text import words

STOPWORDS = frozenset(
    """a about above across after afterwards again against all almost alone along already also although
    always am amid among an and another any anyone anything anyway anywhere are around as at back be
    became because become becomes been before behind being below beside besides between beyond both but
    by can cannot could did do does doing done down during each either else elsewhere enough even ever
    every everyone everything except few first for former from further get gets getting give given gives
    gave go goes going gone got had has have having he her here hers herself him himself his how however
    i if in inside instead into is it its itself just keep keeps kept last latest least less let lets
    like made make makes many may me might mine more most mostly much must my myself near nearly never
    new next no nobody none nor not nothing now of off often on once one only onto or other others
    otherwise our ours ourselves out over own per perhaps quite rather really s said same say says see
    seen several she should since so some someone something sometimes still such than that the their
    theirs them themselves then there these they this those though through throughout thus to together
    too toward towards under until up upon us very via vs was we well were what whatever when where
    whether which while who whoever whole whom whose why will with within without would yet you your
    yours yourself report reports reported week weeks day days year years time times way ways""".split()
)
# Words every story in this domain uses: they say nothing about which incident it is.
GENERIC = frozenset(
    """ai artificial intelligence chatbot chatbots bot model models llm llms data user users company
    companies tool tools tell told tells use used using people service services system systems online app
    tech technology""".split()
)
# What URL slugs and file names add to a title: formats, page furniture.
URL_NOISE = frozenset("html htm shtml php asp aspx jsp pdf amp index www com".split())
_DROPPED = STOPWORDS | GENERIC | URL_NOISE
# What the English stemmer leaves apart that outlets use for one thing: sexist/sexism, racist/racial,
# defamatory/defamation. Cut after stemming when MIN_STEM letters remain.
FOLDED_ENDINGS = ("atori", "ism", "ist", "ial")
MIN_STEM = 3
_ENGLISH = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem, with the endings above cut: hiring and hired → hire, crashes
    and crashed → crash, recruiting and recruitment → recruit, sexist and sexism → sex."""
    stemmed: str = _ENGLISH.stemWord(word)
    for ending in FOLDED_ENDINGS:
        if stemmed.endswith(ending) and len(stemmed) - len(ending) >= MIN_STEM:
            return stemmed[: -len(ending)]
    return stemmed


@lru_cache(maxsize=65536)
def familiarity(word: str) -> float:
    """How common ``word`` is in English at large, on the Zipf scale (0 unknown .. about 7.5 "the").
    A headline word rare in the language (delphi, autocomplete, chatbot) tells more about which
    story it is than a common one (car, video, first), however often either occurs in one run."""
    return zipf_frequency(word, "en")


def _matching(word: str) -> bool:
    return len(word) > 1 and word not in _DROPPED and not any(c.isdigit() for c in word)


def familiar_terms(text: str) -> dict[str, float]:
    """Each matching term of ``text`` with the familiarity of its most common word."""
    found: dict[str, float] = {}
    for word in filter(_matching, words(text)):
        term = stem(word)
        found[term] = max(found.get(term, 0.0), familiarity(word))
    return found


def terms(text: str) -> list[str]:
    """The matching terms of ``text`` in order: no stopwords, generic words, numbers, ids or letters."""
    return [stem(word) for word in words(text) if _matching(word)]


_SENTENCE = re.compile(r"(?<=[.!?:])\s+")
_TOKEN = re.compile(r"[^\W_]+")


def names(text: str) -> set[str]:
    """Terms written as names: capitalized inside a sentence, or acronyms ("Slack", "Copilot", "NYC").
    In a title where most words are capitalized (title case) nothing can be told apart: none."""
    found: set[str] = set()
    for sentence in _SENTENCE.split(text):
        tokens = _TOKEN.findall(sentence)
        if _title_case(tokens):
            continue
        for position, token in enumerate(tokens):
            if (position > 0 and token[0].isupper()) or (len(token) > 1 and token.isupper()):
                found.update(terms(token))
    return found


def _title_case(tokens: list[str]) -> bool:
    content = [t for t in tokens if t.lower() not in STOPWORDS]
    return len(content) >= 3 and sum(t[0].isupper() for t in content) / len(content) > 0.6
