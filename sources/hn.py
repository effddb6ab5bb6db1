"""Hacker News stories through the Algolia search API (``/api/v1/search_by_date``).

Each story is a discovery hit at its ``news.ycombinator.com/item?id=`` page; a story that links an
article also yields that article as a confirming hit found through the story. The cursor is the
newest ``created_at_i`` seen, sent back as ``numericFilters=created_at_i>TS`` so that a poll asks
only for stories it has not seen; pages follow Algolia's ``page`` / ``nbPages``. Without a cursor
there is no known ground to page back to: the first poll reads the newest page and sets the mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sources.base import Cursor, Hit, Parsed, Payload, Request, SourceSpec, with_params
from sources.discussion import post_and_article, post_summary
from sources.jsonapi import number, web_url
from sources.jsonlist import items_at, load_json, parse_time, text

ITEM_URL = "https://news.ycombinator.com/item?id="
_EXPECTED = "a Hacker News Algolia search result"


class HackerNewsAdapter:
    """``hn-algolia``: the story query is ``options["query"]``, put in Algolia's ``query`` parameter."""

    kind: ClassVar[str] = "hn-algolia"

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        since = _since(cursor)
        newer = f"created_at_i>{since}" if since is not None else None
        return Request(with_params(spec.endpoint, query=spec.options.get("query"), numericFilters=newer, page=None))

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        document = load_json(payload)
        stories = [s for s in items_at(document, "hits", _EXPECTED) if isinstance(s, Mapping)]
        page, pages, since = document.get("page"), document.get("nbPages"), _since(cursor)
        if since is None or not stories or not isinstance(page, int) or not isinstance(pages, int) or page + 1 >= pages:
            return None
        if any(_created(s) <= since for s in stories):
            return None  # the filter should have kept these out; known ground all the same
        return Request(with_params(payload.url, page=page + 1))

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        stories = items_at(load_json(payload), "hits", _EXPECTED)
        hits: list[Hit] = []
        newest = skipped = 0
        for story in stories:
            found = _story_hits(story) if isinstance(story, Mapping) else []
            if not found:
                skipped += 1
                continue
            hits.extend(found)
            newest = max(newest, _created(story))
        warnings = [f"{skipped} stories without an objectID or title skipped"] if skipped else []
        return Parsed(hits, warnings, {"created_at_i": newest} if newest else None)


def _story_hits(story: Mapping[str, Any]) -> list[Hit]:
    item_id, title = text(story.get("objectID")), text(story.get("title"))
    if not item_id or not title:
        return []
    post = Hit(
        url=f"{ITEM_URL}{item_id}",
        title=title,
        summary=_summary(story),
        published=parse_time(story.get("created_at_i")) or parse_time(story.get("created_at")),
        guid=f"hn:{item_id}",
    )
    article = web_url(story.get("url"))
    if article and article.startswith(("https://news.ycombinator.com/", "http://news.ycombinator.com/")):
        article = None  # a link back into Hacker News is the discussion, not an article
    return post_and_article(post, article)


def _summary(story: Mapping[str, Any]) -> str:
    """The story's own text (Ask/Show HN, as HTML), then its standing on the site."""
    standing = f"{story.get('points') or 0} points, {story.get('num_comments') or 0} comments on Hacker News"
    if author := text(story.get("author")):
        standing += f", posted by {author}"
    return post_summary(text(story.get("story_text")), standing)


def _created(story: Mapping[str, Any]) -> int:
    return int(number(story.get("created_at_i")) or 0)


def _since(cursor: Cursor) -> int | None:
    value = number(cursor.get("created_at_i"))
    return int(value) if value is not None else None
