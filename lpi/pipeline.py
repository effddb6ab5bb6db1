"""One intake cycle as plain functions: poll → archive raw → parse → normalize → match → count → promote.

Nothing here imports Prefect; ``flows/`` wraps these same functions as tasks. Polling touches only
the network, ingesting and matching only the database, so polls can run concurrently while every
write stays a short transaction of its own.
"""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlmodel import Session

from dedup import (
    MatchSettings,
    OpenCluster,
    Placement,
    count_independent,
    matched_keywords,
    normalize,
)
from dedup.independence import evidence_of
from flows.schedules import stream_cadences
from lpi import matching
from lpi.config import Config
from lpi.health import OUTAGE_MARKER, is_network_failure, is_outage, source_health
from lpi.matching import seen_at
from lpi.summary import (
    CycleSummary,
    MatchReport,
    Outage,
    Parked,
    Promotion,
    SourceReport,
)
from review import decisions_for_matching, flag_for_another_look
from review.scope import in_scope_decisions, scope_with, state_for
from sources import (
    STREAMS,
    Adapter,
    Cursor,
    Fetcher,
    FetchError,
    ParseError,
    Payload,
    Request,
    Response,
    SourceSpec,
    UnknownKind,
    adapter_for,
)
from sources.freshness import fresh_for
from sources.submissions import read_submissions
from store import (
    Candidate,
    Cluster,
    ClusterMember,
    QueueState,
    ReviewerDecision,
    SourceState,
    match_index,
    now,
    repo,
    session_scope,
)

BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=6)  # a failing source is retried at least this often, never disabled
POLL_THREADS = 8
DEFAULT_MAX_PAGES = 5  # per poll, unless the adapter or the source's options say otherwise
DEFAULT_PAGE_DELAY = 1.0  # seconds between pages of one source


@dataclass(frozen=True)
class PollOutcome:
    """What polling one source produced: its pages, an error, or a reason it was not polled."""

    spec: SourceSpec
    started_at: datetime
    seconds: float = 0.0
    pages: tuple[Response, ...] = ()
    error: str | None = None
    retry_after: str | None = None
    skipped: str | None = None
    paging_cut: str | None = None  # why paging stopped before the adapter was done, if it did
    resume: Request | None = None  # the page to read next time when it did


def poll_source(spec: SourceSpec, state: SourceState | None, fetcher: Fetcher, *, force: bool = False) -> PollOutcome:
    """Fetch one source's pages with its saved validators and cursor; never raises for a source's own failure."""
    started = now()
    try:
        adapter = adapter_for(spec.kind)
    except UnknownKind as exc:
        return PollOutcome(spec, started, skipped=str(exc))
    if not spec.url:
        return PollOutcome(spec, started, skipped="no url configured")
    if state and state.next_check_at and state.next_check_at > started and not force:
        waiting = "backing off" if state.error_count else "fresh"  # after a success: its declared freshness
        return PollOutcome(spec, started, skipped=f"{waiting} until {state.next_check_at:%Y-%m-%d %H:%M} UTC")
    if spec.options.get("robots") == "ignore":  # an API we have permission to use
        fetcher = fetcher.ignoring_robots()
    clock = time.monotonic()
    use_cache = state is not None and not force
    cursor, backlog = split_cursor(load_cursor(state))
    resuming = backlog.get("resume")  # an earlier poll stopped paging: carry on down from there first
    try:
        first = fetcher.fetch(
            _request_from_json(resuming) if resuming else adapter.request(spec, cursor),
            etag=state.etag if use_cache and state and not resuming else None,
            last_modified=state.last_modified if use_cache and state and not resuming else None,
        )
    except FetchError as exc:
        return PollOutcome(spec, started, time.monotonic() - clock, error=str(exc), retry_after=exc.retry_after)
    pages: list[Response] = [first]
    cut = resume = None
    if not first.not_modified:
        cut, resume = _more_pages(adapter, spec, cursor, fetcher, pages)
    return PollOutcome(spec, started, time.monotonic() - clock, pages=tuple(pages), paging_cut=cut, resume=resume)


