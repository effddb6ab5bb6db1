"""What the web app is configured with: the install secret, the rate limit, proxies, size caps."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine

from store import default_database_path

ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
T = TypeVar("T", int, float)
SECRET_FILE = "lpi-secret"
MIN_SECRET_CHARS = 16


@dataclass(frozen=True)
class WebSettings:
    secret: bytes  # signs form tokens and keys the client-address hashes
    rate_limit: int = 10  # submissions per client per window, across every process on the database
    rate_window: float = 3600.0  # seconds
    trusted_proxies: tuple[ProxyNetwork, ...] = ()  # peers whose X-Forwarded-For names the client
    max_body: int = 16 * 1024  # bytes; larger request bodies get 413 whatever Content-Length says
    dns_timeout: float = 2.0  # seconds for resolving a submitted URL's host

    @classmethod
    def from_env(cls, engine: Engine, env: Mapping[str, str] = os.environ) -> WebSettings:
        """``LPI_SECRET`` (else a generated file next to the database), ``LPI_SUBMISSION_LIMIT``,
        ``LPI_SUBMISSION_WINDOW`` (seconds), ``LPI_TRUSTED_PROXIES`` (comma-separated addresses or networks)."""
        return cls(
            secret=install_secret(engine, env),
            rate_limit=_number(env, "LPI_SUBMISSION_LIMIT", cls.rate_limit, int),
            rate_window=_number(env, "LPI_SUBMISSION_WINDOW", cls.rate_window, float),
            trusted_proxies=parse_proxies(env.get("LPI_TRUSTED_PROXIES", "")),
        )


def install_secret(engine: Engine, env: Mapping[str, str] = os.environ) -> bytes:
    """``LPI_SECRET``, else the secret in ``lpi-secret`` beside the SQLite file (beside the default
    database path for PostgreSQL), generated on first use so every process of an install shares it.
    Web processes on several hosts must share ``LPI_SECRET``: the rate limit counts by keyed hash."""
    if value := env.get("LPI_SECRET"):
        if len(value) < MIN_SECRET_CHARS:
            raise ValueError(f"LPI_SECRET is too short: use at least {MIN_SECRET_CHARS} random characters")
        return value.encode()
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    folder = Path(database).parent if database and database != ":memory:" else default_database_path().parent
    return _read_or_create(folder / SECRET_FILE)


def _read_or_create(path: Path) -> bytes:
    """Create atomically (write aside, then link) so concurrent first starts agree on one secret."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes().strip()


def parse_proxies(value: str) -> tuple[ProxyNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"LPI_TRUSTED_PROXIES: {exc}") from None


def _number(env: Mapping[str, str], name: str, default: T, kind: type[T]) -> T:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be {'a whole number' if kind is int else 'a number'}, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {raw!r}")
    return value
