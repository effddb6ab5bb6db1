"""Publisher identity: the organization an article originates from, as its registrable domain."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from dedup.urls import host_of

# The public-suffix list bundled with tldextract; never fetched (no network at run time),
# private section included so that e.g. blogspot and github.io sites are told apart.
_HOSTLIKE = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:/\S*)?$", re.I)
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)

# Platforms where every author has a site of their own (and the public-suffix list does not say so):
# the author is the publisher, not the platform.
SHARED_HOSTS = frozenset({
    "substack.com", "medium.com", "wordpress.com", "tumblr.com", "ghost.io", "beehiiv.com", "hashnode.dev",
    "wixsite.com", "weebly.com", "livejournal.com", "notion.site", "write.as",
})
# Domains of one organization: they are one origin, whichever of them an article is under.
FAMILIES: dict[str, str] = {
    "bbc.com": "bbc.co.uk", "bbci.co.uk": "bbc.co.uk",
    "guardian.co.uk": "theguardian.com",
    "ap.org": "apnews.com",
    "reut.rs": "reuters.com",
    "nyti.ms": "nytimes.com",
    "wapo.st": "washingtonpost.com",
    "blog.google": "google.com", "googleblog.com": "google.com",
    "chatgpt.com": "openai.com",
    "claude.ai": "anthropic.com", "claude.com": "anthropic.com",
}


@lru_cache(maxsize=65536)
def registrable_domain(host_or_url: str) -> str:
    """``https://www.bbc.co.uk/news/x`` → ``bbc.co.uk``; an IP or bare host is returned as is."""
    host = host_of(host_or_url) if "/" in host_or_url else host_or_url.lower().removeprefix("www.")
    extracted = _EXTRACT(host)
    return extracted.top_domain_under_public_suffix or host


def publisher_of(url: str, stated: str | None = None) -> str:
    """The publisher an entry names (a URL or a host name), else the organization behind the article URL."""
    if stated and _HOSTLIKE.match(stated.strip()):
        return organization(stated.strip())
    return organization(url)


def organization(host_or_url: str) -> str:
    """The registrable domain, with an author's site on a shared platform kept apart (``alice.substack.com``,
    ``medium.com/@alice``) and an organization's several domains folded into one (``bbc.com`` → ``bbc.co.uk``)."""
    domain = registrable_domain(host_or_url)
    if domain not in SHARED_HOSTS:
        return FAMILIES.get(domain, domain)
    host = host_of(host_or_url) if "/" in host_or_url else host_or_url.lower().removeprefix("www.")
    if host != domain:
        return host
    author = next((part for part in urlsplit(host_or_url).path.split("/") if part.startswith("@")), None)
    return f"{domain}/{author.lower()}" if author and "/" in host_or_url else domain