def _more_pages(
    adapter: Adapter, spec: SourceSpec, cursor: Cursor, fetcher: Fetcher, pages: list[Response]
) -> tuple[str | None, Request | None]:
    """Follow the adapter's paging up to the source's page limit, politely; a failing page ends paging.

    When paging stops early (the limit, a failed page) returns why and the request it did not make:
    the next poll starts there, so a backlog deeper than one poll is read down to known ground."""
    limit = int(spec.options.get("max_pages", getattr(adapter, "max_pages", DEFAULT_MAX_PAGES)))
    delay = float(spec.options.get("page_delay", getattr(adapter, "page_delay", DEFAULT_PAGE_DELAY)))
    while True:
        last = pages[-1]
        try:
            request = adapter.next_page(spec, Payload(last.body, last.final_url, last.content_type), cursor)
        except ParseError:
            return None, None  # the page is unreadable: ingesting it reports why
        if request is None:
            return None, None
        if len(pages) >= limit:
            return f"paging stopped after {limit} pages (max_pages); the next poll resumes there", request
        time.sleep(delay)
        try:
            pages.append(fetcher.fetch(request))
        except FetchError as exc:
            return f"paging stopped at page {len(pages) + 1} ({exc}); the next poll resumes there", request


def poll_concurrently(
    specs: list[SourceSpec], states: dict[str, SourceState], fetcher: Fetcher, force: bool
) -> Iterator[PollOutcome]:
    """Poll in a thread pool, yielding outcomes in configuration order."""
    with ThreadPoolExecutor(max_workers=POLL_THREADS, thread_name_prefix="poll") as pool:
        futures = [pool.submit(poll_source, s, states.get(s.source_id), fetcher, force=force) for s in specs]
        for future in futures:
            yield future.result()


def ingest(engine: Engine, outcome: PollOutcome) -> SourceReport:
    """Archive, parse and store one poll's pages; the source's hits and new state commit together."""
    spec = outcome.spec
    report = SourceReport(spec.source_id, spec.stream, "fetched", seconds=outcome.seconds)
    if outcome.skipped:
        report.status, report.message = "skipped", outcome.skipped
        return report
    if outcome.error or not outcome.pages:
        _record_failure(engine, spec, outcome.error or "no response", outcome.retry_after, outcome.started_at)
        report.status, report.message = "error", outcome.error or "no response"
        return report
    first = outcome.pages[0]
    if first.not_modified:
        with session_scope(engine) as session:
            state = _state(session, spec)
            _mark_success(state, first, outcome.started_at)
            repo.save_source_state(session, state)
        report.status = "not_modified"
        return report

    with session_scope(engine) as session:  # raw first: re-processable even if parsing fails
        shas = [_archive(session, spec, page, outcome.started_at) for page in outcome.pages]
    normalized: list[Normalized] = []
    for number, (page, sha) in enumerate(zip(outcome.pages, shas, strict=True), start=1):
        try:
            normalized.append(parse_and_normalize(spec, Payload(page.body, page.final_url, page.content_type), sha, outcome.started_at))
        except ParseError as exc:
            if number == 1:
                _record_failure(engine, spec, str(exc), None, outcome.started_at)
                report.status, report.message = "error", str(exc)
                return report
            report.warnings.append(f"page {number} unreadable, later pages ignored: {exc}")
            break
    candidates = [c for n in normalized for c in n.candidates]
    with session_scope(engine) as session:
        new_ids = repo.insert_new_candidates(session, candidates)
        state = _state(session, spec)
        _mark_success(state, first, outcome.started_at)
        if len(normalized) == len(outcome.pages):  # an unreadable page leaves the cursor where it was
            state.cursor = dump_cursor(_next_cursor(load_cursor(state), [n.cursor for n in normalized], outcome))
        if outcome.paging_cut:
            report.warnings.append(outcome.paging_cut)
        repo.save_source_state(session, state)
    report.new_hits = len(new_ids)
    report.known_hits = len(candidates) - len(new_ids)
    report.irrelevant = sum(n.irrelevant for n in normalized)
    report.warnings += [w for n in normalized for w in n.warnings]
    report.pages = len(normalized)
    return report


