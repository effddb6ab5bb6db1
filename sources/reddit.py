"""Reddit search through its JSON listing (``/search.json?q=...&sort=new``).

The answer is a ``Listing`` whose ``t3`` children are posts. Each post is a discovery hit at its
permalink; a link post whose target is an article (not Reddit itself or its image and video
hosts) also yields that article as a confirming hit found through the post. Reddit has no "newer
than" filter, so the cursor (the newest ``created_utc`` seen) only stops paging (``after``) once a
page reaches posts an earlier poll saw; known posts that come back are merged by URL downstream.
Without a cursor the first poll reads the newest page only and sets the mark.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
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
from sources.discussion import post_and_article, post_summary
from sources.jsonapi import number, query_int, web_url
from sources.jsonlist import load_json, parse_time, shape, text

SITE = "https://www.reddit.com"
# Hosts whose links are Reddit itself or media it hosts: a post linking them links no article.
MEDIA_HOSTS = ("reddit.com", "redd.it", "imgur.com")
_EXPECTED = "a Reddit Listing"


class RedditSearchAdapter(GetAdapter):
    """``reddit-search``: the query is ``options["query"]``, put in Reddit's ``q`` parameter."""

    kind: ClassVar[str] = "reddit-search"

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        first = super().request(spec, cursor)
        return Request(with_params(first.url, q=spec.options.get("query"), after=None, count=None))

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        listing = _listing(payload)
        after = text(listing.get("after"))
        posts = [c["data"] for c in _children(listing) if c.get("kind") == "t3" and isinstance(c.get("data"), Mapping)]
        since = number(cursor.get("created_utc"))
        if since is None or not after or not posts or any(_created(p) <= since for p in posts):
            return None
        seen = query_int(payload.url, "count") + len(posts)
        return Request(with_params(payload.url, after=after, count=seen))

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        hits: list[Hit] = []
        newest = 0.0
        others: Counter[str] = Counter()
        malformed = 0
        for child in _children(_listing(payload)):
            kind = text(child.get("kind")) or "unknown"
            if kind != "t3":
                others[kind] += 1
                continue
            post: Mapping[str, Any] = child["data"] if isinstance(child.get("data"), Mapping) else {}
            found = _post_hits(post)
            if not found:
                malformed += 1
                continue
            hits.extend(found)
            newest = max(newest, _created(post))
        warnings = [f"{malformed} posts without an id, title or permalink skipped"] if malformed else []
        if others:
            kinds = ", ".join(f"{n} {k}" for k, n in sorted(others.items()))
            warnings.append(f"children that are not posts skipped ({kinds})")
        return Parsed(hits, warnings, {"created_utc": newest} if newest else None)


def _listing(payload: Payload) -> Mapping[str, Any]:
    document = load_json(payload)
    if not isinstance(document, Mapping) or document.get("kind") != "Listing" or not isinstance(document.get("data"), Mapping):
        raise ParseError(f"not {_EXPECTED} (the JSON is {shape(document)})")
    listing: Mapping[str, Any] = document["data"]
    if not isinstance(listing.get("children"), list):
        raise ParseError(f"not {_EXPECTED} (its data has no children list: {shape(listing)})")
    return listing


def _children(listing: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c if isinstance(c, Mapping) else {} for c in listing["children"]]


def _post_hits(post: Mapping[str, Any]) -> list[Hit]:
    name, title, permalink = text(post.get("name")), text(post.get("title")), text(post.get("permalink"))
    if not name or not title or not permalink.startswith("/"):
        return []
    hit = Hit(
        url=f"{SITE}{permalink}",
        title=title,
        summary=_summary(post),
        published=parse_time(number(post.get("created_utc"))),
        guid=name,
    )
    return post_and_article(hit, None if post.get("is_self") is True else _article(post.get("url")))


def _article(value: Any) -> str | None:
    url = web_url(value)
    host = (urlsplit(url).hostname or "").lower() if url else ""
    if not url or any(host == media or host.endswith(f".{media}") for media in MEDIA_HOSTS):
        return None
    return url


def _summary(post: Mapping[str, Any]) -> str:
    """The post's own text, then where and how it stands on the site."""
    standing = f"{post.get('score') or 0} points, {post.get('num_comments') or 0} comments"
    if subreddit := text(post.get("subreddit")):
        standing += f" in r/{subreddit}"
    return post_summary(text(post.get("selftext")), standing)


def _created(post: Mapping[str, Any]) -> float:
    return number(post.get("created_utc")) or 0.0
