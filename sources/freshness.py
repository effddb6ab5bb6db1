"""How long an answer stays fresh, as its publisher declares: no source is polled again before that.

HTTP (RFC 9111): Cache-Control ``max-age`` less ``Age``, else ``Expires`` less ``Date``; ``no-cache``
and ``no-store`` declare nothing. Feeds: RSS 2.0 ``<ttl>`` (minutes) and the RSS 1.0 syndication
module's ``updatePeriod`` / ``updateFrequency``. The longest declaration wins, capped at a day so that
no source goes unread for longer whatever it claims.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from sources.fetch import Response

MAX_FRESHNESS = timedelta(hours=24)
NOTHING = timedelta(0)
_PERIODS = {
    "hourly": timedelta(hours=1),
    "daily": timedelta(days=1),
    "weekly": timedelta(weeks=1),
    "monthly": timedelta(days=30),
    "yearly": timedelta(days=365),
}
# Channel-level elements come before the first item or entry; text inside items is not read, so an
# article quoting "<ttl>" cannot silence a feed.
_FIRST_ITEM = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_TTL = re.compile(rb"<(?:[\w.-]+:)?ttl>\s*(\d{1,9})\s*</")
_UPDATE_PERIOD = re.compile(rb"<(?:[\w.-]+:)?updatePeriod>\s*([a-z]+)\s*</")
_UPDATE_FREQUENCY = re.compile(rb"<(?:[\w.-]+:)?updateFrequency>\s*(\d{1,9})\s*</")
_DELTA_SECONDS = re.compile(r"[0-9]+")


def fresh_for(response: Response, at: datetime) -> timedelta:
    """How long after ``at`` the answer stays fresh; zero when it declares nothing."""
    return min(max(http_freshness(response.headers, at), feed_freshness(response.body)), MAX_FRESHNESS)


def http_freshness(headers: Mapping[str, str], at: datetime) -> timedelta:
    """Freshness from lower-cased response headers, for a private cache (``s-maxage`` is not ours), capped."""
    directives = _cache_control(headers.get("cache-control", ""))
    if "no-store" in directives or "no-cache" in directives:
        return NOTHING
    max_age = _seconds(directives.get("max-age"))
    if max_age is not None:
        lifetime = max_age - (_seconds(headers.get("age")) or 0)
        return timedelta(seconds=min(max(lifetime, 0), MAX_FRESHNESS.total_seconds()))
    expires = _http_date(headers.get("expires"))
    if expires is None:
        return NOTHING
    return max(NOTHING, min(expires - (_http_date(headers.get("date")) or at), MAX_FRESHNESS))


def feed_freshness(body: bytes) -> timedelta:
    """Freshness a feed declares in its channel (``<ttl>``, ``sy:updatePeriod`` / ``updateFrequency``), capped."""
    first_item = _FIRST_ITEM.search(body)
    head = body[: first_item.start()] if first_item else body
    declared = [NOTHING]
    if ttl := _TTL.search(head):
        declared.append(timedelta(minutes=int(ttl.group(1))))
    if (period := _UPDATE_PERIOD.search(head)) and period.group(1).decode() in _PERIODS:
        frequency = _UPDATE_FREQUENCY.search(head)
        declared.append(_PERIODS[period.group(1).decode()] / max(int(frequency.group(1)) if frequency else 1, 1))
    return min(max(declared), MAX_FRESHNESS)


def _cache_control(value: str) -> dict[str, str]:
    directives: dict[str, str] = {}
    for part in value.split(","):
        name, _, argument = part.partition("=")
        if name.strip():
            directives[name.strip().lower()] = argument.strip().strip('"')
    return directives


def _seconds(value: str | None) -> int | None:
    """A delta-seconds value, None when absent or not one; too large a value is 2**31 (RFC 9111 1.2.2)."""
    value = (value or "").strip()
    if not _DELTA_SECONDS.fullmatch(value):
        return None
    return min(int(value), 2**31) if len(value) <= 10 else 2**31


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # "0", "-1" and other invalid dates mean "already expired" (RFC 9111 5.3)
    return parsed if parsed.tzinfo else None