def _archive(session: Session, spec: SourceSpec, page: Response, at: datetime) -> str:
    return repo.archive_payload(
        session,
        source_id=spec.source_id,
        stream=spec.stream,
        url=page.url,
        final_url=page.final_url,
        redirects=page.redirects,
        status=page.status,
        headers=page.headers,
        body=page.body,
        fetched_at=at,
    )


@dataclass(frozen=True)
class Normalized:
    """One payload's relevant candidates, with what was dropped and what the adapter said."""

    candidates: list[Candidate]
    irrelevant: int
    warnings: list[str]
    cursor: Cursor | None


def parse_and_normalize(spec: SourceSpec, payload: Payload, sha: str, fetched_at: datetime) -> Normalized:
    """Parse a payload and normalize the hits that pass the stream's keyword filter."""
    try:
        parsed = adapter_for(spec.kind).parse(spec, payload)
    except ParseError:
        raise
    except Exception as exc:  # a parser bug must not take the cycle down; the raw bytes are kept
        raise ParseError(f"parser failed: {type(exc).__name__}: {exc}") from exc
    role = STREAMS[spec.stream].role.value
    candidates, irrelevant = [], 0
    for hit in parsed.hits:
        candidate = normalize(hit, spec, role, fetched_at, sha)
        if matched_keywords(spec.keywords, f"{candidate.title}\n{candidate.summary}"):
            candidates.append(candidate)
        else:
            irrelevant += 1
    return Normalized(candidates, irrelevant, parsed.warnings, parsed.cursor)


def load_cursor(state: SourceState | None) -> dict[str, Any]:
    """The polling state a source's last successful poll left ({} before the first)."""
    if state is None or not state.cursor:
        return {}
    loaded = json.loads(state.cursor)
    return loaded if isinstance(loaded, dict) else {}


def dump_cursor(cursor: Cursor) -> str | None:
    return json.dumps(cursor, sort_keys=True, default=str) if cursor else None


BACKLOG = "backlog"  # the pipeline's own key in a stored cursor; adapters never see it


