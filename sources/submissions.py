"""User-submitted reports (stream 10), read from the project's own submission table.

The fetcher serves ``lpi:submissions?after=<id>`` through :func:`read_submissions`, so these
reports travel the same path as every other source: archived raw, parsed, normalized. They are
leads (the stream's role): they may open a cluster and count zero. Contact details never leave
the table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from sqlalchemy import Engine

from sources.base import Cursor, Hit, Parsed, Payload, Request, SourceSpec, with_params
from sources.jsonapi import web_url
from sources.jsonlist import items_at, load_json, parse_time, text
from store import repo, session_scope
from store.models import Submission

FEED_URL = "lpi:submissions"
PAGE_SIZE = 500  # per poll; the cursor moves on and the next poll reads the rest
EXPECTED = "a submissions export"  # what a ParseError says the payload should have been
_PAGE_SUFFIX = re.compile(r"\.(s?html?|php|aspx?)$", re.IGNORECASE)
_WORD_BREAKS = re.compile(r"[-_+.\s]+")


class SubmissionsAdapter:
    """Reads ``{"submissions": [{"id", "url", "title", ...}]}``, newest ids since the cursor."""

    kind: ClassVar[str] = "submissions"

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        return Request(with_params(spec.endpoint, after=int(cursor.get("after", 0))))

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        return None  # ids ascend: the first page's cursor would rewind later pages' progress

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        items = items_at(load_json(payload), "submissions", EXPECTED)
        hits = [hit for item in items if (hit := _hit(item)) is not None]
        warnings = [f"{len(items) - len(hits)} submissions without an integer id or a web URL skipped"] if len(hits) < len(items) else []
        ids = [item["id"] for item in items if isinstance(item, Mapping) and _is_id(item.get("id"))]
        return Parsed(hits, warnings, {"after": max(ids)} if ids else None)


def read_submissions(engine: Engine, url: str) -> bytes:
    """The JSON the adapter reads for ``lpi:submissions?after=N``: up to :data:`PAGE_SIZE`
    submissions with an id above N, oldest first, without contact details."""
    after = dict(parse_qsl(urlsplit(url).query)).get("after", "0")
    if not after.isdigit():
        raise ValueError(f"{url}: after must be a submission id, not {after!r}")
    with session_scope(engine) as session:
        rows = repo.submissions_after(session, int(after), PAGE_SIZE)
    return json.dumps({"submissions": [_item(row) for row in rows]}, ensure_ascii=False).encode()


def title_from_url(url: str) -> str:
    """Words of the URL's last path segment that has any ("air-canada-chatbot-refund" →
    "Air canada chatbot refund"), else its host: a title for a report sent without one."""
    parts = urlsplit(url)
    for segment in reversed(unquote(parts.path).split("/")):
        stem = _PAGE_SUFFIX.sub("", segment)
        if stem.lower() in ("index", "amp") or not any(char.isalpha() for char in stem):
            continue
        phrase = " ".join(word for word in _WORD_BREAKS.split(stem) if word)
        return phrase[:1].upper() + phrase[1:]
    return parts.hostname or url


def _hit(item: Any) -> Hit | None:
    if not isinstance(item, Mapping) or not _is_id(item.get("id")):
        return None
    url = web_url(item.get("url"))
    if url is None:
        return None
    return Hit(
        url=url,
        title=text(item.get("title")) or title_from_url(url),
        summary=text(item.get("description")),
        published=parse_time(item.get("first_submitted_at")),  # the report's own time: when it first came in
        guid=f"{FEED_URL}/{item['id']}",
        entities={"submission_ids": [str(item["id"])]},
    )


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _item(row: Submission) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "title": row.title,
        "description": row.description,
        "first_submitted_at": row.first_submitted_at.isoformat(),
        "times_submitted": row.times_submitted,
    }
