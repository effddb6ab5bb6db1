"""Matching terms: the words of a headline that can tell one incident from another, stemmed.

Outlets word one story differently ("sexist recruiting tool", "recruitment bias"), so words are
folded to a crude stem; words every story in the domain uses, numbers and ids say nothing about
which incident a hit reports and are dropped.
"""

from __future__ import annotations

import re

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
# Plural endings and what they become; then one derivational suffix; a stem keeps MIN_STEM letters.
PLURALS = (("sses", "ss"), ("shes", "sh"), ("ches", "ch"), ("xes", "x"), ("zes", "z"), ("ies", "y"))
SUFFIXES = ("ically", "ation", "ment", "ical", "ing", "ity", "ic", "er", "ed", "ly")
MIN_STEM = 4


def stem(word: str) -> str:
    """A crude stem that folds the forms outlets use for one thing: crashes and crashed → crash,
    psychopathic → psychopath, recruiting and recruitment → recruit, sexist and sexism → sexis."""
    word = _singular(word)
    if word.endswith(("ist", "ism")) and len(word) >= 6:
        return word[:-1]
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > MIN_STEM else word


def _singular(word: str) -> str:
    for plural, single in PLURALS:
        if word.endswith(plural) and len(word) > len(plural) + 1:
            return word[: -len(plural)] + single
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The matching terms of ``text`` in order: no stopwords, generic words, numbers, ids or letters."""
    return [
        stem(word)
        for word in words(text)
        if len(word) > 1 and word not in _DROPPED and not any(c.isdigit() for c in word)
    ]


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