def split_cursor(stored: Cursor) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the adapter's cursor, the pipeline's unfinished-paging state)."""
    cursor = dict(stored)
    return cursor, cursor.pop(BACKLOG, None) or {}


def _next_cursor(stored: Cursor, page_cursors: list[Cursor | None], outcome: PollOutcome) -> dict[str, Any]:
    """The cursor to store after a poll.

    Newest-first paging: the high-water mark may only move once every page down to known ground has
    been read. Until then the old mark stays, the newest mark seen waits as ``pending``, and ``resume``
    holds the next page to read; the poll that reaches known ground installs the pending mark."""
    cursor, backlog = split_cursor(stored)
    merged = dict(cursor)
    for page in reversed(page_cursors):  # later pages fill in, the first (newest) page has the last word
        merged.update(page or {})
    pending = {**merged, **backlog.get("pending", {})}
    if outcome.resume is None:
        return pending
    return {**cursor, BACKLOG: {"pending": pending, "resume": _request_to_json(outcome.resume)}}


def _request_to_json(request: Request) -> dict[str, Any]:
    body = base64.b64encode(request.body).decode() if request.body is not None else None
    return {"url": request.url, "method": request.method, "body": body, "headers": dict(request.headers)}


def _request_from_json(data: Mapping[str, Any]) -> Request:
    body = base64.b64decode(data["body"]) if data.get("body") is not None else None
    return Request(data["url"], data.get("method", "GET"), body, data.get("headers") or {})


def _state(session: Session, spec: SourceSpec) -> SourceState:
    state = session.get(SourceState, spec.source_id)
    return state or SourceState(source_id=spec.source_id, stream=spec.stream, url=spec.url or "")


def _mark_success(state: SourceState, response: Response, at: datetime) -> None:
    """Note a success; the source is next polled when the answer stops being fresh. A 304 keeps the
    freshness the full answer declared (a feed's <ttl> is in the body a 304 does not repeat)."""
    declared = fresh_for(response, at)
    if response.not_modified and not state.error_count and state.next_check_at and state.last_success_at:
        declared = max(declared, state.next_check_at - state.last_success_at)
    if response.status == 200:
        state.etag, state.last_modified = response.etag, response.last_modified
    state.last_status = response.status
    state.last_success_at = at
    state.error_count = 0
    state.next_check_at = at + declared if declared else None


def _record_failure(
    engine: Engine, spec: SourceSpec, message: str, retry_after: str | None, at: datetime, *, counted: bool = True
) -> None:
    """Record a failed poll; one not ``counted`` (our own outage) is noted without a failure or a backoff."""
    with session_scope(engine) as session:
        state = _state(session, spec)
        state.last_error, state.last_error_at = message[:2000], at
        if counted:
            if state.error_count == 0 or state.failing_since is None:
                state.failing_since = at
            state.error_count += 1
            state.next_check_at = at + backoff(state.error_count, retry_after, at)
        repo.save_source_state(session, state)


def record_outage(engine: Engine, outcome: PollOutcome) -> SourceReport:
    """A source left unreached while our network was down: noted on its state, never held against it."""
    message = outcome.error or "no response"
    _record_failure(engine, outcome.spec, OUTAGE_MARKER + message, None, outcome.started_at, counted=False)
    return SourceReport(outcome.spec.source_id, outcome.spec.stream, "outage", message=message, seconds=outcome.seconds)


def _over_network(outcome: PollOutcome) -> bool:
    return not outcome.skipped and urlsplit(outcome.spec.url or "").scheme in ("http", "https")


def backoff(failures: int, retry_after: str | None, at: datetime) -> timedelta:
    """Capped exponential backoff with jitter; a longer Retry-After from the server wins."""
    doublings = min(max(failures - 1, 0), 20)  # 2**20 base periods is far past the cap already
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2**doublings) * random.uniform(0.8, 1.2)
    return max(delay, _retry_after(retry_after, at))


def _retry_after(value: str | None, at: datetime) -> timedelta:
    if not value:
        return timedelta(0)
    if value.strip().isdigit():
        return timedelta(seconds=min(int(value), int(BACKOFF_CAP.total_seconds())))
    try:
        return min(BACKOFF_CAP, max(timedelta(0), parsedate_to_datetime(value) - at))
    except (TypeError, ValueError):
        return timedelta(0)


def match_and_promote(engine: Engine, settings: MatchSettings) -> MatchReport:
    """Cluster every candidate not yet in a cluster (lpi.matching: the same placement as ``lpi
    cluster-file``, against what earlier runs kept), recount the clusters touched, promote at two."""
    report = MatchReport()
    matching.index_store(engine, settings)
    with session_scope(engine) as session:
        repo.lock_for_matching(session)
        pending = repo.unclustered_candidates(session)
        if not pending:
            return report
        decisions = decisions_for_matching(session)  # a reviewer's split or "not the same" stands
        placements = matching.placements(session, pending, settings, decisions.may_join)
        at = now()
        rows = _store_placements(session, placements, pending, at)
        matching.keep(session, placements, settings, {cluster: row.id for cluster, row in rows.items() if row.id})
        touched = {row.id: row for row in rows.values() if row.id}
        report.clustered, report.new_clusters = len(placements), sum(p.founded for p in placements)
        session.flush()
        read = Recounting.of(session, sorted(touched))
        for cluster_id in sorted(touched):
            cluster = touched[cluster_id]
            was = cluster.state
            if promotion := recount(session, cluster, at, settings=settings, read=read):
                report.promoted.append(promotion)
            elif cluster.state is QueueState.EXCLUDED and was is not QueueState.EXCLUDED and cluster.independent_count >= 2:
                report.parked.append(Parked(cluster_id, cluster.title))  # would have been promoted
    return report


