"""RSS, Atom and RDF feeds through feedparser, always fed bytes (its own HTTP has no timeout)."""

from __future__ import annotations

import calendar
import io
from datetime import UTC, datetime
from typing import Any, ClassVar

import feedparser

from sources.base import GetAdapter, Hit, Parsed, ParseError, Payload, SourceSpec


class FeedAdapter(GetAdapter):
    """Any RSS 0.9x/1.0/2.0 or Atom feed. A bozo feed that still has entries is a warning only."""

    kind: ClassVar[str] = "feed"

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        if not payload.body.strip():
            raise ParseError("not a feed (empty body)")
        # Headers only when the content type is known: without one feedparser flags every feed.
        headers = {"content-type": payload.content_type, "content-location": payload.url} if payload.content_type else None
        parsed = feedparser.parse(io.BytesIO(payload.body), response_headers=headers)
        problem = parsed.get("bozo_exception")
        if not parsed.entries:
            if not parsed.get("version"):
                looks = _describe(payload)
                detail = f": {problem}" if problem else ""
                raise ParseError(f"not a feed ({looks}){detail}")
            return Parsed([], [f"feed is malformed: {problem}"] if problem else [])
        warnings = [f"feed is malformed but readable: {problem}"] if parsed.bozo else []
        hits = [hit for entry in parsed.entries if (hit := self.hit(spec, entry)) is not None]
        skipped = len(parsed.entries) - len(hits)
        if skipped:
            warnings.append(f"{skipped} entries without a link or title skipped")
        return Parsed(hits, warnings)

    def hit(self, spec: SourceSpec, entry: Any) -> Hit | None:
        """One feedparser entry as a hit, None without a link or title; feed dialects override this."""
        return _hit(entry, spec.options.get("publisher_from") == "source-element")


def _hit(entry: Any, publisher_from_source: bool) -> Hit | None:
    url = entry.get("link") or _alternate_link(entry)
    title = (entry.get("title") or "").strip()
    if not url or not title:
        return None
    publisher = None
    if publisher_from_source:  # news-search feeds: "<headline> - <Publisher>" plus a <source> element
        source = entry.get("source") or {}
        publisher = source.get("href")  # a URL; the title is a display name, not an identity
        suffix = f" - {source.get('title')}"
        if source.get("title") and title.endswith(suffix):
            title = title.removesuffix(suffix)
    return Hit(
        url=url.strip(),
        title=title,
        summary=entry.get("summary") or _first_content(entry),
        published=_entry_time(entry),
        guid=entry.get("id"),
        publisher=publisher,
        language=(entry.get("summary_detail") or {}).get("language"),
    )


def _alternate_link(entry: Any) -> str | None:
    for link in entry.get("links") or ():
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _first_content(entry: Any) -> str:
    for content in entry.get("content") or ():
        if content.get("value"):
            return str(content["value"])
    return ""


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        struct = entry.get(key)
        if struct:
            return datetime.fromtimestamp(calendar.timegm(struct), UTC)
    return None


def _describe(payload: Payload) -> str:
    head = payload.body[:512].lstrip().lower()
    if not head:
        return "empty body"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return f"HTML page, content-type {payload.content_type or 'unknown'}"
    return f"{len(payload.body):,} bytes of {payload.content_type or 'unknown content type'}"
