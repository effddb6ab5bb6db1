"""Where the web settings come from (the install secret, environment knobs), and ``lpi web``
serving the app from a fresh database, as an operator starts it."""

from __future__ import annotations

import ipaddress
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from web.settings import SECRET_FILE, WebSettings, install_secret


def test_the_secret_is_generated_once_next_to_the_sqlite_database(tmp_path: Path) -> None:
    from store import open_engine

    engine = open_engine(f"sqlite:///{tmp_path / 'db' / 'intake.db'}")
    try:
        first, again = install_secret(engine, {}), install_secret(engine, {})
    finally:
        engine.dispose()

    path = tmp_path / "db" / SECRET_FILE
    assert first == again == path.read_bytes().strip() and len(first) >= 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(f".{SECRET_FILE}")] == []


def test_lpi_secret_wins_and_must_not_be_trivial(engine: Engine) -> None:
    assert install_secret(engine, {"LPI_SECRET": "s" * 32}) == b"s" * 32
    with pytest.raises(ValueError, match="LPI_SECRET is too short"):
        install_secret(engine, {"LPI_SECRET": "hunter2"})


def test_settings_from_the_environment(engine: Engine) -> None:
    env = {"LPI_SECRET": "x" * 20, "LPI_SUBMISSION_LIMIT": "5", "LPI_SUBMISSION_WINDOW": "60", "LPI_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12"}

    settings = WebSettings.from_env(engine, env)

    assert (settings.rate_limit, settings.rate_window, settings.max_body) == (5, 60.0, 16 * 1024)
    assert settings.trusted_proxies == (ipaddress.ip_network("10.0.0.1/32"), ipaddress.ip_network("172.16.0.0/12"))
    assert WebSettings.from_env(engine, {"LPI_SECRET": "x" * 20}).trusted_proxies == ()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LPI_SUBMISSION_LIMIT": "ten"}, "LPI_SUBMISSION_LIMIT must be a whole number, not 'ten'"),
        ({"LPI_SUBMISSION_LIMIT": "0"}, "LPI_SUBMISSION_LIMIT must be positive, not '0'"),
        ({"LPI_TRUSTED_PROXIES": "proxy.example"}, "LPI_TRUSTED_PROXIES: 'proxy.example' does not appear to be an IPv4 or IPv6 network"),
    ],
)
def test_bad_settings_are_named(engine: Engine, env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as error:
        WebSettings.from_env(engine, {"LPI_SECRET": "x" * 20, **env})

    assert str(error.value) == message


def test_lpi_web_serves_the_form_and_the_api(database_url: str, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LPI_DATABASE_URL": database_url, "LPI_HOME": str(tmp_path / "home"), "LPI_SUBMISSION_LIMIT": "2"}
    lpi = Path(sys.executable).with_name("lpi")
    process = subprocess.Popen([str(lpi), "web", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(base + "/submit")
                break
            except httpx.ConnectError:
                assert process.poll() is None and time.monotonic() < deadline, "lpi web did not start"
                time.sleep(0.2)
        # the real resolver is in play here: an IP literal keeps the test off the network
        created = httpx.post(base + "/api/submissions", json={"url": "https://93.184.215.14/air-canada-chatbot"})
        refused = httpx.post(base + "/api/submissions", json={"url": "http://[::1]/"})
        limited = httpx.post(base + "/api/submissions", json={"url": "https://93.184.215.14/again"})
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode()

    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    assert created.status_code == 201 and created.json()["id"] >= 1
    assert refused.status_code == 422
    assert limited.status_code == 429
    assert "server:" not in {k.lower() + ":" for k in created.headers}
    assert '"POST /api/submissions HTTP/1.1" 201' in output