def _store_placements(
    session: Session, placements: list[Placement], pending: list[Candidate], at: datetime
) -> dict[OpenCluster, Cluster]:
    """Write where each hit went (the clusters founded go in together, in placement order) and
    return the row of each cluster placed into."""
    by_id: dict[Hashable, Candidate] = {c.id: c for c in pending}
    opened: dict[OpenCluster, Cluster] = {}
    for placement in placements:
        if placement.founded:
            founder = by_id[placement.hit.key]
            seen = seen_at(founder)
            opened[placement.cluster] = Cluster(title=founder.title, first_seen_at=seen, last_seen_at=seen)
    session.add_all(opened.values())
    session.flush()
    joined = {ref for p in placements if p.cluster not in opened and isinstance(ref := p.cluster.ref, int)}
    stored: dict[Hashable, Cluster] = dict(repo.clusters_by_id(session, joined).items())
    rows: dict[OpenCluster, Cluster] = {}
    for placement in placements:
        candidate = by_id[placement.hit.key]
        cluster = rows[placement.cluster] = opened.get(placement.cluster) or stored[placement.cluster.ref]
        cluster.last_seen_at = max(cluster.last_seen_at, seen_at(candidate))
        repo.add_member(session, cluster, candidate, placement.score, at)
    return rows


@dataclass(frozen=True)
class Recounting:
    """What recounting clusters reads: their members and in-scope decisions, for all at once."""

    members: dict[int, list[tuple[Candidate, ClusterMember]]]
    in_scope: dict[int, ReviewerDecision]

    @classmethod
    def of(cls, session: Session, cluster_ids: Sequence[int]) -> Recounting:
        return cls(repo.members_of_clusters(session, cluster_ids), in_scope_decisions(session, cluster_ids))


def recount(
    session: Session, cluster: Cluster, at: datetime, *, settings: MatchSettings, read: Recounting | None = None
) -> Promotion | None:
    """Recompute a cluster's independent count and explanation; return a promotion if it just happened.

    The explanation also lists the members that joined on a similarity just above the threshold
    (``near_threshold``): the joins a reviewer should check first, and each member's scope. A
    cluster whose confirming members are all out of scope is parked as out of scope instead of
    queued, until in-scope evidence arrives or a reviewer says it is in scope after all."""
    assert cluster.id is not None
    read = read or Recounting.of(session, [cluster.id])
    rows = read.members.get(cluster.id, [])
    members = [candidate for candidate, _ in rows]
    count = count_independent(evidence_of(members))
    cluster.independent_count = count.independent
    near = [
        {"candidate": c.id, "score": round(m.score, 3)}
        for c, m in rows
        if m.added_by == "auto" and settings.is_near(m.score)
    ]
    scope = scope_with(members, read.in_scope.get(cluster.id))
    cluster.explanation = {**count.explanation(), "near_threshold": near, "scope": scope.explanation()}
    cluster.aiid_id = cluster.aiid_id or next(
        (ids[0] for c in members if (ids := c.entities.get("aiid_ids"))), None
    )
    flag_for_another_look(session, cluster, at)  # a rejected cluster with a new independent origin
    if cluster.state not in (QueueState.LEAD, QueueState.WATCHED, QueueState.EXCLUDED):
        return None  # promoted already, or a reviewer's decision stands
    state = state_for(count.independent, out_of_scope=scope.out)
    if state is QueueState.LEAD and cluster.state is QueueState.WATCHED:
        return None  # counting never takes a watched cluster back
    cluster.state = state
    if state is QueueState.PROMOTED:
        cluster.promoted_at = at
        return Promotion(cluster.id, cluster.title, list(count.origins))
    return None


