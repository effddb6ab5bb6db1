"""arXiv API (``export.arxiv.org/api/query``): an Atom feed of papers, newest submission first,
paged with ``start``/``max_results``."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

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
from sources.feeds import FeedAdapter

# "2401.01301v2" or the pre-2007 "cond-mat/0603029v1"; the version is left out so v1 and v2 are one paper.
_ABS_ID = re.compile(r"arxiv\.org/abs/(?P<id>\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?$", re.I)
_TOTAL = re.compile(rb"<opensearch:totalResults[^>]*>\s*(\d+)")
DEFAULT_PAGE_SIZE = 100  # arXiv's own default is 10


class ArxivAdapter(FeedAdapter):
    """One hit per paper at its version-less https abstract page; the cursor keeps the newest
    submission time, and paging stops at the page that reaches it."""

    kind: ClassVar[str] = "arxiv"
    max_pages: ClassVar[int] = 3  # per poll, read by the pipeline; ``options.max_pages`` overrides
    page_delay: ClassVar[float] = 3.0  # seconds between pages: arXiv's API terms ask for one request per 3 s

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        url = super().request(spec, cursor).url
        query = spec.options.get("query")
        size = _params(url).get("max_results") or DEFAULT_PAGE_SIZE
        # Newest first is what lets paging stop at the high-water mark.
        params = {"sortBy": "submittedDate", "sortOrder": "descending", "start": 0, "max_results": size}
        return Request(with_params(url, **params, **({"search_query": str(query)} if query else {})))

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        hits = self.parse(spec, payload).hits
        params = _params(payload.url)
        start, size = int(params.get("start") or 0), int(params.get("max_results") or DEFAULT_PAGE_SIZE)
        total = _TOTAL.search(payload.body)
        if len(hits) < size or (total and start + size >= int(total.group(1))):
            return None
        known = datetime.fromisoformat(cursor["published"]) if cursor.get("published") else None
        if known and any(hit.published and hit.published <= known for hit in hits):
            return None
        return Request(with_params(payload.url, start=start + size))

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        parsed = super().parse(spec, payload)
        newest = max((hit.published for hit in parsed.hits if hit.published), default=None)
        return replace(parsed, cursor={"published": newest.isoformat()} if newest else None)

    def hit(self, spec: SourceSpec, entry: Any) -> Hit | None:
        ident = str(entry.get("id") or "")
        if "arxiv.org/api/errors" in ident:  # arXiv answers a bad query with a one-entry feed
            raise ParseError(f"arXiv API error: {entry.get('summary') or entry.get('title') or ident}")
        hit = super().hit(spec, entry)
        match = _ABS_ID.search(ident) or (_ABS_ID.search(hit.url) if hit else None)
        if hit is None or match is None:
            return None
        arxiv_id = match.group("id")
        url = f"https://arxiv.org/abs/{arxiv_id}"
        authors = [str(a["name"]).strip() for a in entry.get("authors") or () if a.get("name")]
        abstract = " ".join(str(entry.get("summary") or "").split())
        return replace(
            hit,
            url=url,
            guid=url,
            title=" ".join(hit.title.split()),
            summary=f"{abstract}\n\nAuthors: {', '.join(authors)}" if authors else abstract,
            entities={"arxiv_ids": [arxiv_id]},
        )


def _params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))
