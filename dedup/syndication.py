"""Syndicated copies: near-identical text (SimHash) and wire-agency credits.

A wire story reprinted by many outlets is one origin, the agency, however many sites carry it;
reprints are often trimmed or retitled, so exact fingerprints miss them. SimHash over word
shingles of title and summary tolerates small edits: copies land within a few bits of each other
out of 64, different stories about 32 apart.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from dedup.text import words

BITS = 64
NEAR_DISTANCE = 3  # at most this many differing bits: the same text
# Words per shingle. Titles and summaries are short (30-80 words): longer shingles let one edited
# word move a copy past NEAR_DISTANCE (bench/syndication.py prints how often, per shingle length).
SHINGLE = 1
MIN_WORDS = 12  # below this a text is too short to call a copy by wording alone


@dataclass(frozen=True)
class Agency:
    name: str  # as the explanation names it
    origin: str  # the agency's own publisher domain: the origin of every credited copy
    credit: re.Pattern[str]


def _credit(*forms: str) -> re.Pattern[str]:
    """A dateline credit "(AP)", a sign-off "— Reuters", or a byline naming the agency."""
    names = "|".join(forms)
    return re.compile(rf"\((?:{names})\)|[—–-]\s*(?:{names})\b|\b(?:{names})\b(?=[\s.,:;)]|$)")


AGENCIES = (
    Agency("AP", "apnews.com", _credit("AP", "Associated Press")),
    Agency("Reuters", "reuters.com", _credit("Reuters")),
    Agency("AFP", "afp.com", _credit("AFP", "Agence France-Presse")),
)
# "AP" alone is also a common word in other senses ("AP exam"): only as a dateline or sign-off.
_BARE_AP = re.compile(r"\bAP\b(?=[\s.,:;)]|$)")


def wire_credit(summary: str) -> Agency | None:
    """The agency a summary credits, if any."""
    for agency in AGENCIES:
        for found in agency.credit.finditer(summary):
            if agency.name != "AP" or not _BARE_AP.fullmatch(found.group(0)):
                return agency
    return None


def simhash(text: str, shingle: int = SHINGLE) -> int | None:
    """64-bit SimHash of the text's word shingles; None when the text is too short to judge."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    shingles = (" ".join(tokens[start : start + shingle]) for start in range(len(tokens) - shingle + 1))
    # bit i of the result is set when most shingles set it: counted a column at a time, most significant first
    columns = zip(*map(shingle_bits, shingles), strict=True)
    count = len(tokens) - shingle + 1
    return sum(1 << (BITS - 1 - i) for i, column in enumerate(columns) if 2 * column.count("1") > count)


@lru_cache(maxsize=1 << 16)  # shingles of one word recur across texts
def shingle_bits(shingle: str) -> str:
    """The shingle's 64-bit hash as a string of 0s and 1s, most significant bit first."""
    return format(int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=BITS // 8).digest(), "big"), f"0{BITS}b")


def distance(a: int, b: int) -> int:
    """Hamming distance: how many of the 64 bits differ."""
    return (a ^ b).bit_count()
