"""HackerOne's public hacktivity: disclosed reports, through the (unauthenticated, undocumented)
GraphQL endpoint its own hacktivity page uses.

The query is the page's current ``HacktivitySearchQuery``: ``search(index:
CompleteHacktivityReportIndex, query_string:, from:, size:, sort:)`` answering
``data.search.nodes`` of ``HacktivityDocument`` (report, team, ``cwe``, ``severity_rating``,
``cve_ids``); HackerOne replaced the older ``hacktivity_items`` connection with it. The Lucene
query string is ``options["query"]`` (default ``disclosed:true``). One poll reads the 100 newest
disclosures: the platform discloses some tens of reports a week, so a weekly poll reaches back
past the last one, and known reports merge by URL downstream. Only AI programmes and AI weaknesses
are kept (:mod:`sources.bounty`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from sources.base import Cursor, Hit, Parsed, ParseError, Payload, Request, SourceSpec
from sources.bounty import AiScope
from sources.jsonlist import dig, items_at, load_json, parse_time, text

REPORT_URL = "https://hackerone.com/reports/"
# AI vendors' programmes on HackerOne: Anthropic's disclosure programme (its docs link anthropic-vdp)
# and its bug bounty (anthropic). Other vendors run theirs elsewhere (OpenAI on Bugcrowd).
AI_PROGRAMMES = ("anthropic", "anthropic-vdp")
PAGE_SIZE = 100
QUERY = """query HacktivitySearchQuery($queryString: String!, $from: Int, $size: Int, $sort: SortInput!) {
  search(index: CompleteHacktivityReportIndex, query_string: $queryString, from: $from, size: $size, sort: $sort) {
    total_count
    nodes {
      __typename
      ... on HacktivityDocument {
        _id
        cwe
        cve_ids
        severity_rating
        team { handle name }
        report { databaseId: _id title url substate disclosed_at report_generated_content { hacktivity_summary } }
      }
    }
  }
}"""
_EXPECTED = "a HackerOne hacktivity search result"


class HackerOneHacktivityAdapter:
    """``hackerone-hacktivity``: POSTs the search to ``spec.url`` (https://hackerone.com/graphql)."""

    kind: ClassVar[str] = "hackerone-hacktivity"

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        variables = {
            "queryString": text(spec.options.get("query")) or "disclosed:true",
            "from": 0,
            "size": PAGE_SIZE,
            "sort": {"field": "disclosed_at", "direction": "DESC"},
        }
        body = {"operationName": "HacktivitySearchQuery", "variables": variables, "query": QUERY}
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        return Request(spec.endpoint, "POST", json.dumps(body).encode(), headers)

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        return None

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        document = load_json(payload)
        if dig(document, "data.search") is None and isinstance(dig(document, "errors"), list):
            messages = "; ".join(text(dig(e, "message")) for e in document["errors"]) or "no message"
            raise ParseError(f"HackerOne answered with GraphQL errors instead of results: {messages}")
        scope = AiScope.of(spec, AI_PROGRAMMES)
        hits: list[Hit] = []
        untitled = 0
        for node in items_at(document, "data.search.nodes", _EXPECTED):
            hit = _report_hit(node) if isinstance(node, Mapping) else None
            if hit is None:
                untitled += 1
            elif scope.covers(text(dig(node, "team.handle")), hit.title, _weakness(node), text(dig(node, "team.name"))):
                hits.append(hit)
        warnings = [f"{untitled} entries without a report id or title skipped"] if untitled else []
        return Parsed(hits, warnings)


def _report_hit(node: Mapping[str, Any]) -> Hit | None:
    report = node.get("report")
    report_id = text(dig(report, "databaseId")) or text(node.get("_id"))
    title = text(dig(report, "title"))
    if not report_id or not title:
        return None  # hacktivity lists undisclosed reports too: a bounty line without a title
    cves = [c for c in (text(v).upper() for v in node.get("cve_ids") or ()) if c]
    return Hit(
        url=f"{REPORT_URL}{report_id}",
        title=title,
        summary=_summary(node),
        published=parse_time(dig(report, "disclosed_at")),
        guid=f"hackerone:{report_id}",
        entities={"cves": cves} if cves else {},
    )


def _summary(node: Mapping[str, Any]) -> str:
    """Who disclosed what: programme, weakness, severity, state, then HackerOne's own summary."""
    team = text(dig(node, "team.name")) or text(dig(node, "team.handle")) or "an unnamed programme"
    facts = [f"Disclosed on HackerOne by {team}"]
    for label, value in (
        ("weakness", _weakness(node)),
        ("severity", text(node.get("severity_rating"))),
        ("state", text(dig(node, "report.substate"))),
    ):
        if value:
            facts.append(f"{label}: {value}")
    line = "; ".join(facts) + "."
    generated = text(dig(node, "report.report_generated_content.hacktivity_summary"))
    return f"{line}\n\n{generated}" if generated else line


def _weakness(node: Mapping[str, Any]) -> str:
    """``cwe`` is the weakness name on the current index; older answers had ``weakness.name``."""
    return text(node.get("cwe")) or text(dig(node, "weakness.name"))
