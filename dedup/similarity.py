"""How alike two hits are: headline similarity, shared salient terms, shared names.

Headlines of one incident differ a lot between outlets, so the headline alone is weak evidence;
what they share is the names (Air Canada, Slack, MyCity) and the rarer terms of the story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from dedup.text import words

STOPWORDS = frozenset(
    """a an the and or but of to in on at for from by with as is are was were be been it its this that
    these those after before over under into about against amid says said say new how why what who
    when will would could should can may might has have had not no than then their his her they we you
    your our i he she them up out more most just also via report reports s""".split()
)
# Words every story in this domain uses: they say nothing about which incident it is.
GENERIC = frozenset(
    """ai artificial intelligence chatbot chatbots bot model models llm llms data user users company
    companies tool tools told tells use used using people service services system systems online app
    tech technology""".split()
)
SUMMARY_WORDS = 60
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
WEIGHTS = (0.4, 0.3, 0.3)  # headline, salient terms, names


@dataclass(frozen=True)
class Profile:
    """The parts of a hit that matching compares, computed once per hit."""

    headline: str
    terms: frozenset[str]
    names: frozenset[str]


def profile(title: str, summary: str = "") -> Profile:
    head = " ".join(summary.split()[:SUMMARY_WORDS])
    headline = " ".join(w for w in words(title) if w not in STOPWORDS)
    terms = frozenset(w for w in words(f"{title} {head}") if len(w) > 2 and w not in STOPWORDS | GENERIC)
    texts = [head] if _is_title_case(title) else [title, head]
    return Profile(headline, terms, frozenset(n for text in texts for n in _names(text)))


def similarity(a: Profile, b: Profile) -> float:
    """0..1: weighted headline token-set ratio, term overlap and name overlap."""
    headline = fuzz.token_set_ratio(a.headline, b.headline) / 100 if a.headline and b.headline else 0.0
    w_head, w_terms, w_names = WEIGHTS
    return w_head * headline + w_terms * _overlap(a.terms, b.terms) + w_names * _overlap(a.names, b.names)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _names(text: str) -> set[str]:
    """Capitalized words not opening a sentence, and acronyms: a cheap proper-noun detector."""
    found = set()
    for sentence in _SENTENCE.split(text):
        for i, token in enumerate(_TOKEN.findall(sentence)):
            if (i > 0 and token[0].isupper()) or (len(token) > 1 and token.isupper()):
                word = re.sub(r"['’]s$", "", token.lower())
                if word not in STOPWORDS and word not in GENERIC:
                    found.add(word)
    return found


def _is_title_case(title: str) -> bool:
    tokens = [t for t in _TOKEN.findall(title) if t.lower() not in STOPWORDS]
    return len(tokens) >= 3 and sum(t[0].isupper() for t in tokens) / len(tokens) > 0.6
