"""Scope of one hit: is it about a frontier LLM in a production deployment, from January 2024 on?

A transparent, rule-based score, not a classifier: each rule of ``RULES`` that fires on a hit's title
and summary (or on its extracted models and its date) adds its weight to ``BASE``; the sum, clipped to
0..1, is the score, and each rule that fired is a reason naming its evidence. A hit is in scope when
its score reaches ``IN_SCOPE_AT``. The weights are set so that the methodology's hard exclusions
(autonomous vehicles, a real publication date before 2024) outweigh every positive signal together,
and so that a hit naming or describing no language model needs several other signals to stay in.

The verdict decides one thing only: a cluster whose every confirming member is out of scope is kept
out of the review queue (``cluster_out_of_scope``), visible and overridable by a reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dedup.entities import UNDISCLOSED_VENDOR

SCOPE_START = date(2024, 1, 1)  # the tracker covers events from January 2024 on
BASE = 0.3
IN_SCOPE_AT = 0.5  # a score at or above this is in scope
MAX_EVIDENCE = 3  # phrases quoted per reason


@dataclass(frozen=True)
class Facts:
    """What the rules read of a hit."""

    text: str  # title and summary
    models: tuple[str, ...]  # named frontier models, as "Model (Vendor)"
    described: tuple[str, ...]  # generic LLM descriptions ("AI chatbot"): an undisclosed frontier model
    published: date | None
    date_is_fallback: bool  # a fetch time stands in for the date
    date_from_url: bool = False  # the entry had no date: this one is written in its URL

    @property
    def names_no_llm(self) -> bool:
        return not self.models and not self.described


Finder = Callable[[Facts], list[str]]  # the evidence a rule found; empty when it does not fire


def _phrases(*patterns: str, unless: Callable[[Facts], bool] | None = None) -> Finder:
    """A finder quoting the distinct phrases that match, first seen first."""
    compiled = re.compile(rf"(?<![\w-])(?:{'|'.join(patterns)})(?![\w-])", re.IGNORECASE)

    def find(facts: Facts) -> list[str]:
        if unless and unless(facts):
            return []
        found = dict.fromkeys(" ".join(m.group(0).split()).lower() for m in compiled.finditer(facts.text))
        return [f"'{phrase}'" for phrase in list(found)[:MAX_EVIDENCE]]

    return find


def _names_llm(facts: Facts) -> bool:
    return not facts.names_no_llm


@dataclass(frozen=True)
class Rule:
    name: str
    weight: float
    says: str  # the reason, before its evidence
    find: Finder


PRODUCTION = _phrases(
    r"customers?", r"users?", r"passengers?", r"patients?", r"clients?", r"shoppers?", r"travell?ers?", r"tenants?",
    r"business owners", r"students", r"employees", r"the public", r"deployed", r"rolled out", r"launched",
    r"in production", r"on (?:its|their|the company's) (?:website|site|app)", r"customer[- ](?:service|support)",
    r"apps?", r"lawsuits?", r"sued", r"court", r"tribunal", r"judge", r"sanction(?:s|ed)?", r"fined?",
    r"settle(?:d|ment)", r"regulators?", r"attorneys?", r"lawyers?", r"briefs?", r"filings?", r"ordered to pay",
    r"refunds?", r"outage", r"resolved", r"degraded", r"elevated errors?", r"disclosed on (?:hackerone|bugcrowd)",
)

# Every rule, with why its weight is what it is (BASE 0.3, in scope from 0.5). Evidence is quoted from the hit.
RULES: tuple[Rule, ...] = (
    # The scope's core. A named frontier model (alias table of dedup.entities) alone takes a hit in (0.65).
    Rule("llm-named", +0.35, "names a frontier LLM", lambda f: list(f.models[:MAX_EVIDENCE])),
    # Described but not named ("AI chatbot"): the tracker's "undisclosed frontier model"; in alone, just (0.5).
    Rule("llm-described", +0.20, "describes an LLM without naming it (undisclosed frontier model)",
         lambda f: [f"'{d}'" for d in f.described[:MAX_EVIDENCE]] if not f.models else []),
    # Nothing says a language model is involved, as in most broad AI coverage: needs two signals more to be in.
    Rule("no-llm", -0.10, "names or describes no frontier LLM", lambda f: [""] if f.names_no_llm else []),
    # "AI" alone covers every kind of system: weak evidence of an LLM, but not none.
    Rule("ai-mentioned", +0.10, "mentions AI without describing a language model",
         _phrases(r"a\.i\.", r"ai", r"artificial intelligence", r"generative ai", r"gen ?ai", unless=_names_llm)),
    # Failure modes only language models have: as telling as a description of one, plus some.
    Rule("llm-failure", +0.25, "describes an LLM failure", _phrases(
        r"hallucinat\w*", r"prompt injection", r"jailbr(?:eak|oke)\w*", r"system prompt",
        r"(?:fake|fabricated|non-?existent|made-up|bogus|invented) (?:cases?|citations?|quotes?|policy|polic(?:y|ies))",
        r"cases? that do not exist", r"cit(?:ed|ing) non-?existent",
    )),
    # Real people or organizations were affected: the tracker's "production" half. Broad wording, modest weight.
    Rule("production", +0.20, "describes a production deployment", PRODUCTION),
    # Lab or red-team work is out until seen in production (a methodology exclusion): only when no production
    # wording is there, and enough to take out a named model with a failure described (0.9 - 0.45 < 0.5).
    Rule("lab-finding", -0.45, "lab / red-team finding, no production use stated", _phrases(
        r"red[- ]team(?:ing|ers?)?", r"proof[- ]of[- ]concept", r"researchers? (?:found|showed|demonstrated|discovered)",
        r"in (?:a|the) lab(?:oratory)?", r"benchmarks?", r"we (?:show|propose|evaluate|find|present|introduce)",
        r"(?:our|this) (?:paper|study)", r"simulated", r"hypothetical",
        unless=lambda f: bool(PRODUCTION(f)),
    )),
    # Excluded outright by the methodology, whatever else the hit says: outweighs every positive rule together.
    Rule("autonomous-vehicle", -0.70, "about autonomous vehicles", _phrases(
        r"self[- ]driving", r"autonomous (?:vehicles?|cars?|trucks?|driving|shuttles?|bus(?:es)?)", r"driverless",
        r"robo[- ]?taxis?", r"autopilot", r"full self[- ]driving", r"waymo", r"automated driving",
    )),
    # Excluded by the methodology, but only when no language model is involved (a multimodal LLM is in).
    Rule("vision-only", -0.40, "vision-only system", _phrases(
        r"facial recognition", r"face (?:recognition|detection|scans?)", r"image (?:recognition|classifi\w+|cropping)",
        r"computer vision", r"object detection", r"license plates?", r"traffic cameras?", r"surveillance cameras?",
        unless=_names_llm,
    )),
    # Excluded by the methodology: machine learning from before LLMs (and robots), unless an LLM is involved.
    # Lighter than vision: "algorithm" is also said of LLM products, so it takes out only a weak case.
    Rule("pre-llm", -0.30, "pre-LLM ML system", _phrases(
        r"algorithms?", r"algorithmic", r"recommend(?:ation|er) (?:systems?|engines?|algorithms?)", r"autocomplete",
        r"smart reply", r"risk assessment", r"predictive policing", r"ad targeting", r"credit scor\w+",
        r"alexa", r"siri", r"echo dot", r"robots?", unless=_names_llm,
    )),
    # Synthetic voice or video is no language model; a chatbot impersonating someone still is (unless=).
    Rule("synthetic-media", -0.30, "synthetic voice or video (deepfake), no language model involved", _phrases(
        r"deep ?fakes?", r"deepfak\w+", r"voice clon\w+", r"cloned voices?", r"synthetic (?:voices?|videos?|media)",
        r"ai-generated (?:voices?|videos?|images?)", r"face[- ]?swap\w*", unless=_names_llm,
    )),
    # Before the scope's start: excluded outright, like autonomous vehicles, but only on a date the source stated.
    Rule("before-scope", -0.70, "", lambda f: [_before(f)] if _before(f) else []),
    # A fetch time standing in for a missing date proves nothing: said so, weighing nothing.
    Rule("date-unknown", 0.0, "no publication date in the entry (fetch time used): the date does not count",
         lambda f: [""] if f.date_is_fallback else []),
    # A date in the URL's path is the publisher's own: it counts, and the reviewer is told where it came from.
    Rule("date-from-url", 0.0, "no publication date in the entry: the date in its URL is used",
         lambda f: [""] if f.date_from_url else []),
)


def _before(facts: Facts) -> str:
    if facts.published is None or facts.date_is_fallback or facts.published >= SCOPE_START:
        return ""
    source = " (the date in its URL)" if facts.date_from_url else ""
    return f"published {facts.published}{source}, before the tracker's scope ({SCOPE_START} on)"


@dataclass(frozen=True)
class Reason:
    rule: str
    weight: float
    sentence: str

    def __str__(self) -> str:
        return f"{self.sentence} ({self.weight:+.2f})" if self.weight else self.sentence


@dataclass(frozen=True)
class Assessment:
    score: float
    in_scope: bool
    reasons: tuple[Reason, ...]

    @property
    def sentences(self) -> list[str]:
        return [str(reason) for reason in self.reasons]


def assess(
    title: str, summary: str, models: Iterable[Any], published: date | datetime | None, *,
    date_is_fallback: bool = False,
    date_from_url: bool = False,
) -> Assessment:
    """Score one hit from its text, its extracted (or stated) models and its publication date."""
    entries = [m for m in models if isinstance(m, Mapping) and m.get("model")]  # a source may state anything
    named = tuple(dict.fromkeys(f"{m['model']} ({m.get('vendor')})" for m in entries if m.get("vendor") != UNDISCLOSED_VENDOR))
    described = tuple(dict.fromkeys(
        " ".join(str(m.get("mention") or m["model"]).split()).lower() for m in entries if m.get("vendor") == UNDISCLOSED_VENDOR
    ))
    day = published.date() if isinstance(published, datetime) else published
    facts = Facts(f"{title}\n{summary}", named, described, day, date_is_fallback, date_from_url)
    reasons = []
    for rule in RULES:
        if evidence := rule.find(facts):
            quoted = ", ".join(e for e in evidence if e)
            sentence = f"{rule.says}: {quoted}" if rule.says and quoted else rule.says or quoted
            reasons.append(Reason(rule.name, rule.weight, sentence))
    score = round(min(1.0, max(0.0, BASE + sum(r.weight for r in reasons))), 2)
    return Assessment(score, score >= IN_SCOPE_AT, tuple(reasons))


@dataclass(frozen=True)
class MemberScope:
    """One cluster member's stored verdict, as the cluster's scope reads it."""

    candidate_id: int
    confirming: bool  # counts toward independence (not a discovery post, lead or aggregator entry)
    in_scope: bool | None  # None: not assessed, which never excludes
    score: float | None
    reasons: Sequence[str]


def cluster_out_of_scope(members: Iterable[MemberScope]) -> bool:
    """Whether a cluster has confirming evidence and all of it is out of scope: one in-scope
    confirming member is enough to keep the incident in front of a reviewer."""
    confirming = [m for m in members if m.confirming]
    return bool(confirming) and all(m.in_scope is False for m in confirming)