@dataclass
class ReprocessReport:
    """What re-reading the archive did: hits added, stored hits brought up to date, clusters recounted."""

    payloads: int
    new_hits: int
    updated: int  # stored hits whose normalized fields changed
    recounted: int  # clusters recounted because one of their members changed
    errors: list[str]
    recount_promotions: list[Promotion]
    match: MatchReport  # the matching of the new hits

    @property
    def promoted(self) -> list[Promotion]:
        return [*self.recount_promotions, *self.match.promoted]


# What parsing and normalizing decide about a hit, and so what reprocessing brings up to date. The
# key, stream, source and fetch time stay: they say which hit it is and when it was first seen.
RENORMALIZED = (
    "role", "url", "original_url", "via_url", "publisher", "title", "summary", "language", "entities",
    "scope_score", "in_scope", "scope_reasons", "fingerprint",
)


def reprocess(config: Config, engine: Engine, streams: list[str] | None = None) -> ReprocessReport:
    """Parse and normalize every archived payload again, without fetching (after a parser, the
    normalizer or the configuration improved). Hits not stored yet are added and matched; stored hits
    take what the newest archived payload holding them now gives, and the clusters of those that
    changed are recounted. Ids and cluster membership stay, and running it again changes nothing."""
    specs = {spec.source_id: spec for spec in config.sources(streams)}
    with session_scope(engine) as session:
        payloads = repo.raw_payloads(session, list(specs))
    newest: dict[tuple[str, str], Candidate] = {}  # (source, key) → as the newest payload holding it gives it
    errors = []
    for raw in payloads:  # oldest first, so a later payload's version of a hit replaces an earlier one's
        with session_scope(engine) as session:
            body = repo.read_blob(session, raw.sha256)
        try:
            normalized = parse_and_normalize(
                specs[raw.source_id], Payload(body, raw.final_url, raw.content_type), raw.sha256, raw.fetched_at
            )
        except ParseError as exc:
            errors.append(f"{raw.source_id} payload {raw.sha256[:12]}: {exc}")
            continue
        newest.update(((c.source_id, c.key), c) for c in normalized.candidates)
    with session_scope(engine) as session:
        repo.lock_for_matching(session)  # recounting writes clusters, as matching does
        new_hits = len(repo.insert_new_candidates(session, list(newest.values())))
        changed = _update_stored(session, newest.values())
        clusters = _clusters_following(session, changed)
        session.flush()
        match_index.forget(session, [c.candidate_id for c in changed])  # what matching kept of their old text
        matching.index_unkept(session, config.matching)
        at = now()
        read = Recounting.of(session, [c.id for c in clusters if c.id is not None])
        promotions = [p for c in clusters if (p := recount(session, c, at, settings=config.matching, read=read))]
    match = match_and_promote(engine, config.matching)
    return ReprocessReport(len(payloads), new_hits, len(changed), len(clusters), errors, promotions, match)


@dataclass(frozen=True)
class _Changed:
    candidate_id: int
    old_title: str
    new_title: str
    cluster_id: int | None


