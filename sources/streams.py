"""The twelve source streams of the methodology and the weight each one's hits carry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """How a stream's hits count toward the two-independent-sources rule."""

    CONFIRMING = "confirming"  # counts once per originating organization
    AGGREGATOR = "aggregator"  # counts only through the original articles it links (AIID)
    LEAD = "lead"  # may open a cluster, counts zero (user submissions)
    DISCOVERY = "discovery"  # shown to reviewers, counts zero (Reddit / Hacker News)


@dataclass(frozen=True)
class Stream:
    number: int
    name: str
    title: str
    role: Role


STREAMS: dict[str, Stream] = {
    s.name: s
    for s in (
        Stream(1, "tier1-news", "Tier-1 news", Role.CONFIRMING),
        Stream(2, "tech-press", "Specialty tech press", Role.CONFIRMING),
        Stream(3, "courts", "Court filings (US, EU, UK)", Role.CONFIRMING),
        Stream(4, "regulators", "Regulatory filings", Role.CONFIRMING),
        Stream(5, "preprints", "Academic preprints", Role.CONFIRMING),
        Stream(6, "vendor-disclosures", "Vendor disclosures", Role.CONFIRMING),
        Stream(7, "aiid", "AI Incident Database", Role.AGGREGATOR),
        Stream(8, "bug-bounty", "Bug-bounty disclosures", Role.CONFIRMING),
        Stream(9, "security-blogs", "Security research blogs", Role.CONFIRMING),
        Stream(10, "user-submissions", "User-submitted reports", Role.LEAD),
        Stream(11, "reddit-hn", "Reddit / Hacker News", Role.DISCOVERY),
        Stream(12, "avi-tracker", "AVI tracker reproductions", Role.CONFIRMING),
    )
}
