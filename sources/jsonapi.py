"""What the JSON-API adapters need beyond :mod:`sources.jsonlist` (decoding, dotted paths, times,
text): the list a response must hold, or a ParseError saying what it holds instead; links that are
web URLs; and the numbers paging reads back from a URL or a cursor."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from sources.jsonlist import text


def web_url(value: Any) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host, else None."""
    candidate = text(value) if isinstance(value, str) else ""
    parts = urlsplit(candidate)
    return candidate if parts.scheme in ("http", "https") and parts.hostname else None


def number(value: Any) -> float | None:
    """A JSON number (not a boolean) as a float, else None: cursors are read back with it."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def query_int(url: str, name: str) -> int:
    """The whole-number query parameter ``name`` of ``url`` (a page number, a count), else 0."""
    value = parse_qs(urlsplit(url).query).get(name, [""])[0]
    return int(value) if value.isdigit() else 0
