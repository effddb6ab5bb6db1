"""PACER CM/ECF court RSS (``rss_outside.pl``): each item is one docket entry of one case."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import Any, ClassVar

from sources.base import Hit, Parsed, Payload, SourceSpec
from sources.feeds import FeedAdapter

# CM/ECF writes ISO-8859-1 and says so in the prolog; a charset header (or text/xml's us-ascii
# default) must not override what the document declares.
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=", re.I)
# The case number without the judge-initial suffixes of "1:22-cv-01461-PKC" or "16-10992-smb",
# the form CourtListener and other court sources state.
_CASE_NUMBER = re.compile(r"(?:\d{1,2}:)?\d{2}-(?:[A-Za-z~]{1,4}-)?\d+")
_ET_AL = re.compile(r",?\s+et\s+al\b\.?", re.I)
_VERSUS = re.compile(r"\s+(?:v|vs)\.?\s+")
# CM/ECF spells the government as a party in several ways; CourtListener says "United States".
_UNITED_STATES = re.compile(r"USA|U\.S\.A\.|US|U\.S\.|(?:The )?United States of America")


class PacerRssAdapter(FeedAdapter):
    """Titles are "<docket no> <case name>": both go into ``entities``; the description (the docket
    entry text) is the summary, and the item's permalink guid names the entry, not just the case.
    Items sharing a permalink (CM/ECF splits one entry into several; some courts link only the
    docket) become one hit with their descriptions joined, as one key keeps only one of them."""

    kind: ClassVar[str] = "pacer-rss"

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        if _DECLARED_ENCODING.match(payload.body):
            payload = replace(payload, content_type=None)  # let the prolog's encoding decide
        parsed = super().parse(spec, payload)
        merged: dict[str, Hit] = {}
        for hit in parsed.hits:
            first = merged.setdefault(hit.url, hit)
            if first is not hit and hit.summary not in first.summary:
                merged[hit.url] = replace(first, summary=f"{first.summary}\n{hit.summary}")
        return replace(parsed, hits=list(merged.values()))

    def hit(self, spec: SourceSpec, entry: Any) -> Hit | None:
        hit = super().hit(spec, entry)
        if hit is None:
            return None
        docket, case_name = split_title(hit.title)
        entities = {"dockets": [docket]} | ({"case_names": [case_name]} if case_name else {})
        guid = hit.guid or ""
        url = guid if guid.startswith(("https://", "http://")) else hit.url
        return replace(hit, url=url, title=" ".join(html.unescape(hit.title).split()), entities=entities)


def split_title(title: str) -> tuple[str, str]:
    """("1:18-cv-03365", "United States v. Donovan") from "1:18-cv-03365-ABC USA v. Donovan et al".

    Case names are unescaped once more (some courts escape "&" twice), lose "et al", say "v." and name
    the government "United States", so that they match what other court sources state."""
    number, _, rest = " ".join(title.split()).partition(" ")
    match = _CASE_NUMBER.match(number)
    docket = match.group(0) if match else number
    parties = _VERSUS.split(_ET_AL.sub("", html.unescape(rest)).strip(" ,;"))
    case_name = " v. ".join("United States" if _UNITED_STATES.fullmatch(p) else p for p in parties)
    return docket, case_name
