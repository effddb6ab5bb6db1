"""Bugcrowd's public CrowdStream, disclosures only (``/crowdstream.json?filter_by=disclosures&page=N``).

Each result is one accepted submission: engagement (``engagement_name``, ``engagement_code``,
``engagement_path``; older answers say ``program_*``), ``priority`` (P1-P5), ``target``,
``disclosed_at`` / ``accepted_at`` as ``27 Aug 2026``, ``created_at`` in ISO 8601, and
``disclosure_report_url``, the public report's path. Titles are often null; the hit is then named
after its engagement and target. Only AI programmes and AI targets are kept (:mod:`sources.bounty`).
The cursor is the newest disclosure date seen; paging stops at a page that reaches past it, and
without a cursor the first poll reads the newest page only and sets the mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin

from sources.base import (
    Cursor,
    GetAdapter,
    Hit,
    Parsed,
    Payload,
    Request,
    SourceSpec,
    with_params,
)
from sources.bounty import AiScope
from sources.jsonapi import query_int, web_url
from sources.jsonlist import dig, items_at, load_json, parse_time, text

# Engagement codes of AI vendors' programmes on Bugcrowd (bugcrowd.com/engagements/<code>).
AI_PROGRAMMES = ("openai", "openai-safety")
_EXPECTED = "a Bugcrowd CrowdStream page"


class BugcrowdDisclosuresAdapter(GetAdapter):
    """``bugcrowd-disclosures``: GETs ``spec.url`` as configured, then ``page=2, 3, ...``."""

    kind: ClassVar[str] = "bugcrowd-disclosures"

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        document = load_json(payload)
        results = [r for r in items_at(document, "results", _EXPECTED) if isinstance(r, Mapping)]
        page = query_int(payload.url, "page") or 1
        pages = dig(document, "pagination_meta.total_pages") or dig(document, "pagination.total_pages")
        since = _day(cursor.get("disclosed_at"))
        if since is None or not results or (isinstance(pages, int) and page >= pages):
            return None
        dates = [d for d in map(_disclosed, results) if d]
        if dates and min(dates) < since:  # a page ending on that very day may hide more of it
            return None
        return Request(with_params(payload.url, page=page + 1))

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        scope = AiScope.of(spec, AI_PROGRAMMES)
        hits: list[Hit] = []
        newest: datetime | None = None
        unlinked = 0
        for result in items_at(load_json(payload), "results", _EXPECTED):
            hit = _disclosure_hit(result, payload.url) if isinstance(result, Mapping) else None
            if hit is None:
                unlinked += 1
                continue
            if hit.published and (newest is None or hit.published > newest):
                newest = hit.published
            if scope.covers(_code(result), hit.title, _engagement(result), text(result.get("target"))):
                hits.append(hit)
        warnings = [f"{unlinked} results without a disclosure report link skipped"] if unlinked else []
        return Parsed(hits, warnings, {"disclosed_at": newest.date().isoformat()} if newest else None)


def _disclosure_hit(result: Mapping[str, Any], page_url: str) -> Hit | None:
    link = text(result.get("disclosure_report_url"))
    url = web_url(urljoin(page_url, link)) if link else None  # a path on the site that served the page
    if url is None:
        return None
    engagement, target = _engagement(result) or "Bugcrowd engagement", text(result.get("target"))
    fallback = f"{engagement} disclosure: {target}" if target else f"{engagement} disclosure"
    report_id = text(result.get("id"))
    return Hit(
        url=url,
        title=text(result.get("title")) or fallback,
        summary=_summary(result, engagement, target),
        published=_disclosed(result),
        guid=f"bugcrowd:{report_id}" if report_id else None,
    )


def _summary(result: Mapping[str, Any], engagement: str, target: str) -> str:
    facts = [f"Disclosed on Bugcrowd by {engagement}"]
    priority = text(result.get("priority"))
    for label, value in (("priority", f"P{priority}" if priority else ""), ("target", target),
                         ("researcher", text(result.get("researcher_username")))):
        if value:
            facts.append(f"{label}: {value}")
    return "; ".join(facts) + "."


def _engagement(result: Mapping[str, Any]) -> str:
    return text(result.get("engagement_name")) or text(result.get("program_name"))


def _code(result: Mapping[str, Any]) -> str:
    """The engagement code, stated or read from ``/engagements/<code>``."""
    stated = text(result.get("engagement_code")) or text(result.get("program_code"))
    path = text(result.get("engagement_path")).rstrip("/")
    return stated or (path.rsplit("/", 1)[-1] if path.startswith("/engagements/") else "")


def _disclosed(result: Mapping[str, Any]) -> datetime | None:
    return _day(result.get("disclosed_at")) or _day(result.get("accepted_at"))


def _day(value: Any) -> datetime | None:
    """CrowdStream dates read ``27 Aug 2026`` (midnight UTC); ISO 8601 is taken too, as cursors store it."""
    try:
        return datetime.strptime(text(value), "%d %b %Y").replace(tzinfo=UTC)
    except ValueError:
        return parse_time(value)
