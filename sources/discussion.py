"""Posts on discussion sites (Hacker News, Reddit). The post itself is a discovery hit and never
counts as a source; the article it links is an ordinary publication, found through the post, and
counts as a confirming source of its own publisher. A link to another social or video post is not an
article: it stays discovery too (a single tweet is not confirmation, says the methodology)."""

from __future__ import annotations

from urllib.parse import urlsplit

from sources.base import Hit
from sources.streams import Role

SOCIAL_HOSTS = frozenset({
    "youtube.com", "youtu.be", "x.com", "twitter.com", "facebook.com", "instagram.com", "tiktok.com",
    "threads.net", "bsky.app", "linkedin.com", "mastodon.social", "t.me", "discord.com", "twitch.tv",
})


def is_social(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == social or host.endswith("." + social) for social in SOCIAL_HOSTS)


def post_and_article(post: Hit, article_url: str | None) -> list[Hit]:
    """The post, then the article it links (titled as the post is, since that title names it).

    The article's own date is unknown here; the post's time is an upper bound close to it.
    """
    if not article_url:
        return [post]
    role = Role.DISCOVERY if is_social(article_url) else Role.CONFIRMING
    article = Hit(url=article_url, title=post.title, published=post.published, role=role.value, via=post.url)
    return [post, article]


def post_summary(body: str, standing: str) -> str:
    """A post's own text (if any), then how it stands on its site."""
    return f"{body}\n\n{standing}" if body else standing
