"""How alike two hits are: TF-IDF cosine over matching terms, with IDF from the hits being clustered
and each hit's vector widened by its nearest neighbours among them.

Reports of one incident share few words ("psycho norman ai", "mit creates psychopathic ai"). A hit's
close neighbours in the corpus bring the words its outlet did not use (pseudo relevance feedback),
so two reports meet through the vocabulary of the story rather than through one shared word.
Rare words written as names weigh double: two reports of one kind of attack on different products
share the attack's words, not the product's name (a name on every other hit, ChatGPT say, is not
telling and is not doubled). Beside a deployer's name, a model's or its vendor's (GPT, Gemini,
Perplexity) is not one: every deployment of that model shares it. Where no deployer is named it
stays one, as the story is then about the model's own product (an attack on Copilot, an outage).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from dedup.entities import MODEL_NAMES
from dedup.terms import familiar_terms, names, terms
from dedup.urls import slug_words

Vector = dict[str, float]

TITLE_WEIGHT = 1.0
SUMMARY_WEIGHT = 0.5  # a summary's words are many and less chosen than a headline's
NAME_WEIGHT = 2.0  # times a rare term's weight when it is written as a name: Slack, Copilot, Air Canada
SUMMARY_WORDS = 60
THIN_TITLE = 2  # a title with fewer distinct terms is completed by the words of its URL's slug
RARE_SHARE = 0.1  # a term in at most this share of the corpus (or in RARE_FLOOR hits) is rare
RARE_FLOOR = 5
# ... but never in more hits than this: more than the biggest story gets, so no incident's own word,
# and what bounds the hits a stored term can bring to compare (store.match_index).
RARE_MOST = 200
# Hits assumed beside the corpus that hold none of its terms: in a run of three hits, a word all
# three share is what they have in common, not a common word; in hundreds, these change nothing.
PRIOR_HITS = 20
# A term's weight beyond its IDF in the run: BACKGROUND_WEIGHT for each Zipf step its commonest word
# lies below FAMILIAR (about "car", "video"). The run's IDF alone rates a word on a few hundred
# hits; the language at large knows that "delphi" is telling and "first" is not.
BACKGROUND_WEIGHT = 0.5
FAMILIAR = 7.0
BOILERPLATE_MIN = 3
# A hit is widened by its nearest among the NEIGHBOUR_CANDIDATES hits that share the most of its
# rare terms' weight: the nearest are among them, and the work stays bounded however common a term.
NEIGHBOUR_CANDIDATES = 50
# A widened vector keeps its heaviest terms only: the rest weigh little, and cost every comparison
# and every stored vector (no change in the dev set's scores down to 50).
WIDENED_TERMS = 50
MODEL_TERMS = frozenset(terms(" ".join(MODEL_NAMES)))  # stems alone: no word list read at import


@dataclass(frozen=True)
class Wording:
    """A hit's matching terms by field."""

    title: frozenset[str]
    summary: frozenset[str]
    names: frozenset[str] = frozenset()
    familiarity: Mapping[str, float] = field(default_factory=dict)  # term → Zipf frequency of its commonest word


@lru_cache(maxsize=8192)  # a run reads its hits twice: to find what to compare them with, then to compare
def wording(title: str, summary: str = "", url: str = "", deployed: bool = False) -> Wording:
    """Title terms (completed from the URL's slug when the title is thin), summary terms, names
    (no model's or vendor's where the hit is ``deployed``: names a deployer)."""
    head = familiar_terms(title)
    if len(head) < THIN_TITLE:
        head = familiar_terms(slug_words(url)) | head
    lead = " ".join(summary.split()[:SUMMARY_WORDS])
    body = familiar_terms(lead)
    named = names(title) | names(lead)
    return Wording(frozenset(head), frozenset(body), frozenset(named - MODEL_TERMS if deployed else named), body | head)


def boilerplate(summaries: Sequence[frozenset[str]]) -> frozenset[str]:
    """Terms in at least half of the summaries of one stream, and in BOILERPLATE_MIN of them: its
    template ("Disclosed on HackerOne by ...; severity: ..."; "88 points, 51 comments"), not news."""
    written = [summary for summary in summaries if summary]
    counts = Counter(term for summary in written for term in summary)
    needed = max(BOILERPLATE_MIN, len(written) / 2)
    return frozenset(term for term, count in counts.items() if count >= needed)


def term_weights(words: Wording, template: frozenset[str] = frozenset()) -> dict[str, float]:
    """Each matching term with the weight of the field it occurs in (the title's wins)."""
    weights = dict.fromkeys(words.summary - template, SUMMARY_WEIGHT)
    weights.update(dict.fromkeys(words.title, TITLE_WEIGHT))
    return weights


