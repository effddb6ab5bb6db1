"""CourtListener REST v4 search (``/api/rest/v4/search/``): case-law opinion clusters (``type=o``)
and RECAP federal dockets (``type=r``), newest filing first, cursor-paged through ``next``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urljoin, urlsplit

from sources.base import (
    Cursor,
    Hit,
    Parsed,
    ParseError,
    Payload,
    Request,
    SourceSpec,
    with_params,
)
from sources.jsonlist import load_json

SITE = "https://www.courtlistener.com"  # results give page paths; the pages are the site's, wherever the API is
NEWEST_FIRST = "dateFiled desc"  # the paging stop below relies on this order


class CourtListenerSearchAdapter:
    """Hits are cases: the opinion or docket page, its case name, docket number and court. The cursor
    keeps the newest ``dateFiled`` seen; paging stops at the page that reaches it."""

    kind: ClassVar[str] = "courtlistener-search"

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        query = spec.options.get("query")
        params = {"order_by": NEWEST_FIRST} | ({"q": str(query)} if query else {})
        return _request(spec, with_params(spec.endpoint, **params))

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        document = _document(payload)
        following = document.get("next")
        if not isinstance(following, str) or not following:
            return None
        params = dict(parse_qsl(urlsplit(following).query))
        if params.get("cursor") == dict(parse_qsl(urlsplit(payload.url).query)).get("cursor"):
            return None  # a page pointing at itself
        known = _filed(cursor.get("date_filed"))
        results = [result for result in document["results"] if isinstance(result, dict)]
        filed = [day for result in results if (day := _filed(result.get("dateFiled")))]
        # Newest first: a page older than the mark, or reaching past it, leaves nothing new behind it.
        if known and filed and (max(filed) <= known or min(filed) < known):
            return None
        # The next page of the configured URL (a mirror or replay keeps its own host), at the API's cursor.
        return _request(spec, with_params(payload.url, **params))

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        results = _document(payload)["results"]
        hits = [hit for result in results if isinstance(result, dict) and (hit := _hit(result)) is not None]
        skipped = len(results) - len(hits)
        newest = max((hit.published for hit in hits if hit.published), default=None)
        return Parsed(
            hits,
            [f"{skipped} results without a case name or page skipped"] if skipped else [],
            {"date_filed": newest.date().isoformat()} if newest else None,
        )


def _request(spec: SourceSpec, url: str) -> Request:
    """The token is optional (anonymous search works, with lower limits) and read at request time."""
    token = os.environ.get(str(spec.options.get("token_env") or ""), "")
    return Request(url, headers={"Authorization": f"Token {token}"} if token else {})


def _document(payload: Payload) -> dict[str, Any]:
    document = load_json(payload)
    if isinstance(document, dict) and "detail" in document and "results" not in document:
        raise ParseError(f"CourtListener refused the search: {document['detail']}")  # bad token, throttled
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        keys = ", ".join(sorted(document)) if isinstance(document, dict) else type(document).__name__
        raise ParseError(f"not a CourtListener search response (no results list; JSON holds {keys or 'nothing'})")
    return document


def _hit(result: Mapping[str, Any]) -> Hit | None:
    path = result.get("absolute_url") or result.get("docket_absolute_url")  # opinion cluster, else RECAP docket
    title = " ".join(str(result.get("caseName") or result.get("caseNameFull") or "").split())
    if not isinstance(path, str) or not path or not title:
        return None
    docket = str(result.get("docketNumber") or "").strip()
    court = str(result.get("court") or "").strip()
    court_id = str(result.get("court_id") or "").strip()
    entities: dict[str, list[str]] = {"case_names": [title]}
    if docket:
        entities["dockets"] = [docket]
    if court_id or court:
        entities["courts"] = [court_id or court]
    filed = _filed(result.get("dateFiled"))
    where = " · ".join(filter(None, [court, docket and f"No. {docket}"]))
    return Hit(
        url=urljoin(SITE, path),
        title=title,
        summary="\n".join(filter(None, [*_snippets(result), where])),
        published=datetime(filed.year, filed.month, filed.day, tzinfo=UTC) if filed else None,
        entities=entities,
    )


def _snippets(result: Mapping[str, Any]) -> list[str]:
    """Matched passages (``<mark>``ed with highlight=on): an opinion's texts, or a docket's documents
    headed by their docket-entry description."""
    lines = []
    for opinion in result.get("opinions") or ():
        if isinstance(opinion, dict) and str(opinion.get("snippet") or "").strip():
            lines.append(str(opinion["snippet"]).strip())
    for document in result.get("recap_documents") or ():
        if isinstance(document, dict):
            parts = [str(document.get(key) or "").strip() for key in ("description", "snippet")]
            if line := " — ".join(p for p in parts if p):
                lines.append(line)
    return lines


def _filed(value: Any) -> date | None:
    """``dateFiled`` is a calendar date (``2024-06-22``); anything else counts as absent."""
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
