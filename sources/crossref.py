"""Crossref REST ``/works``: DOI metadata, here SSRN working papers (``filter=prefix:10.2139``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from sources.base import (
    Cursor,
    GetAdapter,
    Hit,
    Parsed,
    ParseError,
    Payload,
    Request,
    SourceSpec,
    with_params,
)
from sources.jsonlist import load_json

# Crossref's dates, most telling first: "published" is the earliest of print, online and posted.
_DATE_FIELDS = ("published", "posted", "published-online", "published-print", "issued", "created")


class CrossrefAdapter(GetAdapter):
    """One page of the configured ``/works`` query (its filter, sort and rows stay configuration);
    one hit per DOI, at the SSRN abstract page when Crossref names one."""

    kind: ClassVar[str] = "crossref"

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        url = super().request(spec, cursor).url
        params = {"query.bibliographic": spec.options.get("query"), "mailto": spec.options.get("mailto")}
        return Request(with_params(url, **{k: str(v) for k, v in params.items() if v}))

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        items = _work_list(payload)
        hits = [hit for item in items if isinstance(item, dict) and (hit := _hit(item)) is not None]
        skipped = len(items) - len(hits)
        newest = max((hit.published for hit in hits if hit.published), default=None)
        return Parsed(
            hits,
            [f"{skipped} works without a DOI or title skipped"] if skipped else [],
            {"published": newest.date().isoformat()} if newest else None,
        )


def _work_list(payload: Payload) -> list[Any]:
    document = load_json(payload)
    if not isinstance(document, dict):
        raise ParseError(f"not a Crossref work list (JSON {type(document).__name__})")
    message = document.get("message")
    if document.get("status") != "ok":  # e.g. {"status": "failed", "message-type": "validation-failure", ...}
        raise ParseError(f"Crossref answered status {document.get('status')!r}: {_problem(message)}")
    if document.get("message-type") != "work-list" or not isinstance(message, dict):
        raise ParseError(f"not a Crossref work list (message-type {document.get('message-type')!r})")
    items = message.get("items")
    if not isinstance(items, list):
        raise ParseError("not a Crossref work list (message has no items list)")
    return items


def _problem(message: Any) -> str:
    if isinstance(message, list):
        return "; ".join(str(m.get("message") or m) if isinstance(m, dict) else str(m) for m in message)
    return str(message)


def _hit(item: Mapping[str, Any]) -> Hit | None:
    doi = str(item.get("DOI") or "").strip()
    titles = item.get("title")  # a list, the first being the main title
    title = " ".join(str((titles[0] if isinstance(titles, list) and titles else titles) or "").split())
    if not doi or not title:
        return None
    authors = [name for a in item.get("author") or () if isinstance(a, dict) and (name := _author(a))]
    abstract = str(item.get("abstract") or "").strip()  # JATS XML; normalization strips the markup
    return Hit(
        url=_landing_page(item) or f"https://doi.org/{doi}",
        title=title,
        summary="\n\n".join(filter(None, [abstract, f"Authors: {', '.join(authors)}" if authors else ""])),
        published=_date(item),
        guid=f"https://doi.org/{doi}",
        entities={"dois": [doi]},
    )


def _landing_page(item: Mapping[str, Any]) -> str | None:
    """The SSRN abstract page (``https://www.ssrn.com/abstract=4567890``) that the DOI resolves to."""
    resource = item.get("resource")
    primary = resource.get("primary") if isinstance(resource, dict) else None
    url = str(primary.get("URL") or "") if isinstance(primary, dict) else ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return url if parts.scheme in ("http", "https") and (host == "ssrn.com" or host.endswith(".ssrn.com")) else None


def _author(author: Mapping[str, Any]) -> str:
    """A person ("given family") or an organization ("name")."""
    person = " ".join(str(author[k]).strip() for k in ("given", "family") if author.get(k))
    return person or str(author.get("name") or "").strip()


def _date(item: Mapping[str, Any]) -> datetime | None:
    """``{"date-parts": [[2024, 3, 1]]}``, month and day optional; the first field with a year wins."""
    for field in _DATE_FIELDS:
        value = item.get(field)
        parts = value.get("date-parts") if isinstance(value, dict) else None
        first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
        numbers = [p for p in first if isinstance(p, int)]
        if numbers:
            year, month, day = (numbers + [1, 1])[:3]
            try:
                return datetime(year, month, day, tzinfo=UTC)
            except ValueError:
                continue
    return None
