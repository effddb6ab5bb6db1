"""The configuration file: every stream's endpoints, queries and keyword lists, and the knobs.

One YAML file, from ``--config FILE``, else ``LPI_CONFIG``, else the packaged default
(``lpi/default_config.yaml``, which ``lpi config show`` prints for copying and editing).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from dedup.matcher import MatchSettings
from sources.base import SourceSpec
from sources.fetch import FetchPolicy
from sources.streams import STREAMS

DEFAULT_CONFIG = Path(__file__).with_name("default_config.yaml")
_SPEC_KEYS = {"name", "url", "kind", "publisher", "keywords"}
_NOTE_KEYS = {"verified", "checked"}  # provenance notes for humans; not used at run time


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    path: Path
    fetch: FetchPolicy
    matching: MatchSettings
    streams: dict[str, list[SourceSpec]]
    database_url: str | None = None

    def store_url(self) -> str | None:
        """``LPI_DATABASE_URL`` wins over the file's ``database_url``; None means the default SQLite."""
        return os.environ.get("LPI_DATABASE_URL") or self.database_url

    def sources(self, streams: list[str] | None = None, names: list[str] | None = None) -> list[SourceSpec]:
        """The configured sources of ``streams`` (all streams when None), in configuration order;
        only those called ``names`` when given."""
        chosen = streams or list(self.streams)
        if unknown := [n for n in chosen if n not in STREAMS]:
            raise ConfigError(f"unknown stream(s) {', '.join(unknown)}; known: {', '.join(STREAMS)}")
        specs = [spec for stream in chosen for spec in self.streams.get(stream, [])]
        if names is None:
            return specs
        if missing := sorted(set(names) - {spec.name for spec in specs}):
            raise ConfigError(f"no source named {', '.join(missing)} in stream(s) {', '.join(chosen)}")
        return [spec for spec in specs if spec.name in names]


def config_path(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("LPI_CONFIG") or DEFAULT_CONFIG)


def load_config(explicit: str | Path | None = None) -> Config:
    """Read and validate the configuration; errors name the file and the offending entry."""
    path = config_path(explicit)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    for key in ("fetch", "matching", "streams"):
        if not isinstance(raw.get(key) or {}, dict):
            raise ConfigError(f"{path}: {key} must be a mapping, not {type(raw[key]).__name__}")
    return Config(
        path=path,
        fetch=_fetch_policy(raw, path),
        matching=MatchSettings(**_known(MatchSettings, raw.get("matching"), path, "matching")),
        streams=_streams(raw.get("streams") or {}, path),
        database_url=raw.get("database_url"),
    )


def _fetch_policy(raw: dict[str, Any], path: Path) -> FetchPolicy:
    """The fetch limits; each is a number of seconds, bytes or redirects, none below zero."""
    settings = _known(FetchPolicy, raw.get("fetch"), path, "fetch")
    for key, value in settings.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{path}: fetch.{key} must be a number, at least 0, not {value!r}")
    return FetchPolicy(user_agent=str(raw.get("user_agent") or _default_user_agent()), **settings)


def _default_user_agent() -> str:
    from importlib.metadata import version

    return f"lpi-intake/{version('lpi-intake')} (LLM Production Incident Tracker intake; polite crawler)"


def _known(kind: type, section: Any, path: Path, name: str) -> dict[str, Any]:
    section = section or {}
    allowed = {f.name for f in fields(kind)} - {"user_agent"}
    if unknown := set(section) - allowed:
        raise ConfigError(f"{path}: unknown key(s) in {name}: {', '.join(sorted(unknown))}")
    return dict(section)


def _streams(raw: dict[str, Any], path: Path) -> dict[str, list[SourceSpec]]:
    streams: dict[str, list[SourceSpec]] = {}
    for stream, body in raw.items():
        if stream not in STREAMS:
            raise ConfigError(f"{path}: unknown stream {stream!r}; known: {', '.join(STREAMS)}")
        body = body or {}
        if not isinstance(body, dict) or not isinstance(body.get("sources") or [], list):
            raise ConfigError(f"{path}: stream {stream} must be a mapping with a list of sources")
        keywords = tuple(body.get("keywords") or ())
        specs = []
        for entry in body.get("sources") or []:
            if not isinstance(entry, dict) or not entry.get("name") or not entry.get("kind"):
                raise ConfigError(f"{path}: every source of {stream} needs a name and a kind: {entry!r}")
            options = {k: v for k, v in entry.items() if k not in _SPEC_KEYS | _NOTE_KEYS}
            specs.append(
                SourceSpec(
                    stream=stream,
                    name=str(entry["name"]),
                    kind=str(entry["kind"]),
                    url=entry.get("url"),
                    keywords=tuple(entry["keywords"] or ()) if "keywords" in entry else keywords,
                    publisher=entry.get("publisher"),
                    options=options,
                )
            )
        names = [s.name for s in specs]
        if duplicated := sorted({n for n in names if names.count(n) > 1}):
            raise ConfigError(f"{path}: duplicate source name(s) in {stream}: {', '.join(duplicated)}")
        streams[stream] = specs
    return streams
