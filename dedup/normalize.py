"""Hit → candidate: canonical URL, publisher, plain text, dates, entities, fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from dedup.entities import extract_entities
from dedup.publisher import publisher_of
from dedup.text import fingerprint, html_to_text
from dedup.urls import canonical_url
from sources.base import Hit, SourceSpec
from store.models import Candidate

MAX_TITLE_CHARS = 500


ZERO_WEIGHT_ROLES = frozenset({"lead", "discovery"})


def candidate_key(hit: Hit, role: str = "confirming") -> str:
    """The canonical URL; an entry whose link is not a web URL falls back to its guid.

    Leads and discovery links get keys of their own ("lead:https://..."): a user who submits an
    article first must not make the same article, arriving later from a confirming stream, "known"."""
    url = canonical_url(hit.url)
    if url.startswith("https://"):
        key = url
    else:
        ident = hit.guid or f"{hit.url}\n{hit.title}"
        key = "urn:sha1:" + hashlib.sha1(ident.encode()).hexdigest()
    return f"{role}:{key}" if role in ZERO_WEIGHT_ROLES else key


def normalize(hit: Hit, spec: SourceSpec, role: str, fetched_at: datetime, raw_sha256: str) -> Candidate:
    """Build the (unsaved) candidate row for one hit; ``role`` is the stream's, unless the hit says otherwise."""
    role = hit.role or role
    title = html_to_text(hit.title, MAX_TITLE_CHARS)
    summary = html_to_text(hit.summary)
    entities = extract_entities(f"{title}\n{summary}")
    for name, values in hit.entities.items():  # what the source states beats what the text suggests
        entities[name] = _unique([*values, *entities.get(name, [])])
    return Candidate(
        key=candidate_key(hit, role),
        stream=spec.stream,
        source_id=spec.source_id,
        role=role,
        url=canonical_url(hit.url),
        original_url=hit.url,
        via_url=hit.via,
        publisher=publisher_of(hit.url, hit.publisher or spec.publisher),
        title=title,
        summary=summary,
        published_at=hit.published or fetched_at,
        published_is_fallback=hit.published is None,
        fetched_at=fetched_at,
        language=hit.language,
        entities=entities,
        fingerprint=fingerprint(title, summary),
        raw_sha256=raw_sha256,
    )


def _unique(values: Iterable[Any]) -> list[Any]:
    """First occurrence of each value; scalars as strings, so a stated 42 and an extracted "42" are one."""
    seen: dict[str, Any] = {}
    for value in values:
        value = value if isinstance(value, dict | list) else str(value)
        seen.setdefault(json.dumps(value, sort_keys=True), value)
    return list(seen.values())
