"""Independence counting: how many different originating organizations confirm a cluster, and why.

Rules (DESIGN.md): one origin per organization; copies count once, whether verbatim, near-identical
(dedup.syndication) or credited to a wire agency, whose copies all count as the agency; discovery
posts and user submissions count zero; an aggregator entry counts only through the article it links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from dedup.syndication import NEAR_DISTANCE, distance, simhash, wire_credit
from dedup.text import words

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
    title: str = ""
    summary: str = ""


class StoredHit(Protocol):
    """What counting reads of a stored candidate (store.Candidate), without depending on the store."""

    id: int | None
    role: str
    publisher: str
    fingerprint: str
    stream: str
    title: str
    summary: str


def evidence_of(hits: Iterable[StoredHit]) -> list[Evidence]:
    """The stored hits as counting sees them (those without an id yet are left out)."""
    return [Evidence(h.id, h.role, h.publisher, h.fingerprint, h.stream, h.title, h.summary) for h in hits if h.id is not None]


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

    def collapse(self, member: Evidence, origin: str, reason: str) -> None:
        self.origins[origin].append(member.candidate_id)
        self.collapsed.append({"candidate": member.candidate_id, "into": origin, "reason": reason})


@dataclass(frozen=True)
class _Counted:
    member: Evidence
    origin: str  # the origin it counted for, or was collapsed into
    wording: str  # its title and summary, as words
    simhash: int | None


def count_independent(members: Iterable[Evidence]) -> Count:
    """Count origins over ``members`` taken in the order given (earliest first)."""
    count = Count()
    earlier: list[_Counted] = []  # every member with weight so far: a copy may repeat any of them
    for member in members:
        if member.role in ZERO_WEIGHT_REASONS:
            count.zero.append({"candidate": member.candidate_id, "reason": ZERO_WEIGHT_REASONS[member.role]})
            continue
        agency = wire_credit(member.summary)
        wording = " ".join(words(f"{member.title} {member.summary}"))
        counted = _Counted(member, "", wording, simhash(wording))
        credit = f"wire copy credited to {agency.name}" if agency else ""
        if member.publisher in count.origins:
            origin, reason = member.publisher, "same originating organization"
        elif copied := _copy_of(counted, earlier):
            origin, reason = copied[0], "; ".join(filter(None, (copied[1], credit)))
        elif agency and agency.origin in count.origins:
            origin, reason = agency.origin, credit
        else:
            origin, reason = (agency.origin if agency else member.publisher), ""
        if reason:
            count.collapse(member, origin, reason)
        else:
            count.origins[origin] = [member.candidate_id]
        earlier.append(replace(counted, origin=origin))
    return count


def _copy_of(member: _Counted, earlier_members: list[_Counted]) -> tuple[str, str] | None:
    """The origin of the earlier member whose text this one repeats, and why; None if it repeats none.

    Identical text is the fingerprint's call; SimHash only bridges small differences in wording."""
    for earlier in earlier_members:
        if earlier.member.fingerprint == member.member.fingerprint:
            return earlier.origin, f"identical text to candidate {earlier.member.candidate_id}: a syndicated copy"
        if member.simhash is None or earlier.simhash is None or earlier.wording == member.wording:
            continue
        if (bits := distance(member.simhash, earlier.simhash)) <= NEAR_DISTANCE:
            return earlier.origin, f"near-identical text to candidate {earlier.member.candidate_id} (simhash distance {bits})"
    return None
