"""RSS, Atom and RDF feeds through feedparser, always fed bytes (its own HTTP has no timeout)."""

from __future__ import annotations

import calendar
import codecs
import io
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import feedparser

from sources.base import GetAdapter, Hit, Parsed, ParseError, Payload, SourceSpec
from sources.xmlguard import refuse_entity_declarations

SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data"})  # links that run code when followed


class FeedAdapter(GetAdapter):
    """Any RSS 0.9x/1.0/2.0 or Atom feed. A bozo feed that still has entries is a warning only."""

    kind: ClassVar[str] = "feed"

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        if not payload.body.strip():
            raise ParseError("not a feed (empty body)")
        refuse_entity_declarations(payload.body)  # before feedparser, which would expand them
        parsed = read_feed(payload)
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
        linked = [replace(hit, url=url) for hit in hits if (url := _article_link(payload.url, hit.url))]
        if dropped := len(hits) - len(linked):
            warnings.append(f"{dropped} entries dropped: their link runs a script (javascript:, data:...) or does not parse")
        return Parsed(linked, warnings)

    def hit(self, spec: SourceSpec, entry: Any) -> Hit | None:
        """One feedparser entry as a hit, None without a link or title; feed dialects override this."""
        return _hit(entry, spec.options.get("publisher_from") == "source-element")


def read_feed(payload: Payload) -> feedparser.FeedParserDict:
    """feedparser's reading of a payload. Bytes read in a legacy charset that are valid UTF-8 (and not
    plain ASCII) are read again as UTF-8, and the feed is flagged: servers and prologs mislabel UTF-8
    as Latin-1 or windows-1252 often, while 8-bit text almost never forms valid UTF-8 by chance."""
    parsed = _parse(payload, payload.content_type)
    if _is_utf8(parsed.get("encoding")) or not _is_utf8_text(payload.body):
        return parsed
    media_type = (payload.content_type or "application/xml").split(";")[0].strip()
    reread = _parse(payload, f"{media_type}; charset=utf-8")
    reread["bozo"] = True
    reread["bozo_exception"] = feedparser.CharacterEncodingOverride(
        f"document declared as {parsed.get('encoding')}, but its bytes are UTF-8: read as utf-8"
    )
    return reread


def _parse(payload: Payload, content_type: str | None) -> feedparser.FeedParserDict:
    # Headers only when the content type is known: without one feedparser flags every feed.
    headers = {"content-type": content_type, "content-location": payload.url} if content_type else None
    return feedparser.parse(io.BytesIO(payload.body), response_headers=headers)


def _is_utf8(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "").name == "utf-8"
    except LookupError:
        return False


def _is_utf8_text(body: bytes) -> bool:
    if body.isascii() or b"\x00" in body:  # NULs: UTF-16 or UTF-32, which feedparser tells apart itself
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _article_link(feed_url: str, link: str) -> str | None:
    """The entry's link made absolute against the feed's URL; None if it does not parse or runs a script."""
    try:
        url = urljoin(feed_url, link)
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return None if scheme in SCRIPT_SCHEMES else url


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
    content = _first_content(entry)
    return Hit(
        url=url.strip(),
        title=title,
        summary=entry.get("summary") or content,
        published=_entry_time(entry),
        guid=entry.get("id"),
        content=content if entry.get("summary") and content != entry.get("summary") else "",
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
