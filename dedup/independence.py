"""Independence counting: how many different originating organizations confirm a cluster, and why.

Rules (DESIGN.md): one origin per organization; copies count once, whether verbatim, near-identical
(dedup.syndication) or credited to a wire agency, whose copies all count as the agency; an article
that re-reports another outlet's story (dedup.rereport) counts as that outlet; discovery posts and
user submissions count zero; an aggregator entry counts only through the article it links.

A re-report counts for the outlet it retells even when that outlet's own article is not in the
cluster, as a wire copy counts for its agency: the originating organization of what it confirms is
the outlet it credits, and the methodology's "independent" is about who originated a report, not who
carried it. So two re-reports of one scoop are one origin, not two, and not zero either: they show
that the outlet published the story, which is a confirmation. When the outlet's own article arrives
later it joins that origin and the count does not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from dedup.publisher import FAMILIES, registrable_domain
from dedup.rereport import ReReport, re_report
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
    url: str = ""
    links: tuple[str, ...] = ()  # the article links of its summary (entities["links"])


class StoredHit(Protocol):
    """What counting reads of a stored candidate (store.Candidate), without depending on the store."""

    id: int | None
    role: str
    publisher: str
    fingerprint: str
    stream: str
    title: str
    summary: str
    url: str

    @property
    def entities(self) -> Mapping[str, Any]: ...


def evidence_of(hits: Iterable[StoredHit]) -> list[Evidence]:
    """The stored hits as counting sees them (those without an id yet are left out)."""
    return [
        Evidence(h.id, h.role, h.publisher, h.fingerprint, h.stream, h.title, h.summary, h.url, tuple(h.entities.get("links") or ()))
        for h in hits
        if h.id is not None
    ]


@dataclass
class Count:
    origins: dict[str, list[int]] = field(default_factory=dict)  # origin → candidate ids, the counted one first
    through: dict[str, str] = field(default_factory=dict)  # origin → why its counted hit counts for it, if not its own
    collapsed: list[dict[str, Any]] = field(default_factory=list)
    zero: list[dict[str, Any]] = field(default_factory=list)

    @property
    def independent(self) -> int:
        return len(self.origins)

    def explanation(self) -> dict[str, Any]:
        return {
            "independent": self.independent,
            "origins": [
                {"origin": o, "candidates": ids, **({"reason": self.through[o]} if o in self.through else {})}
                for o, ids in self.origins.items()
            ],
            "collapsed": self.collapsed,
            "zero": self.zero,
        }

    def add(self, member: Evidence, origin: str, reason: str) -> None:
        """Count ``member`` for ``origin``: as a new origin, or collapsed into one already counted."""
        if origin in self.origins:
            self.origins[origin].append(member.candidate_id)
            self.collapsed.append({"candidate": member.candidate_id, "into": origin, "reason": reason})
            return
        self.origins[origin] = [member.candidate_id]
        if reason:
            self.through[origin] = reason


@dataclass(frozen=True)
class _Counted:
    member: Evidence
    origin: str  # the origin it counted for, or was collapsed into
    wording: str  # its title and summary, as words
    simhash: int | None


def count_independent(members: Iterable[Evidence]) -> Count:
    """Count origins over ``members`` taken in the order given (earliest first).

    Re-reports are taken last, so that an outlet whose own article is in the cluster counts through
    that article, whichever was published first."""
    count = Count()
    weighted = []
    for member in members:
        if member.role in ZERO_WEIGHT_REASONS:
            count.zero.append({"candidate": member.candidate_id, "reason": ZERO_WEIGHT_REASONS[member.role]})
        else:
            weighted.append(member)
    retold = {m.candidate_id: found for m in weighted if (found := re_report(f"{m.title}\n{m.summary}", m.links, m.publisher))}
    earlier: list[_Counted] = []  # every member with weight so far: a copy may repeat any of them
    for member in _retold_last(weighted, retold):
        agency = wire_credit(member.summary)
        wording = " ".join(words(f"{member.title} {member.summary}"))
        counted = _Counted(member, "", wording, simhash(wording))
        credit = f"wire copy credited to {agency.name}" if agency else ""
        if member.publisher in count.origins:
            origin, reason = member.publisher, _same_organization(member)
        elif copied := _copy_of(counted, earlier):
            origin, reason = copied[0], "; ".join(filter(None, (copied[1], credit)))
        elif retelling := retold.get(member.candidate_id):
            origin, reason = _origin_of(retelling.outlet, earlier), retelling.reason
        elif agency and agency.origin != member.publisher:
            origin, reason = agency.origin, credit
        else:
            origin, reason = member.publisher, ""
        count.add(member, origin, reason)
        earlier.append(replace(counted, origin=origin))
    return count


def _retold_last(members: list[Evidence], retold: Mapping[int, ReReport]) -> list[Evidence]:
    """``members`` with the re-reports moved last, each after the re-reports of the outlet it retells
    (A retells B, which retells C: B is counted first, and A lands where B did)."""
    ordered = [m for m in members if m.candidate_id not in retold]
    pending = [m for m in members if m.candidate_id in retold]
    while pending:
        retelling = {m.publisher for m in pending}
        ready = [m for m in pending if retold[m.candidate_id].outlet not in retelling] or pending[:1]
        ordered += ready
        done = {m.candidate_id for m in ready}
        pending = [m for m in pending if m.candidate_id not in done]
    return ordered


def _origin_of(outlet: str, counted: list[_Counted]) -> str:
    """The origin the outlet's own articles counted for (its own, or the agency it carried), else the outlet."""
    return next((c.origin for c in counted if c.member.publisher == outlet), outlet)


def _same_organization(member: Evidence) -> str:
    domain = registrable_domain(member.url) if member.url.startswith("http") else ""
    if FAMILIES.get(domain) == member.publisher:
        return f"same originating organization ({domain} is one of {member.publisher}'s domains)"
    return "same originating organization"


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
