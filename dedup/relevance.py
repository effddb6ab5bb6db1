"""Keyword relevance: which hits of a general feed are about LLMs at all."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=256)
def _pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(k.strip().lower()) for k in keywords if k.strip())
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def matched_keywords(keywords: Sequence[str], text: str) -> list[str]:
    """The keywords found in ``text`` (whole words, case-insensitive); every hit passes an empty list."""
    if not keywords:
        return ["*"]
    return sorted(set(_pattern(tuple(keywords)).findall(text.lower())))
