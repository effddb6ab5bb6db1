"""The polite fetcher: one request with conditional headers, bounded in time and size, redirects kept,
every hop allowed by its origin's robots.txt and made in its turn at its host (sources.hostgate).

Besides http(s) it reads ``file:`` URLs (exports and snapshots on disk) and URLs of schemes the caller
mounts (``lpi:`` for the project's own submission table), so every source goes through one path;
those have no host to be polite to and no robots.txt.
"""

from __future__ import annotations

import copy
import mimetypes
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from sources.base import Request
from sources.hostgate import HostBusy, HostGate
from sources.robots import RobotsCache, Rules, product_token
from store import default_database_path

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 60.0  # whole request, redirects and body included
    max_bytes: int = 10_000_000  # decoded body; a compressed body that inflates past it is cut
    max_redirects: int = 5
    host_interval: float = 1.0  # least seconds between the starts of two requests to one host, all processes
    host_wait: float = 300.0  # seconds a request may wait for its turn at a busy host before it fails


@dataclass(frozen=True)
class Response:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class FetchError(Exception):
    """The request failed; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None, retry_after: str | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class NoTurn(FetchError):
    """The host stayed busy longer than a request may wait for its turn: nothing was asked of it."""


LocalReader = Callable[[str], bytes]  # URL → body, for a mounted non-network scheme


class Fetcher:
    """Fetches with one shared connection pool; safe to use from several threads."""

    def __init__(
        self,
        policy: FetchPolicy,
        transport: httpx.BaseTransport | None = None,
        local: Mapping[str, LocalReader] | None = None,
        hosts_folder: Path | None = None,
    ):
        """``hosts_folder`` holds the per-host lock files: by default ``hosts/`` in the data directory
        (beside the default SQLite database), so that every process on the machine shares them."""
        self.policy = policy
        self.obey_robots = True
        self._local = {"file": self._read_file, **(local or {})}
        self._gate = HostGate(hosts_folder or default_database_path().parent / "hosts", policy.host_wait)
        self._robots = RobotsCache(self._read_robots)
        self._token = product_token(policy.user_agent)
        timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
        self._client = httpx.Client(
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def ignoring_robots(self) -> Fetcher:
        """This fetcher, sharing its connections and host turns, for an endpoint we have permission
        to use whatever its robots.txt says (a source with ``robots: ignore``)."""
        twin = copy.copy(self)
        twin.obey_robots = False
        return twin

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url``; see :meth:`fetch`."""
        return self.fetch(Request(url), etag=etag, last_modified=last_modified)

    def fetch(self, request: Request, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """Make ``request``; a 304 comes back as a response, any other failure raises :class:`FetchError`."""
        scheme = urlsplit(request.url).scheme.lower()
        if scheme in self._local:
            return self._fetch_local(scheme, request.url)
        if scheme not in ("http", "https"):
            raise FetchError(f"cannot fetch {request.url!r}: scheme {scheme or '(none)'!r} is not http(s), file or mounted")
        headers = dict(request.headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = self._exchange(request, headers, obey_robots=self.obey_robots)
        if response.status == 200 or response.status == 304:
            return response
        status = response.status
        raise FetchError(f"HTTP {status} from {response.final_url}", status, response.headers.get("retry-after"))

    def _exchange(self, request: Request, headers: dict[str, str], *, obey_robots: bool) -> Response:
        """Make ``request`` and follow its redirects; the response of the last hop, whatever its status.
        The deadline starts with the first hop's turn at its host: queueing for a turn is not the
        server's slowness."""
        give_up_at: float | None = None
        chain: list[str] = []
        current, method, body = request.url, request.method, request.body
        while True:
            interval = self.policy.host_interval
            if obey_robots:
                rules = self._robots.rules(current)
                if refusal := rules.refuses(current, self._token):
                    raise FetchError(refusal)
                interval = max(interval, rules.interval(self._token))
            try:
                with self._gate.turn(urlsplit(current).hostname or "", interval):
                    give_up_at = give_up_at or time.monotonic() + self.policy.deadline
                    status, response_headers, content = self._one(method, current, headers, body, give_up_at)
            except HostBusy as exc:
                raise NoTurn(str(exc)) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out ({type(exc).__name__}) fetching {current}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc or 'connection failed'}") from exc
            if status in REDIRECT_STATUSES and "location" in response_headers:
                chain.append(current)
                current = urljoin(current, response_headers["location"])
                if status not in (307, 308):  # as browsers do: the body goes only with 307/308
                    method, body = "GET", None
                if current in chain:
                    raise FetchError(f"redirect loop: {' -> '.join([*chain, current])}", status)
                if len(chain) > self.policy.max_redirects:
                    raise FetchError(f"more than {self.policy.max_redirects} redirects", status)
                continue
            return Response(request.url, current, status, response_headers, content, chain)

    def _read_robots(self, robots_url: str) -> Rules:
        try:
            response = self._exchange(Request(robots_url), {}, obey_robots=False)
        except NoTurn:
            raise  # our own queue, not the server's answer: nothing to remember
        except FetchError as exc:
            return Rules.unanswered(robots_url, str(exc), exc.status)
        return Rules.from_answer(robots_url, response.status, response.body)

    def _fetch_local(self, scheme: str, url: str) -> Response:
        try:
            body = self._local[scheme](url)
        except (OSError, ValueError) as exc:
            raise FetchError(f"cannot read {url}: {getattr(exc, 'strerror', None) or exc}") from exc
        if len(body) > self.policy.max_bytes:
            raise FetchError(f"body exceeded the {self.policy.max_bytes:,}-byte cap")
        content_type = mimetypes.guess_type(urlsplit(url).path)[0] or "application/json"
        return Response(url, url, 200, {"content-type": content_type}, body)

    def _read_file(self, url: str) -> bytes:
        path = Path(unquote(urlsplit(url).path))
        with path.open("rb") as file:  # read one byte past the cap, never the whole of a huge file
            return file.read(self.policy.max_bytes + 1)

    def _one(
        self, method: str, url: str, extra_headers: dict[str, str], body: bytes | None, give_up_at: float
    ) -> tuple[int, dict[str, str], bytes]:
        cap = self.policy.max_bytes
        remaining = give_up_at - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"gave up after the {self.policy.deadline:g}s deadline")
        # No single wait (connect, headers, one read) may outlast what is left of the deadline.
        timeout = httpx.Timeout(min(self.policy.read_timeout, remaining), connect=min(self.policy.connect_timeout, remaining))
        with self._client.stream(method, url, headers=extra_headers, content=body, timeout=timeout) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code != 200:
                return response.status_code, headers, b""
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(f"body of {int(declared):,} bytes announced, over the {cap:,}-byte cap")
            decoders = _decoders(headers.get("content-encoding", ""))
            chunks: list[bytes] = []
            size = 0
            for raw in response.iter_raw():
                chunk = _inflate(decoders, raw, cap - size, cap)
                size += len(chunk)
                if size > cap:
                    raise FetchError(f"body exceeded the {cap:,}-byte cap{' (after decompression)' if decoders else ''}")
                if time.monotonic() > give_up_at:
                    raise FetchError(f"gave up after the {self.policy.deadline:g}s deadline")
                chunks.append(chunk)
            return 200, headers, b"".join(chunks)


def _decoders(content_encoding: str) -> list[zlib._Decompress]:
    """Decompressors for the codings the server applied, outermost first. We decode ourselves, with
    an output limit per step, so a small compressed body cannot inflate past the cap in memory."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip().lower() not in ("", "identity")]
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(f"unsupported Content-Encoding {coding!r} (only gzip and deflate are asked for)")
    return [zlib.decompressobj(zlib.MAX_WBITS | 32) for _ in reversed(codings)]  # 32: gzip or zlib header


def _inflate(decoders: list[zlib._Decompress], data: bytes, room: int, cap: int) -> bytes:
    """Decode one raw chunk, producing at most ``room + 1`` bytes at every step."""
    try:
        for decoder in decoders:
            data = decoder.decompress(data, room + 1)
            if decoder.unconsumed_tail:
                raise FetchError(f"body exceeded the {cap:,}-byte cap (after decompression)")
    except zlib.error as exc:
        raise FetchError(f"corrupt compressed body: {exc}") from exc
    return data
