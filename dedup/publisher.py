"""Publisher identity: the organization an article originates from, as its registrable domain."""

from __future__ import annotations

import re
from functools import lru_cache

import tldextract

from dedup.urls import host_of

# The public-suffix list bundled with tldextract; never fetched (no network at run time),
# private section included so that e.g. blogspot and github.io sites are told apart.
_HOSTLIKE = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:/\S*)?$", re.I)
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@lru_cache(maxsize=65536)
def registrable_domain(host_or_url: str) -> str:
    """``https://www.bbc.co.uk/news/x`` → ``bbc.co.uk``; an IP or bare host is returned as is."""
    host = host_of(host_or_url) if "/" in host_or_url else host_or_url.lower().removeprefix("www.")
    extracted = _EXTRACT(host)
    return extracted.top_domain_under_public_suffix or host


def publisher_of(url: str, stated: str | None = None) -> str:
    """The publisher an entry names (a URL or a host name), else the article URL's registrable domain."""
    if stated and _HOSTLIKE.match(stated.strip()):
        return registrable_domain(stated.strip())
    return registrable_domain(url)
