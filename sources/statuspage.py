"""Atlassian Statuspage incident history, in either of its public forms.

``history.atom`` (one Atom entry per incident, the update history as HTML content) and
``api/v2/incidents.json`` (``{page: {id, name, url}, incidents: [...]}``) describe the same
incidents, so both forms give each incident the same URL, ``https://<page>/incidents/<code>``, and the
same guid, its code: whichever form a source polls, one incident is one candidate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from sources.base import GetAdapter, Hit, Parsed, ParseError, Payload, SourceSpec
from sources.feeds import FeedAdapter

_INCIDENT_PATH = re.compile(r"/incidents/([A-Za-z0-9]+)/?$")
# Each update in history.atom content is stamped "Jun <var>21</var>, <var>09:12</var> UTC" (no year).
_UPDATE_STAMP = re.compile(r"\b([A-Z][a-z]{2})[a-z]*\s+(\d{1,2})\s*,\s+(\d{1,2}):(\d{2})\s+UTC\b")
_TAGS = re.compile(r"<[^>]+>")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class StatuspageAdapter(GetAdapter):
    """A Statuspage ``history.atom`` or ``incidents.json``, told apart by the payload itself."""

    kind: ClassVar[str] = "statuspage"

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        head = payload.body.lstrip()[:1]
        if not head:
            raise ParseError("not a Statuspage history.atom or incidents.json (empty body)")
        if head in (b"{", b"["):
            return _parse_incidents_json(payload)
        return _parse_history_atom(spec, payload)


def _parse_history_atom(spec: SourceSpec, payload: Payload) -> Parsed:
    parsed = FeedAdapter().parse(spec, payload)
    hits, skipped = [], 0
    for hit in parsed.hits:
        parts = urlsplit(hit.url)
        match = _INCIDENT_PATH.search(parts.path)
        if not match or parts.scheme not in ("http", "https"):
            skipped += 1
            continue
        code = match.group(1)
        url = _incident_url(f"{parts.scheme}://{parts.netloc}", code)
        hits.append(replace(hit, url=url, guid=code, published=_first_update(hit.summary, hit.published)))
    warnings = list(parsed.warnings)
    if skipped:
        warnings.append(f"{skipped} entries not linking to an incident page skipped")
    return Parsed(hits, warnings)


def _parse_incidents_json(payload: Payload) -> Parsed:
    try:
        document = json.loads(payload.body)
    except ValueError as exc:
        raise ParseError(f"not a Statuspage incidents.json (invalid JSON: {exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("incidents"), list):
        keys = ", ".join(sorted(document)) if isinstance(document, dict) else type(document).__name__
        raise ParseError(f"not a Statuspage incidents.json (no incidents list; JSON holds {keys or 'nothing'})")
    page = document.get("page")
    origin = str(page.get("url") or "").rstrip("/") if isinstance(page, dict) else ""
    origin = origin or _origin(payload.url)
    hits, skipped = [], 0
    for incident in document["incidents"]:
        hit = _incident_hit(incident, origin) if isinstance(incident, dict) else None
        if hit is None:
            skipped += 1
        else:
            hits.append(hit)
    return Parsed(hits, [f"{skipped} incidents without an id or name skipped"] if skipped else [])


def _incident_hit(incident: Mapping[str, Any], origin: str) -> Hit | None:
    code, name = str(incident.get("id") or "").strip(), str(incident.get("name") or "").strip()
    if not code or not name:
        return None
    url = _incident_url(origin, code) if origin.startswith(("http://", "https://")) else incident.get("shortlink")
    if not url:
        return None
    return Hit(url=str(url), title=name, summary=_summary(incident), published=_time(incident.get("created_at")), guid=code)


def _summary(incident: Mapping[str, Any]) -> str:
    """The update history newest first, as the Atom form renders it, then impact and components."""
    updates = [u for u in incident.get("incident_updates") or () if isinstance(u, dict) and u.get("body")]
    updates.sort(key=lambda u: str(u.get("created_at") or ""), reverse=True)
    lines = [f"{str(u.get('status') or 'update').capitalize()} - {u['body']}" for u in updates]
    if incident.get("impact"):
        lines.append(f"Impact: {incident['impact']}")
    components = [str(c["name"]) for c in incident.get("components") or () if isinstance(c, dict) and c.get("name")]
    if components:
        lines.append(f"Components: {', '.join(components)}")
    return "\n".join(lines)


def _first_update(content: str, published: datetime | None) -> datetime | None:
    """The incident's first update (the oldest stamp in the content, which lists updates newest
    first): the Atom form's equivalent of created_at, where ``published`` is the latest update.
    Stamps carry no year; it is the entry's, or the year before for a stamp later than the entry."""
    stamps = _UPDATE_STAMP.findall(_TAGS.sub(" ", content))
    if not stamps or published is None or stamps[-1][0] not in _MONTHS:
        return published
    month, day, hour, minute = stamps[-1]
    try:
        first = datetime(published.year, _MONTHS.index(month) + 1, int(day), int(hour), int(minute), tzinfo=UTC)
    except ValueError:
        return published
    return first if first <= published else first.replace(year=first.year - 1)


def _incident_url(origin: str, code: str) -> str:
    return f"{origin.rstrip('/')}/incidents/{code}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


def _time(value: Any) -> datetime | None:
    """Statuspage times carry the page's offset (``2024-06-21T09:12:40.123-07:00``); stored in UTC."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
