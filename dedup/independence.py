"""Independence counting: how many different originating organizations confirm a cluster, and why.

Rules (DESIGN.md): one origin per organization; verbatim copies count once; discovery posts and
user submissions count zero; an aggregator entry counts only through the article it links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ZERO_WEIGHT_REASONS = {
    "discovery": "discovery only (Reddit / Hacker News): never a confirming source",
    "lead": "user-submitted lead: counts zero until confirmed elsewhere",
    "aggregator": "aggregator entry: counts only through the original article it links",
}


@dataclass(frozen=True)
class Evidence:
    """One cluster member as counting sees it."""

    candidate_id: int
    role: str
    publisher: str
    fingerprint: str
    stream: str = ""


@dataclass
class Count:
    origins: dict[str, list[int]] = field(default_factory=dict)  # publisher → candidate ids
    collapsed: list[dict[str, Any]] = field(default_factory=list)
    zero: list[dict[str, Any]] = field(default_factory=list)

    @property
    def independent(self) -> int:
        return len(self.origins)

    def explanation(self) -> dict[str, Any]:
        return {
            "independent": self.independent,
            "origins": [{"origin": o, "candidates": ids} for o, ids in self.origins.items()],
            "collapsed": self.collapsed,
            "zero": self.zero,
        }


def count_independent(members: Iterable[Evidence]) -> Count:
    """Count origins over ``members`` taken in the order given (earliest first)."""
    count = Count()
    first_by_fingerprint: dict[str, Evidence] = {}
    for member in members:
        if member.role in ZERO_WEIGHT_REASONS:
            count.zero.append({"candidate": member.candidate_id, "reason": ZERO_WEIGHT_REASONS[member.role]})
            continue
        first_by_fingerprint.setdefault(member.fingerprint, member)
        if member.publisher in count.origins:
            count.origins[member.publisher].append(member.candidate_id)
            count.collapsed.append(
                {"candidate": member.candidate_id, "into": member.publisher, "reason": "same originating organization"}
            )
            continue
        original = first_by_fingerprint[member.fingerprint]
        if original is not member:
            count.origins[original.publisher].append(member.candidate_id)
            count.collapsed.append(
                {
                    "candidate": member.candidate_id,
                    "into": original.publisher,
                    "reason": f"identical text to candidate {original.candidate_id}: a syndicated copy",
                }
            )
            continue
        count.origins[member.publisher] = [member.candidate_id]
    return count
