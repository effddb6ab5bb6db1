"""Source kinds and the adapter that handles each; the one place an operator registers a new kind."""

from __future__ import annotations

from sources.aiid import AiidGraphqlAdapter
from sources.arxiv import ArxivAdapter
from sources.avi import AviExportAdapter
from sources.base import Adapter
from sources.bugcrowd import BugcrowdDisclosuresAdapter
from sources.courtlistener import CourtListenerSearchAdapter
from sources.crossref import CrossrefAdapter
from sources.feeds import FeedAdapter
from sources.hackerone import HackerOneHacktivityAdapter
from sources.hn import HackerNewsAdapter
from sources.html_listing import HtmlListingAdapter
from sources.jsonlist import JsonListAdapter
from sources.pacer import PacerRssAdapter
from sources.reddit import RedditSearchAdapter
from sources.statuspage import StatuspageAdapter
from sources.submissions import SubmissionsAdapter

ADAPTERS: dict[str, Adapter] = {
    adapter.kind: adapter
    for adapter in (
        FeedAdapter(),
        CourtListenerSearchAdapter(),
        PacerRssAdapter(),
        ArxivAdapter(),
        CrossrefAdapter(),
        JsonListAdapter(),
        SubmissionsAdapter(),
        HackerNewsAdapter(),
        RedditSearchAdapter(),
        HackerOneHacktivityAdapter(),
        BugcrowdDisclosuresAdapter(),
        AviExportAdapter(),
        StatuspageAdapter(),
        HtmlListingAdapter(),
        AiidGraphqlAdapter(),
    )
}


class UnknownKind(LookupError):
    pass


def adapter_for(kind: str) -> Adapter:
    try:
        return ADAPTERS[kind]
    except KeyError:
        raise UnknownKind(f"no adapter handles sources of kind {kind!r} yet") from None