@dataclass(frozen=True)
class TermStats:
    """Term statistics of hits matched before (the database path): how many hits there were, in how
    many of them each term occurred, how familiar each term is. Counts may be fractional (decayed)."""

    size: float = 0.0
    frequency: Mapping[str, float] = field(default_factory=dict)
    familiarity: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Corpus:
    """Document frequencies of the hits being clustered: what is rare among them is telling; and
    how familiar each term is in the language (its commonest word in any hit: one weight per term)."""

    size: float
    frequency: Mapping[str, float]
    familiarity: Mapping[str, float] = field(default_factory=dict)
    _weights: dict[str, float] = field(default_factory=dict, init=False, repr=False, compare=False)  # weight's memo

    @classmethod
    def of(
        cls, documents: Sequence[Mapping[str, float]], wordings: Sequence[Wording] = (), before: TermStats = TermStats()
    ) -> Corpus:
        """The corpus of ``documents`` (term weights) and the hits matched ``before`` them."""
        familiarity = dict(before.familiarity)
        for words in wordings:
            for term, zipf in words.familiarity.items():
                familiarity[term] = max(familiarity.get(term, 0.0), zipf)
        frequency = dict(before.frequency)
        for term, count in Counter(term for document in documents for term in document).items():
            frequency[term] = frequency.get(term, 0.0) + count
        return cls(len(documents) + before.size, frequency, familiarity)

    def idf(self, term: str) -> float:
        return math.log((self.size + PRIOR_HITS) / (self.frequency.get(term, 0) + 0.5))

    def weight(self, term: str) -> float:
        """The term's IDF in the run, raised by how unusual it is in the language (when known)."""
        if (known := self._weights.get(term)) is not None:
            return known
        familiarity = self.familiarity.get(term)
        unusual = 0.0 if familiarity is None else max(0.0, FAMILIAR - familiarity)
        self._weights[term] = weight = self.idf(term) + BACKGROUND_WEIGHT * unusual
        return weight

    @cached_property
    def rare_limit(self) -> float:
        """The most hits a rare term occurs in."""
        return max(RARE_FLOOR, min(RARE_SHARE * self.size, RARE_MOST))

    def is_rare(self, term: str) -> bool:
        return self.frequency.get(term, 0) <= self.rare_limit

    def block(self, weights: Mapping[str, float]) -> frozenset[str]:
        """The rare terms of one hit: it is only compared with hits and clusters sharing one."""
        return frozenset(filter(self.is_rare, weights))

    def vector(self, weights: Mapping[str, float], names: frozenset[str] = frozenset()) -> Vector:
        """Unit-length TF-IDF vector of one hit's term weights, its rare ``names`` weighing double."""
        return normalized(
            {
                term: weight * self.weight(term) * (NAME_WEIGHT if term in names and self.is_rare(term) else 1.0)
                for term, weight in weights.items()
            }
        )


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    return sum(a[term] * b[term] for term in a.keys() & b.keys())


def norm(vector: Mapping[str, float]) -> float:
    return math.sqrt(sum(value * value for value in vector.values()))


def normalized(vector: Mapping[str, float]) -> Vector:
    length = norm(vector)
    return {term: value / length for term, value in vector.items()} if length else {}


def widen(
    vectors: Sequence[Vector], blocks: Sequence[Iterable[str]], *, neighbours: int, floor: float, first: int | None = None
) -> list[Vector]:
    """The ``first`` vectors (all by default), each plus its ``neighbours`` most similar others among
    all (cosine at least ``floor``), each weighted by that cosine, normalized again. Only vectors
    sharing a term of ``blocks`` (the rare ones) are compared, the NEIGHBOUR_CANDIDATES sharing the
    most weight, so the work grows with the hits, not with the square of the corpus."""
    index: dict[str, list[int]] = defaultdict(list)
    for position, block in enumerate(blocks):
        for term in block:
            index[term].append(position)
    widened = []
    for position, (vector, block) in enumerate(zip(vectors[:first], blocks[:first], strict=True)):
        shared: dict[int, float] = defaultdict(float)
        for term in block:
            weight = vector.get(term, 0.0)
            for other in index[term]:
                shared[other] += weight
        shared.pop(position, None)  # itself
        others = [other for _, other in heapq.nsmallest(NEIGHBOUR_CANDIDATES, [(-weight, other) for other, weight in shared.items()])]
        nearest = sorted(((dot(vector, vectors[other]), other) for other in others), reverse=True)[:neighbours]
        close = [(cosine, other) for cosine, other in nearest if cosine >= floor]
        total = dict(vector)
        for cosine, other in close:
            for term, value in vectors[other].items():
                total[term] = total.get(term, 0.0) + cosine * value
        widened.append(normalized(_heaviest(total, WIDENED_TERMS)) if close else vector)
    return widened


def _heaviest(vector: Vector, count: int) -> Vector:
    if len(vector) <= count:
        return vector
    return dict(sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:count])
