"""The web app served for real: uvicorn on a loopback port in a thread, as ``lpi web`` serves it,
over the per-test database; names resolve through a fixed table instead of the network."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Engine

from tests.fake_dns import resolve_from
from tests.live import LiveServer
from web import WebSettings

SETTINGS = WebSettings(secret=b"test-install-secret-0123456789abcdef", rate_limit=100, dns_timeout=1.0)
FAKE_DNS = {
    "www.theverge.com": ["151.101.1.52"],
    "arstechnica.com": ["3.138.138.51"],
    "www.theguardian.com": ["151.101.65.111"],
    "intranet.example.com": ["10.0.0.7"],
    "rebind.example.com": ["127.0.0.1", "::1"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    resolve_from(monkeypatch, FAKE_DNS)


@pytest.fixture
def serve(engine: Engine) -> Iterator[Callable[..., LiveServer]]:
    """Start the app (with ``SETTINGS`` changed by keyword) over ``engine`` or another engine."""
    servers: list[LiveServer] = []

    def start(on: Engine | None = None, **changes: object) -> LiveServer:
        servers.append(LiveServer(on or engine, replace(SETTINGS, **changes)))  # type: ignore[arg-type]
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def live(serve: Callable[..., LiveServer]) -> LiveServer:
    return serve()
