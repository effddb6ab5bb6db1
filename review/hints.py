"""Suggestions for the reviewer drawn from a cluster's evidence: likely category and sector, the
models named, cross-references, and anything that puts the scope in doubt. Hints never decide."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from review.draft import SCOPE_START
from review.vocabulary import CATEGORIES, SECTORS, suggest
from store import Candidate

SCOPE_DOUBTS = (
    (r"self-driving|autonomous (?:vehicle|car)|robotaxi", "mentions autonomous vehicles, which are out of scope"),
    (r"red[- ]team|proof[- ]of[- ]concept|researchers? (?:found|showed|demonstrated)",
     "may be a lab or red-team finding: in scope only when it happened in production"),
    (r"facial recognition|computer vision|image classifi", "may concern a vision-only system, which is out of scope"),
)
_DOUBTS = [(re.compile(rf"\b(?:{pattern})", re.IGNORECASE), note) for pattern, note in SCOPE_DOUBTS]


@dataclass(frozen=True)
class ModelMention:
    vendor: str
    model: str
    members: int  # how many members name it


@dataclass(frozen=True)
class Hints:
    categories: list[str]  # category slugs, most hinted first
    sectors: list[str]
    models: list[ModelMention]  # most mentioned first
    aiid_ids: list[str]
    cves: list[str]
    dockets: list[str]
    scope: list[str]  # reasons to doubt the scope; empty when none were found


def evidence_text(candidates: Sequence[Candidate]) -> str:
    return "\n".join(f"{c.title}\n{c.summary}" for c in candidates)


def hints_for(candidates: Sequence[Candidate]) -> Hints:
    text = evidence_text(candidates)
    models = Counter(
        (entry["vendor"], entry["model"])
        for c in candidates
        for entry in {(m["vendor"], m["model"]): m for m in c.entities.get("models", [])}.values()
    )
    return Hints(
        categories=suggest(CATEGORIES, text),
        sectors=suggest(SECTORS, text),
        models=[ModelMention(vendor, model, n) for (vendor, model), n in models.most_common()],
        aiid_ids=_entity(candidates, "aiid_ids"),
        cves=_entity(candidates, "cves"),
        dockets=_entity(candidates, "dockets"),
        scope=_scope_doubts(candidates, text, bool(models)),
    )


def _entity(candidates: Sequence[Candidate], name: str) -> list[str]:
    return sorted({str(value) for c in candidates for value in c.entities.get(name, [])})


def _scope_doubts(candidates: Sequence[Candidate], text: str, names_a_model: bool) -> list[str]:
    doubts = [note for pattern, note in _DOUBTS if pattern.search(text)]
    if not names_a_model:
        doubts.append("no frontier LLM is named in the evidence")
    dates = [c.published_at.date() for c in candidates if c.published_at and not c.published_is_fallback]
    if dates and min(dates) < SCOPE_START:
        doubts.append(f"earliest report is from {min(dates)}, before the tracker's scope ({SCOPE_START} on)")
    return doubts


def first_seen_date(candidates: Sequence[Candidate]) -> date | None:
    dates = [c.published_at.date() for c in candidates if c.published_at]
    return min(dates) if dates else None
