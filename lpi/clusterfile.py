"""``lpi cluster-file``: cluster a JSONL file of hits with the pipeline's own matcher, no database.

Each line is a JSON object with ``id``, ``url`` and ``title`` (an empty title is read from the
URL's slug); ``summary``, ``published`` (ISO 8601), ``stream`` (hits of one stream share a summary
template, which is discounted) and ``entities`` (what a source stated, as a candidate stores it:
kind → list) are used when present; any other key (a ``gold`` label, say) is ignored. Hits are matched in file order, as
the pipeline matches new candidates in published order. Title and summary are cleaned and their
entities extracted as normalization does for a candidate.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from dedup.entities import extract_entities
from dedup.matcher import MatchHit, MatchSettings, place
from dedup.normalize import MAX_TITLE_CHARS
from dedup.text import html_to_text

REQUIRED = ("id", "url", "title")


class HitFileError(ValueError):
    """A line that is not a hit; the message names the file and the line."""


def read_hits(path: Path) -> list[MatchHit]:
    try:
        with path.open(encoding="utf-8") as lines:
            return parse_hits(lines, str(path))
    except OSError as exc:
        raise HitFileError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise HitFileError(f"{path} is not UTF-8 text: {exc.reason}") from exc


def parse_hits(lines: Iterable[str], name: str) -> list[MatchHit]:
    """One hit per non-blank line; the first bad line raises, naming its number."""
    hits: list[MatchHit] = []
    first_line_of: dict[Hashable, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        hit = _hit(_record(line, where), where)
        if hit.key in first_line_of:
            raise HitFileError(f"{where}: id {hit.key!r} already used on line {first_line_of[hit.key]}")
        first_line_of[hit.key] = number
        hits.append(hit)
    return hits


def assign(hits: Sequence[MatchHit], settings: MatchSettings) -> list[dict[str, Any]]:
    """``{"id", "cluster"}`` per hit, in the given order; a cluster is named by its founding hit's id."""
    return [{"id": p.hit.key, "cluster": p.cluster.ref} for p in place([], hits, settings)]


def write_assignments(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _record(line: str, where: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise HitFileError(f"{where}: not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise HitFileError(f"{where}: a JSON object is needed, not {type(record).__name__}")
    if missing := [key for key in REQUIRED if record.get(key) is None]:
        raise HitFileError(f"{where}: missing {', '.join(missing)}")
    return record


def _hit(record: dict[str, Any], where: str) -> MatchHit:
    key = record["id"]
    if isinstance(key, bool) or not isinstance(key, str | int) or key == "":
        raise HitFileError(f"{where}: id must be a non-empty string or an integer, not {key!r}")
    url, title, summary, stream = (_text(record, name, where) for name in ("url", "title", "summary", "stream"))
    if not url:
        raise HitFileError(f"{where}: url is empty")
    title, summary = html_to_text(title, MAX_TITLE_CHARS), html_to_text(summary)
    entities = _entities(record.get("entities"), f"{title}\n{summary}", where)
    return MatchHit(key, url, title, summary, _published(record.get("published"), where), entities, stream)


def _entities(stated: Any, text: str, where: str) -> dict[str, list[Any]]:
    """Entities extracted from the text, with those the line states first (as normalization does)."""
    stated = stated or {}
    if not isinstance(stated, dict) or not all(isinstance(values, list) for values in stated.values()):
        raise HitFileError(f"{where}: entities must be an object whose values are lists")
    found: dict[str, list[Any]] = extract_entities(text)
    return found | {kind: [*values, *found.get(kind, [])] for kind, values in stated.items()}


def _text(record: dict[str, Any], name: str, where: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise HitFileError(f"{where}: {name} must be a string, not {type(value).__name__}")
    return value.strip()


def _published(value: Any, where: str) -> datetime | None:
    """An ISO 8601 time as aware UTC (a time without an offset is taken as UTC); None when absent."""
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise HitFileError(f"{where}: published must be an ISO 8601 time, not {value!r}")
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
