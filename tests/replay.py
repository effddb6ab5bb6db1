"""A real HTTP server on loopback that replays recorded payloads, with conditional GET, and that
misbehaves on request (status codes, garbage, slow bodies, redirects) for failure tests."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
}


@dataclass
class Route:
    """A non-file answer for one path: status, body, headers, and an optional delay per chunk."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunk_delay: float = 0.0
    chunks: int = 1


class ReplayServer:
    def __init__(self, root: Path):
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: Counter[str] = Counter()
        self.queries: list[str] = []  # every request's path with its query string, in order
        self.bodies: list[bytes] = []  # every POST body, in order
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

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
                path = self.path.split("?", 1)[0]
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
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in route.headers:
                    self.send_header("Content-Length", str(len(route.body) * route.chunks))
                self.end_headers()
                try:
                    for _ in range(route.chunks):
                        self.wfile.write(route.body)
                        self.wfile.flush()
                        time.sleep(route.chunk_delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
