"""The AI Incident Database (stream 7): each AIID report becomes a candidate for the article it links.

An AIID entry never counts as a source itself: the hit is the linked article (its own publisher,
role ``confirming``), found ``via`` the AIID citation page, with the AIID incident ids as entities.

Polling POSTs one GraphQL query to ``spec.url`` (https://incidentdatabase.ai/api/graphql): the newest
reports above the cursor's high-water mark, newest first, ``options["page_size"]`` (default 100) per
page, together with the incidents that hold them. Report numbers are the mark, not ``date_submitted``:
AIID numbers a report when an editor accepts it (last number + 1), while ``date_submitted`` keeps the
original submission date, so a late-accepted report would hide below a date mark. Pages go down by
report number (``LT`` the last page's lowest) until a short page; a first poll without a cursor reads
the newest page only, or, when ``options["backfill"]`` names a file, that AIID snapshot instead
(returned as a ``file://`` request). The cursor is ``{"report_number": <highest seen>}``.

Accepted payloads: the GraphQL answer ``{"data": {"reports": [...], "incidents": [...]}}``, or a
snapshot export of AIID's ``reports`` and ``incidents`` collections as one JSON object with the same
two lists, without or with the ``data`` wrapper::

    {"reports":   [{"report_number": 3607, "url": "https://...", "title": "...",
                    "epoch_date_published": 1708300800 | "date_published": "2024-02-19T00:00:00Z",
                    "description": "...", "text": "...", "language": "en", ...}, ...],
     "incidents": [{"incident_id": 639, "title": "...", "reports": [3598, 3607, ...]}, ...]}

``incidents[].reports`` may hold report numbers or ``{"report_number": n}`` objects (the GraphQL
shape); numbers and dates may be MongoDB extended JSON (``{"$numberInt": "3607"}``,
``{"$date": "2024-02-19T00:00:00Z"}``) as ``mongoexport`` writes them. Reports that belong to no
incident (AIID "issue reports") are skipped with a warning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sources.base import Cursor, Hit, Parsed, ParseError, Payload, Request, SourceSpec

CITE_URL = "https://incidentdatabase.ai/cite/{}"
DEFAULT_PAGE_SIZE = 100
_NO_UPPER_BOUND = 2**31 - 1  # GraphQL Int maximum
QUERY = """
query NewReports($after: Int!, $before: Int!, $limit: Int!) {
  reports(
    filter: {report_number: {GT: $after, LT: $before}}
    sort: {report_number: DESC}
    pagination: {limit: $limit, skip: 0}
  ) {
    report_number
    url
    title
    source_domain
    date_published
    date_submitted
    epoch_date_published
    language
    description
    text
  }
  incidents(filter: {reports: {GT: $after, LT: $before}}) {
    incident_id
    title
    reports {
      report_number
    }
  }
}
""".strip()


class AiidGraphqlAdapter:
    """AIID reports through the public GraphQL API, or a snapshot export for the first run."""

    kind: ClassVar[str] = "aiid-graphql"
    max_pages: ClassVar[int] = 50  # the cursor moves to the newest page: a poll must reach known ground

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        if not cursor and spec.options.get("backfill"):
            return Request(Path(str(spec.options["backfill"])).expanduser().resolve().as_uri())
        return self._query(spec, after=_mark(cursor), before=_NO_UPPER_BOUND)

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        """The next older page, until a short page or known ground; a first poll reads one page."""
        if not cursor or payload.url.startswith("file:"):
            return None
        numbers = [n for r in _lists(payload)[0] if isinstance(r, Mapping) and (n := _int(r.get("report_number"))) is not None]
        if len(numbers) < _page_size(spec) or min(numbers) <= _mark(cursor):
            return None
        return self._query(spec, after=_mark(cursor), before=min(numbers))

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        reports, incidents, warnings = _lists(payload)
        incident_ids: dict[int, set[int]] = {}
        for incident in incidents:
            incident_id = _int(incident.get("incident_id")) if isinstance(incident, Mapping) else None
            if incident_id is not None:
                for linked in _report_numbers(incident):
                    incident_ids.setdefault(linked, set()).add(incident_id)
        hits: list[Hit] = []
        unusable = unlinked = 0
        highest: int | None = None
        for report in reports:
            if not isinstance(report, Mapping) or (number := _int(report.get("report_number"))) is None:
                unusable += 1
                continue
            highest = number if highest is None else max(highest, number)
            if number not in incident_ids:
                unlinked += 1
            elif (hit := _hit(report, sorted(incident_ids[number]))) is None:
                unusable += 1
            else:
                hits.append(hit)
        if unlinked:
            warnings.append(f"{unlinked} reports linked to no AIID incident skipped")
        if unusable:
            warnings.append(f"{unusable} reports without a number, an http(s) url or a title skipped")
        return Parsed(hits, warnings, {"report_number": highest} if highest is not None else None)

    @staticmethod
    def _query(spec: SourceSpec, *, after: int, before: int) -> Request:
        variables = {"after": after, "before": before, "limit": _page_size(spec)}
        body = json.dumps({"query": QUERY, "variables": variables}).encode()
        return Request(spec.endpoint, "POST", body, {"Content-Type": "application/json", "Accept": "application/json"})


def _lists(payload: Payload) -> tuple[list[Any], list[Any], list[str]]:
    """``(reports, incidents, warnings)`` of a GraphQL answer or snapshot export, or a ParseError."""
    if not payload.body.strip():
        raise ParseError("not an AIID GraphQL answer or export (empty body)")
    try:
        document = json.loads(payload.body)
    except ValueError:
        looks = "an HTML page" if payload.body.lstrip()[:1] == b"<" else f"{len(payload.body):,} bytes that are not JSON"
        raise ParseError(f"not an AIID GraphQL answer or export ({looks}, content-type {payload.content_type or 'unknown'})") from None
    if not isinstance(document, dict):
        raise ParseError(f"not an AIID GraphQL answer or export (a JSON {type(document).__name__})")
    errors = [str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in document.get("errors") or ()]
    data = document.get("data", document)
    if not isinstance(data, dict) or not (data.get("reports") is not None or data.get("incidents") is not None):
        if errors:
            raise ParseError(f"AIID GraphQL error: {'; '.join(errors)}")
        keys = ", ".join(sorted(data)) if isinstance(data, dict) else type(data).__name__
        raise ParseError(f"not an AIID GraphQL answer or export (no reports or incidents; JSON holds {keys or 'nothing'})")
    reports, incidents = data.get("reports") or [], data.get("incidents") or []
    if not isinstance(reports, list) or not isinstance(incidents, list):
        raise ParseError("not an AIID GraphQL answer or export (reports and incidents must be lists)")
    return reports, incidents, [f"AIID GraphQL error: {e}" for e in errors]


def _report_numbers(incident: Mapping[str, Any]) -> list[int]:
    entries = incident.get("reports") or ()
    numbers = (_int(e.get("report_number") if isinstance(e, Mapping) and "report_number" in e else e) for e in entries)
    return [n for n in numbers if n is not None]


def _hit(report: Mapping[str, Any], incident_ids: list[int]) -> Hit | None:
    url, title = str(report.get("url") or "").strip(), str(report.get("title") or "").strip()
    if not url.startswith(("http://", "https://")) or not title:
        return None
    return Hit(
        url=url,
        title=title,
        summary=str(report.get("description") or report.get("text") or ""),
        published=_published(report),
        guid=f"aiid:report:{_int(report.get('report_number'))}",
        language=str(report["language"]) if report.get("language") else None,
        role="confirming",
        via=CITE_URL.format(incident_ids[0]),
        entities={"aiid_ids": incident_ids},
    )


def _published(report: Mapping[str, Any]) -> datetime | None:
    if (epoch := _int(report.get("epoch_date_published"))) is not None:
        return datetime.fromtimestamp(epoch, UTC)
    value = report.get("date_published")
    if isinstance(value, Mapping):  # extended JSON: {"$date": "..."} or {"$date": {"$numberLong": ms}}
        value = value.get("$date")
        if (millis := _int(value)) is not None:
            return datetime.fromtimestamp(millis / 1000, UTC)
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    """An int from JSON, a numeric string, or MongoDB extended JSON (``{"$numberInt": "7"}``)."""
    if isinstance(value, Mapping):
        value = value.get("$numberInt", value.get("$numberLong"))
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _mark(cursor: Cursor) -> int:
    return _int(cursor.get("report_number")) or 0


def _page_size(spec: SourceSpec) -> int:
    size = _int(spec.options.get("page_size", DEFAULT_PAGE_SIZE))
    if size is None or size < 1:
        raise ValueError(f"{spec.source_id}: page_size must be a positive integer")
    return size
