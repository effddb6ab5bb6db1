"""robots.txt (RFC 9309), read with protego: fetched once per origin and kept for a day.

What an answer means (RFC 9309 section 2.3.1):
- 2xx: the rules in the body (for our product token, else for ``*``), with Crawl-delay or
  Request-rate as the least interval between requests to the host;
- 4xx: the file is unavailable, so there are no rules and everything may be fetched;
- 5xx or no answer at all: the rules are unknown and the crawler must assume complete disallow.
  We do, for as long as the file stays unreachable: the sources on that origin fail with the
  reason and are retried under the usual backoff. The verdict is kept for only a few minutes, so
  the next poll asks again. A 429 counts as a 5xx here, as Google's crawler counts it: the server
  is struggling, not saying there are no rules;
- more redirects than the fetcher follows: unavailable, as with a 4xx.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

RULES_TTL = 24 * 3600.0  # seconds a fetched robots.txt is used (RFC 9309: not longer than 24 hours)
UNREACHABLE_TTL = 600.0  # seconds an unreachable robots.txt is taken as "disallow all" before it is asked again
_PRODUCT_TOKEN = re.compile(r"[A-Za-z_-]+")


@dataclass(frozen=True)
class Rules:
    """What one origin's robots.txt allows."""

    robots_url: str
    parser: Protego | None = None  # None: no rules
    refusal: str | None = None  # set when nothing on the origin may be fetched for now

    @classmethod
    def from_answer(cls, robots_url: str, status: int, body: bytes) -> Rules:
        if 200 <= status < 300:
            return cls(robots_url, Protego.parse(body.decode("utf-8", errors="replace")))
        if 400 <= status < 500 and status != 429:
            return cls(robots_url)
        return cls(robots_url, refusal=f"robots.txt answered HTTP {status} ({robots_url}): {_UNKNOWN}")

    @classmethod
    def unanswered(cls, robots_url: str, failure: str, status: int | None) -> Rules:
        """The rules when reading robots.txt failed: ``status`` is set for redirect trouble."""
        if status is not None:
            return cls(robots_url)
        return cls(robots_url, refusal=f"{failure} (reading {robots_url}: {_UNKNOWN})")

    @property
    def ttl(self) -> float:
        return UNREACHABLE_TTL if self.refusal else RULES_TTL

    def refuses(self, url: str, token: str) -> str | None:
        """Why ``url`` may not be fetched by ``token``; None when it may."""
        if self.refusal:
            return self.refusal
        if self.parser is not None and not self.parser.can_fetch(url, token):
            return f"robots.txt disallows {url} for {token} ({self.robots_url})"
        return None

    def interval(self, token: str) -> float:
        """The least seconds between requests the file asks of ``token`` (Crawl-delay, Request-rate)."""
        if self.parser is None:
            return 0.0
        rate = self.parser.request_rate(token)
        per_request = rate.seconds / rate.requests if rate and rate.requests else 0.0
        return max(float(self.parser.crawl_delay(token) or 0.0), float(per_request))


_UNKNOWN = "rules unknown, so nothing is fetched from this origin until it answers (RFC 9309)"


def robots_url(url: str) -> str:
    """The robots.txt that governs ``url``: the one at the root of its scheme, host and port."""
    parts = urlsplit(url)
    host_and_port = parts.netloc.rpartition("@")[2].lower()  # without any user:password@
    return f"{parts.scheme.lower()}://{host_and_port}/robots.txt"


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: the User-Agent's leading product token."""
    match = _PRODUCT_TOKEN.match(user_agent.strip())
    return match.group() if match else "*"


class RobotsCache:
    """Rules per origin, each read once with ``read`` and kept for its ``ttl``; threads asking for one
    origin at the same time wait for a single read."""

    def __init__(self, read: Callable[[str], Rules]):
        self._read = read
        self._kept: dict[str, tuple[float, Rules]] = {}
        self._reading: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def rules(self, url: str) -> Rules:
        key = robots_url(url)
        with self._guard:
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            kept = self._kept.get(key)
            if kept and kept[0] > time.monotonic():
                return kept[1]
            rules = self._read(key)
            self._kept[key] = (time.monotonic() + rules.ttl, rules)
            return rules
