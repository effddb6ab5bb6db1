"""Hit → candidate: canonical URL, publisher, plain text, dates, language, entities, links, fingerprint."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import urlsplit

from dedup.entities import extract_entities
from dedup.language import detect_language
from dedup.publisher import publisher_of
from dedup.rereport import MAX_LINKS, article_links
from dedup.scope import assess
from dedup.text import fingerprint, html_to_text
from dedup.urls import canonical_url, url_date
from sources.base import Hit, SourceSpec
from store.models import Candidate

MAX_TITLE_CHARS = 500
# Schemes a stored URL may have: web links, and identifiers no browser runs (our own lpi: feed).
STORED_URL_SCHEMES = frozenset({"http", "https", "urn", "tag", "lpi"})
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_LANGUAGE_TAG = re.compile(r"[a-z]{1,8}(?:[-_][a-z0-9]{1,8})*", re.IGNORECASE)


ZERO_WEIGHT_ROLES = frozenset({"lead", "discovery"})


def candidate_key(hit: Hit, role: str = "confirming") -> str:
    """The canonical URL; an entry whose link is not a web URL falls back to its guid.

    Leads and discovery links get keys of their own ("lead:https://..."): a user who submits an
    article first must not make the same article, arriving later from a confirming stream, "known"."""
    url = canonical_url(storable_url(hit.url))
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
        entities[name] = _unique([*map(_plain, values), *entities.get(name, [])])
    url = storable_url(hit.url)
    published = hit.published or _date_in(url, fetched_at)
    scope = assess(
        title, summary, entities.get("models") or [], published,
        date_is_fallback=published is None, date_from_url=hit.published is None and published is not None,
    )
    via = storable_url(hit.via) if hit.via else None
    written = dict.fromkeys([*article_links(hit.summary, url), *article_links(hit.content, url)])  # the summary's first
    if links := [link for link in written if storable_url(link)][:MAX_LINKS]:
        entities["links"] = links  # what counting needs to tell a re-report
    return Candidate(
        key=candidate_key(hit, role),
        stream=spec.stream,
        source_id=spec.source_id,
        role=role,
        url=canonical_url(url),
        original_url=url,
        via_url=via or None,
        publisher=publisher_of(url, hit.publisher or spec.publisher),
        title=title,
        summary=summary,
        published_at=published or fetched_at,
        published_is_fallback=hit.published is None,
        fetched_at=fetched_at,
        language=hit.language if hit.language and _LANGUAGE_TAG.fullmatch(hit.language) else detect_language(f"{title}\n{summary}"),
        entities=entities,
        scope_score=scope.score,
        in_scope=scope.in_scope,
        scope_reasons=scope.sentences,
        fingerprint=fingerprint(title, summary),
        raw_sha256=raw_sha256,
    )


def _date_in(url: str, fetched_at: datetime) -> datetime | None:
    """The date a URL's path is written with (dedup.urls.url_date), as midnight UTC; None when it
    has none, or one after the fetch (an id that looks like a date)."""
    day = url_date(url)
    if day is None or day > fetched_at.astimezone(UTC).date():
        return None
    return datetime.combine(day, time(), UTC)


def storable_url(url: str) -> str:
    """``url`` when it may be stored and shown as a link, else "" (the candidate is then keyed by its
    guid): a script URL (``javascript:``, ``data:``) or one that does not parse must never be stored."""
    url = url.strip()
    try:
        if _CONTROL_CHARS.search(url) or urlsplit(url).scheme.lower() not in STORED_URL_SCHEMES:
            return ""
        canonical_url(url)  # raises ValueError on a host or port that does not parse
    except ValueError:
        return ""
    return url


def _plain(value: Any) -> Any:
    """A stated entity with its strings as plain text: sources state names as they please."""
    if isinstance(value, str):
        return html_to_text(value, MAX_TITLE_CHARS)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _unique(values: Iterable[Any]) -> list[Any]:
    """First occurrence of each value; scalars as strings, so a stated 42 and an extracted "42" are one."""
    seen: dict[str, Any] = {}
    for value in values:
        value = value if isinstance(value, dict | list) else str(value)
        seen.setdefault(json.dumps(value, sort_keys=True), value)
    return list(seen.values())
