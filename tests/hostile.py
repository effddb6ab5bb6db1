"""The hostile server: one loopback site per misbehaviour, each answering ``/feed`` (and perhaps
``/robots.txt``) its own way, beside a site with two good feeds. ``tests/test_hostile.py`` runs one
cycle over them and checks every outcome; ``bench/hostile_table.py`` prints how long each took.

Each site has an address of its own (127.0.0.x), so no case waits for another's turn at a host.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any

from tests.conftest import NEWS_KEYWORDS, PAYLOADS, feed, write_config
from tests.replay import ROBOTS, ReplayServer, Route

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
# Limits of the cycle: small enough that the whole table runs in seconds.
POLICY = {"deadline": 3, "read_timeout": 2, "connect_timeout": 2, "max_bytes": 2_000_000, "host_interval": 0}
PASSWD = Path("/etc/passwd")
GOOD_SOURCES = {"tech-press/ars-technica": 3, "security-blogs/simon-willison": 1}  # their relevant hits
LAUGHS = "lollollollol"  # what any expansion of the billion-laughs document would contain


@dataclass(frozen=True)
class Case:
    name: str
    route: Route  # the answer at /feed
    outcome: str  # a regular expression the source's recorded error must match
    robots: Route | None = None  # the answer at /robots.txt (404 when None)


def billion_laughs() -> bytes:
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!-- <a --><!DOCTYPE rss [\n' + "\n".join(levels) + "\n]>\n"
        '<rss version="2.0"><channel><title>laughs</title>'
        "<item><title>ChatGPT &lol9;</title><link>https://example.org/lol</link></item></channel></rss>"
    ).encode()


def external_entity() -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY leak SYSTEM "{PASSWD.as_uri()}">]>\n'
        '<rss version="2.0"><channel><title>leak</title>'
        "<item><title>ChatGPT &leak;</title><description>&leak;</description>"
        "<link>https://example.org/leak</link></item></channel></rss>"
    ).encode()


@cache
def gzip_bomb() -> bytes:
    return gzip.compress(bytes(50_000_000))  # 50 MB of zeros in ~49 KB


def cases() -> list[Case]:
    retry_at = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    html = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please enable JavaScript</body></html>"
    return [
        Case("slow-drip", Route(200, b"<", RSS, chunk_delay=0.25, chunks=1000), r"^gave up after the 3s deadline$"),
        Case("stalled-body", Route(200, b"<rss>", RSS, chunk_delay=60, chunks=2), r"^timed out \(ReadTimeout\)"),
        Case("endless-body", Route(200, b"<rss>" + b" " * 65_531, RSS, chunks=None), r"exceeded the 2,000,000-byte cap"),
        Case(
            "huge-content-length",
            Route(200, b"<rss/>", {**RSS, "Content-Length": str(10**12)}),
            r"^body of 1,000,000,000,000 bytes announced, over the 2,000,000-byte cap$",
        ),
        Case("redirect-loop", Route(302, headers={"Location": "/feed"}), r"^redirect loop: "),
        Case("too-many-requests", Route(429, b"slow down", {"Retry-After": "3600"}), r"^HTTP 429 from "),
        Case("unavailable-until-date", Route(503, b"maintenance", {"Retry-After": retry_at}), r"^HTTP 503 from "),
        Case("server-error", Route(500, b"upstream exploded"), r"^HTTP 500 from "),
        Case("reset-before-response", Route(drop="before-response"), r"^(RemoteProtocolError|ReadError): "),
        Case("reset-mid-body", Route(200, b"<rss>" + b" " * 9_995, RSS, chunks=100, drop="mid-body"), r"^(RemoteProtocolError|ReadError): "),
        Case("gzip-bomb", Route(200, gzip_bomb(), {**RSS, "Content-Encoding": "gzip"}), r"cap \(after decompression\)$"),
        Case("billion-laughs", Route(200, billion_laughs(), RSS), r"^refused: the document declares the entity 'lol0'"),
        Case("external-entity", Route(200, external_entity(), RSS), r"^refused: the document declares the entity 'leak'"),
        Case("html-instead-of-feed", Route(200, html, {"Content-Type": "text/html"}), r"^not a feed \(HTML page"),
        Case("robots-disallow", Route(200, b"<rss/>", RSS), r"^robots.txt disallows ", Route(200, b"User-agent: *\nDisallow: /\n")),
        Case("robots-unavailable", Route(200, b"<rss/>", RSS), r"^robots.txt answered HTTP 503 ", Route(503)),
    ]


@dataclass
class HostileSites:
    good: ReplayServer  # the two good feeds, from the recorded payloads
    hostile: dict[str, ReplayServer]  # case name -> its site

    def write_config(self, path: Path, database_url: str | None) -> Path:
        hostile = [{"name": name, "kind": "feed", "url": site.url("/feed")} for name, site in self.hostile.items()]
        streams: dict[str, Any] = {
            "tech-press": {"keywords": NEWS_KEYWORDS, "sources": [feed("ars-technica", "ars-technica.xml")]},
            "security-blogs": {"keywords": NEWS_KEYWORDS, "sources": [feed("simon-willison", "simon-willison.atom"), *hostile]},
        }
        return write_config(path, self.good, database_url, streams, fetch=POLICY)


@contextmanager
def hostile_sites(chosen: list[Case]) -> Iterator[HostileSites]:
    """Start the good site on 127.0.0.2 and one site per case on 127.0.0.10 and up."""
    good = ReplayServer(PAYLOADS, host="127.0.0.2")
    hostile = {case.name: ReplayServer(PAYLOADS, host=f"127.0.0.{10 + n}") for n, case in enumerate(chosen)}
    for case in chosen:
        hostile[case.name].routes["/feed"] = case.route
        if case.robots:
            hostile[case.name].routes[ROBOTS] = case.robots
    servers = [good, *hostile.values()]
    for server in servers:
        server.start()
    try:
        yield HostileSites(good, hostile)
    finally:
        with ThreadPoolExecutor(len(servers)) as pool:  # each stop waits for its server's poll interval
            list(pool.map(ReplayServer.stop, servers))