def _update_stored(session: Session, fresh: Iterable[Candidate]) -> list[_Changed]:
    """Give stored candidates their re-normalized fields (and the payload those came from).

    Only the source that stored a hit updates it: another source may carry the same article. An
    undated hit keeps the date it was first stored with, since a newer payload's fetch time is only
    a later fetch; the date in its URL (dedup.normalize) is taken."""
    fresh = list(fresh)
    stored = repo.candidates_by_key(session, [c.key for c in fresh])
    changed = []
    for candidate in fresh:
        current, cluster_id = stored.get(candidate.key, (None, None))
        if current is None or current.source_id != candidate.source_id:
            continue
        values = {name: getattr(candidate, name) for name in RENORMALIZED}
        if not candidate.published_is_fallback or candidate.published_at != candidate.fetched_at:  # stated, or in its URL
            values |= {"published_at": candidate.published_at, "published_is_fallback": candidate.published_is_fallback}
        updates = {name: value for name, value in values.items() if getattr(current, name) != value}
        if updates:
            assert current.id is not None
            changed.append(_Changed(current.id, current.title, updates.get("title", current.title), cluster_id))
            for name, value in (updates | {"raw_sha256": candidate.raw_sha256}).items():
                setattr(current, name, value)
    return changed


def _clusters_following(session: Session, changed: list[_Changed]) -> list[Cluster]:
    """The clusters of changed candidates, with what they take from their members brought along:
    the times the members were seen (which bound matching), and the title if it was a changed
    member's old one."""
    clusters: dict[int, Cluster] = {}
    for change in changed:
        if change.cluster_id is None:
            continue
        cluster = clusters.get(change.cluster_id) or session.get(Cluster, change.cluster_id)
        assert cluster is not None
        clusters[change.cluster_id] = cluster
        if cluster.title == change.old_title:
            cluster.title = change.new_title
    for cluster_id, cluster in clusters.items():
        seen = [seen_at(candidate) for candidate, _ in repo.cluster_members(session, cluster_id)]
        cluster.first_seen_at, cluster.last_seen_at = min(seen), max(seen)
    return list(clusters.values())


def run_cycle(
    config: Config,
    engine: Engine,
    streams: list[str] | None = None,
    *,
    sources: list[str] | None = None,
    force: bool = False,
    poll_many: Callable[[list[SourceSpec], dict[str, SourceState], Fetcher, bool], Iterable[PollOutcome]] = poll_concurrently,
    ingest_one: Callable[[Engine, PollOutcome], SourceReport] = ingest,
    match: Callable[[Engine, MatchSettings], MatchReport] = match_and_promote,
    on_source: Callable[[SourceReport], None] | None = None,
    cadences: Mapping[str, str] | None = None,
) -> CycleSummary:
    """Run one intake cycle over ``streams`` (all configured streams when None), or only over the
    sources of those streams named in ``sources``.

    The step functions are parameters so that the Prefect flows can pass task-wrapped versions of
    these very functions; the order of the steps is defined here once. Polls that reached no server
    wait until every poll is in: if no source polled over the network was reached, our network was
    down, and that is one outage rather than a failure of each source. ``cadences`` (stream →
    cadence, default: deployments.yaml) decide which of the cycle's sources the summary calls stale.
    """
    started = now()
    specs = config.sources(streams, sources)
    with session_scope(engine) as session:
        states = repo.source_states(session, [s.source_id for s in specs])
    reports: list[SourceReport] = []

    def finish(report: SourceReport) -> None:
        reports.append(report)
        if on_source:
            on_source(report)

    unreached: list[PollOutcome] = []
    reached = 0
    with Fetcher(config.fetch, local={"lpi": partial(read_submissions, engine)}) as fetcher:
        for outcome in poll_many(specs, states, fetcher, force):
            if outcome.error and is_network_failure(outcome.error):
                unreached.append(outcome)
                continue
            reached += _over_network(outcome)
            finish(ingest_one(engine, outcome))
    outage = is_outage(len(unreached), reached)
    for outcome in unreached:
        finish(record_outage(engine, outcome) if outage else ingest_one(engine, outcome))
    matched = match(engine, config.matching)
    with session_scope(engine) as session:
        healths = source_health(session, specs, stream_cadences() if cadences is None else cadences, now())
    return CycleSummary(
        started,
        now(),
        reports,
        matched,
        stale=[h.stale_source() for h in healths if h.stale],
        outage=Outage([o.spec.source_id for o in unreached], unreached[0].error or "") if outage else None,
    )
