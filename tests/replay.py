"""A real HTTP server on loopback that replays recorded payloads, with conditional GET, and that
misbehaves on request (status codes, garbage, slow or endless bodies, false lengths, redirects,
connections reset before or during the answer) for failure tests.

``/robots.txt`` is served like any path (a route, a file, else 404) but the polite fetcher asks for
it on its own, so it is kept out of ``requests`` and ``queries``, which record what sources asked;
``visits`` records every request, robots.txt included, with its arrival and departure times;
``clear_visits`` starts a new record that requests arrived before it (still being answered) stay out of.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal

LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
}


ROBOTS = "/robots.txt"


@dataclass
class Route:
    """A non-file answer for one path: status, body, headers, and an optional delay between chunks.

    The body is sent ``chunks`` times (None: until the client hangs up). Content-Length is the true
    length unless the headers give one or ``announce_length`` is off (or the body is endless): the
    HTTP/1.0 body then runs until the connection closes. ``drop`` resets the connection (TCP RST)
    instead of answering, or after the headers and the first chunk of a body announced in full."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunk_delay: float = 0.0
    chunks: int | None = 1
    announce_length: bool = True
    drop: Literal["before-response", "mid-body"] | None = None


@dataclass
class Visit:
    path: str
    user_agent: str
    arrived: float  # time.time() when the request line was read
    left: float | None = None  # when the answer was written (or the connection dropped); None until then


class ReplayServer:
    def __init__(self, root: Path, host: str = "127.0.0.1"):
        """Serve ``root`` on ``host`` (any 127.x.y.z address is loopback: one per simulated site)."""
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: Counter[str] = Counter()
        self.queries: list[str] = []  # every request's path with its query string, in order
        self.bodies: list[bytes] = []  # every POST body, in order
        self.visits: list[Visit] = []
        self._visits_since = 0.0
        self.host = host
        self._httpd = ThreadingHTTPServer((host, 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def clear_visits(self) -> None:
        self._visits_since = time.time()
        self.visits.clear()

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802  (GraphQL APIs): the request body is read and kept
                length = int(self.headers.get("Content-Length") or 0)
                server.bodies.append(self.rfile.read(length))
                self.do_GET()

            def do_GET(self) -> None:  # noqa: N802
                visit = Visit(self.path.split("?", 1)[0], self.headers.get("User-Agent", ""), time.time())
                if visit.arrived >= server._visits_since:
                    server.visits.append(visit)
                try:
                    self._answer()
                finally:
                    visit.left = time.time()

            def _answer(self) -> None:
                path = self.path.split("?", 1)[0]
                if path != ROBOTS:
                    server.requests[path] += 1
                    server.queries.append(self.path)
                route = server.routes.get(path)
                if route is not None:
                    self._route(route)
                    return
                file = (server.root / path.lstrip("/")).resolve()
                if server.root.resolve() not in file.parents or not file.is_file():
                    self.send_error(404)
                    return
                body = file.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPES.get(file.suffix, "application/octet-stream"))
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(body)

            def _route(self, route: Route) -> None:
                if route.drop == "before-response":
                    self._reset()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in route.headers and route.announce_length and route.chunks is not None:
                    self.send_header("Content-Length", str(len(route.body) * route.chunks))
                self.end_headers()
                sent = 0
                try:
                    while route.chunks is None or sent < route.chunks:
                        if sent:
                            time.sleep(route.chunk_delay)
                        self.wfile.write(route.body)
                        self.wfile.flush()
                        sent += 1
                        if route.drop == "mid-body":
                            self._reset()
                            return
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _reset(self) -> None:
                """Abort the connection: with a zero linger time, close sends RST, not FIN."""
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True

        return Handler
