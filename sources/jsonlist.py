"""Any JSON API that answers with a list of items, declared in configuration: no code needed.

    kind: json-list
    items: data.results          # dotted path to the list in the response ("" = the response itself)
    fields: {url: link, title: headline, summary: teaser, published: date, guid: id}

Adapters for APIs with more to them subclass :class:`JsonListAdapter` and override :meth:`hit`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from sources.base import GetAdapter, Hit, Parsed, ParseError, Payload, SourceSpec

DEFAULT_FIELDS: Mapping[str, str] = {"url": "url", "title": "title", "summary": "summary", "published": "published", "guid": "id"}


def load_json(payload: Payload) -> Any:
    """The decoded body, or a ParseError that says what was served instead."""
    body = payload.body.strip()
    if not body:
        raise ParseError("not JSON (empty body)")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        head = body[:256].lower()
        if b"<html" in head or b"<!doctype html" in head:
            raise ParseError(f"not JSON (HTML page, content-type {payload.content_type or 'unknown'})") from exc
        if head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head:
            raise ParseError("not JSON (an XML document or feed)") from exc
        raise ParseError(f"not JSON ({exc})") from exc


def dig(data: Any, path: str) -> Any:
    """``data`` at a dotted path of keys and list indexes; None where the path does not exist."""
    for step in (s for s in path.split(".") if s):
        if isinstance(data, Mapping):
            data = data.get(step)
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None
    return data


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 text (a date alone means midnight UTC) or Unix seconds, as an aware UTC datetime."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def text(value: Any) -> str:
    """A field as stripped text: lists are joined, anything absent is empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(text(v) for v in value).strip()
    return str(value).strip()


def items_at(document: Any, path: str, expected: str) -> list[Any]:
    """The list at the dotted ``path``; a ParseError naming ``expected`` and what came instead."""
    found = dig(document, path)
    if not isinstance(found, list):
        raise ParseError(f"not {expected} (no {path} list: the JSON is {shape(document)})")
    return found


def shape(value: Any) -> str:
    """What a JSON value is, for error messages: its type, and an object's first keys."""
    if isinstance(value, Mapping):
        keys = ", ".join(sorted(str(k) for k in value)[:8])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return "null" if value is None else f"a {type(value).__name__}"


class JsonListAdapter(GetAdapter):
    """A JSON response holding a list of items, one hit per item."""

    kind: ClassVar[str] = "json-list"
    items: ClassVar[str] = "items"

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        data = load_json(payload)
        items = items_at(data, str(spec.options.get("items", self.items)), "a list of items")
        hits = [hit for item in items if isinstance(item, Mapping) and (hit := self.hit(spec, item)) is not None]
        skipped = len(items) - len(hits)
        return Parsed(hits, [f"{skipped} items without a usable link or title skipped"] if skipped else [])

    def hit(self, spec: SourceSpec, item: Mapping[str, Any]) -> Hit | None:
        """One item as a hit, or None when it has no http(s) link or no title."""
        fields = {**DEFAULT_FIELDS, **(spec.options.get("fields") or {})}
        url, title = text(dig(item, fields["url"])), text(dig(item, fields["title"]))
        if not url.startswith(("https://", "http://")) or not title:
            return None
        return Hit(
            url=url,
            title=title,
            summary=text(dig(item, fields["summary"])),
            published=parse_time(dig(item, fields["published"])),
            guid=text(dig(item, fields["guid"])) or None,
        )
