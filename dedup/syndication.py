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
    count = len(tokens) - shingle + 1
    # Bit b of the result is set when most shingles set it, that is when 2 * (shingles setting it) >
    # count. Summing the shingles' lanes counts every bit at once; adding the same bias to each lane
    # lifts exactly the counts above count // 2 into the lane's top bit, which is then read off.
    lanes = sum(map(shingle_lanes, shingles)) + (_LANE_TOP - count // 2 - 1) * _LANE_ONES
    tops = (lanes & _LANE_TOPS).to_bytes(BITS * _LANE_BYTES, "little")[_LANE_BYTES - 1 :: _LANE_BYTES]
    return int(tops.translate(_TOP_TO_DIGIT)[::-1], 2)


# A lane per bit, wide enough to count the shingles of any text (less than 2**31 of them).
_LANE_BYTES = 4
_LANE_TOP = 1 << (8 * _LANE_BYTES - 1)
_LANE_ONES = sum(1 << (8 * _LANE_BYTES * bit) for bit in range(BITS))
_LANE_TOPS = _LANE_ONES * _LANE_TOP
_TOP_TO_DIGIT = bytes.maketrans(bytes([0, 0x80]), b"01")
_DIGIT_TO_BIT = bytes.maketrans(b"01", bytes([0, 1]))


@lru_cache(maxsize=1 << 16)  # shingles of one word recur across texts
def shingle_lanes(shingle: str) -> int:
    """The shingle's 64-bit hash with bit b moved to the bottom of lane b (bit 32 * b)."""
    digest = hashlib.blake2b(shingle.encode(), digest_size=BITS // 8).digest()
    bits = format(int.from_bytes(digest, "big"), f"0{BITS}b")[::-1].encode()  # least significant first
    lanes = bytearray(BITS * _LANE_BYTES)
    lanes[::_LANE_BYTES] = bits.translate(_DIGIT_TO_BIT)
    return int.from_bytes(lanes, "little")


def distance(a: int, b: int) -> int:
    """Hamming distance: how many of the 64 bits differ."""
    return (a ^ b).bit_count()
