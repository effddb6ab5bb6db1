"""Suggestions for the reviewer drawn from a cluster's evidence: likely category and sector, the
models named, cross-references, and anything that puts the scope in doubt. Hints never decide."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dedup.entities import deployer_name
from review.vocabulary import CATEGORIES, SECTORS, suggest
from store import Candidate


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
    deployers: list[str]  # deploying organizations named (dedup.entities), most mentioned first
    aiid_ids: list[str]
    cves: list[str]
    dockets: list[str]
    scope: list[str]  # why members are out of scope (dedup.scope), one line each; empty when none is


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
        deployers=_deployers(candidates),
        aiid_ids=_entity(candidates, "aiid_ids"),
        cves=_entity(candidates, "cves"),
        dockets=_entity(candidates, "dockets"),
        scope=_scope_doubts(candidates),
    )


def _deployers(candidates: Sequence[Candidate]) -> list[str]:
    """Each organization once, however its members name it ("NYC", "New York City"; "Acme Inc."
    and "ACME"), under its commonest name, most mentioned first."""
    forms: dict[str, Counter[str]] = defaultdict(Counter)  # one organization's names, by their casefold
    for c in candidates:
        for named in dict.fromkeys(c.entities.get("deployers", [])):
            name = deployer_name(str(named))
            forms[name.casefold()][name] += 1
    return [names.most_common(1)[0][0] for names in sorted(forms.values(), key=lambda names: -names.total())]


def _entity(candidates: Sequence[Candidate], name: str) -> list[str]:
    return sorted({str(value) for c in candidates for value in c.entities.get(name, [])})


def _scope_doubts(candidates: Sequence[Candidate]) -> list[str]:
    """Each member assessed out of scope (dedup.scope, at normalization), with its stored reasons. A
    hit stored before scope was assessed shows none until ``lpi reprocess`` assesses it."""
    return [
        f"#{c.id} out of scope (score {c.scope_score or 0:.2f}): {'; '.join(c.scope_reasons)}"
        for c in candidates
        if c.in_scope is False
    ]


def first_seen_date(candidates: Sequence[Candidate]) -> date | None:
    dates = [c.published_at.date() for c in candidates if c.published_at]
    return min(dates) if dates else None
