"""Shared fixtures: the loopback replay server, a database per test (SQLite, and PostgreSQL when
``LPI_TEST_DATABASE_URL`` is set), and configuration files pointing at the server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.replay import ReplayServer

PAYLOADS = Path(__file__).parent / "payloads"
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
PG_URL = os.environ.get("LPI_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer(PAYLOADS).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_routes(replay: ReplayServer) -> Iterator[None]:
    yield
    replay.routes.clear()
    replay.requests.clear()
    replay.queries.clear()
    replay.bodies.clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema in the PostgreSQL under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'intake.db'}"
        return
    if not PG_URL:
        pytest.skip("LPI_TEST_DATABASE_URL not set")
    import sqlalchemy

    schema = f"lpi_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture
def engine(database_url: str):  # type: ignore[no-untyped-def]
    from store import open_engine

    engine = open_engine(database_url)
    yield engine
    engine.dispose()


def feed(name: str, file: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "feed", "url": f"/feeds/{file}", **extra}


NEWS_KEYWORDS = ["chatgpt", "openai", "claude", "gemini", "google ai", "ai overviews", "llama", "mistral", "grok",
                 "chatbot", "large language model", "llm", "generative ai", "copilot", "slack ai", "prompt injection"]

# Four streams as the foundation's end-to-end cycle polls them: recorded real-format feeds.
INTAKE_STREAMS: dict[str, Any] = {
    "tier1-news": {
        "keywords": NEWS_KEYWORDS,
        "sources": [
            feed("bbc-technology", "bbc-technology.xml", publisher="bbc.co.uk"),
            feed("guardian-technology", "guardian-technology.xml"),
            feed("ap-via-news-search", "news-search-ap.xml", publisher_from="source-element"),
        ],
    },
    "tech-press": {
        "keywords": NEWS_KEYWORDS,
        "sources": [
            feed("the-verge-ai", "verge-ai.xml"),
            feed("ars-technica", "ars-technica.xml"),
            feed("the-register", "the-register.xml"),
        ],
    },
    "vendor-disclosures": {"sources": [feed("claude-status", "claude-status-history.atom")]},
    "security-blogs": {
        "keywords": NEWS_KEYWORDS,
        "sources": [
            feed("embrace-the-red", "embrace-the-red.xml"),
            feed("simon-willison", "simon-willison.atom"),
        ],
    },
}


def write_config(
    path: Path, server: ReplayServer, database_url: str | None, streams: dict[str, Any] | None = None, **settings: Any
) -> Path:
    """Write a configuration whose relative source URLs point at ``server``."""
    streams = yaml.safe_load(yaml.safe_dump(streams or INTAKE_STREAMS))
    for body in streams.values():
        for source in body.get("sources", []):
            if str(source.get("url", "")).startswith("/"):
                source["url"] = server.url(source["url"])
    document: dict[str, Any] = {"user_agent": "lpi-intake-tests/1 (loopback)", "streams": streams}
    document["fetch"] = {"deadline": 10, "read_timeout": 5, "connect_timeout": 2, "host_interval": 0} | settings.pop("fetch", {})
    if database_url:
        document["database_url"] = database_url
    document.update(settings)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def config_file(tmp_path: Path, replay: ReplayServer, database_url: str) -> Path:
    return write_config(tmp_path / "lpi.yaml", replay, database_url)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's database or configuration."""
    monkeypatch.delenv("LPI_DATABASE_URL", raising=False)
    monkeypatch.delenv("LPI_CONFIG", raising=False)
    monkeypatch.setenv("LPI_HOME", str(tmp_path / "lpi-home"))
