"""The review queues as reviewers see them: the verification queue (promoted: two or more
independent sources), rejected clusters flagged for another look, and the watched list (one source),
with filters and an order of work. Clusters parked out of scope are no queue item, but are listed on
request, with why, so that a reviewer can bring one back (review.in_scope)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from review.claims import live_holder
from review.hints import hints_for
from review.scope import why_out
from review.vocabulary import CATEGORIES
from store import Candidate, Cluster, QueueState, now, repo


class Section(StrEnum):
    VERIFICATION = "verification"  # promoted
    ANOTHER_LOOK = "another look"  # rejected, with independent evidence the rejection did not see
    WATCHED = "watched"  # one independent source: waits for a second
    OUT_OF_SCOPE = "out of scope"  # confirming evidence all out of scope: listed only when asked for


class Order(StrEnum):
    INDEPENDENT = "independent"  # most independent sources first, then most recently seen
    OLDEST = "oldest"  # longest known first
    NEWEST = "newest"  # most recently seen first
    ID = "id"


QUEUE_STATES = (QueueState.PROMOTED, QueueState.REJECTED, QueueState.WATCHED)
LISTED_STATES = (*QUEUE_STATES, QueueState.EXCLUDED)  # what may be asked for; the queue is the default


@dataclass(frozen=True)
class QueueFilter:
    """Which queue items to list. ``states`` may hold promoted, watched and rejected (rejected means
    those flagged for another look), and out-of-scope; age is counted from the first time the
    incident was seen."""

    states: tuple[QueueState, ...] = QUEUE_STATES
    streams: tuple[str, ...] = ()  # at least one member from one of these streams
    category: str | None = None  # a category hinted by the evidence (slug or label)
    min_age: timedelta | None = None
    max_age: timedelta | None = None
    min_independent: int | None = None
    max_independent: int | None = None
    unclaimed: bool = False  # leave out items someone holds a live claim on
    order: Order = Order.INDEPENDENT


@dataclass(frozen=True)
class QueueItem:
    cluster_id: int
    section: Section
    state: QueueState
    title: str
    independent: int
    members: int
    origins: list[str]
    streams: list[str]
    category_hints: list[str]
    first_seen: datetime
    last_seen: datetime
    age: timedelta
    claimed_by: str | None  # live claims only
    claimed_until: datetime | None
    another_look: str | None
    aiid_id: str | None
    out_of_scope: str | None  # why, for a cluster parked out of scope (review.scope.why_out)


def list_queue(session: Session, wanted: QueueFilter | None = None, *, at: datetime | None = None) -> list[QueueItem]:
    """The items that pass ``wanted`` (default: every queue item), in its order. ValueError for an
    unknown category or state."""
    at = at or now()
    wanted = wanted or QueueFilter()
    if strays := [s.value for s in wanted.states if s not in LISTED_STATES]:
        raise ValueError(f"not a queue state: {', '.join(strays)}; one of: {', '.join(s.value for s in LISTED_STATES)}")
    category = CATEGORIES.resolve(wanted.category).slug if wanted.category else None
    clusters = [c for c in repo.queue(session, wanted.states) if _section(c) is not None]
    members = repo.members_of(session, [c.id for c in clusters if c.id is not None])
    items = [_item(c, members.get(c.id or 0, []), at) for c in clusters]
    kept = [item for item in items if _passes(item, wanted, category)]
    return sorted(kept, key=_ORDERS[wanted.order])


def _section(cluster: Cluster) -> Section | None:
    if cluster.state is QueueState.PROMOTED:
        return Section.VERIFICATION
    if cluster.state is QueueState.WATCHED:
        return Section.WATCHED
    if cluster.state is QueueState.EXCLUDED:
        return Section.OUT_OF_SCOPE
    return Section.ANOTHER_LOOK if cluster.state is QueueState.REJECTED and cluster.another_look else None


def _item(cluster: Cluster, members: list[Candidate], at: datetime) -> QueueItem:
    section = _section(cluster)
    assert cluster.id is not None and section is not None
    holder = live_holder(cluster, at)
    return QueueItem(
        cluster_id=cluster.id,
        section=section,
        state=cluster.state,
        title=cluster.title,
        independent=cluster.independent_count,
        members=len(members),
        origins=[o["origin"] for o in cluster.explanation.get("origins", [])],
        streams=sorted({m.stream for m in members}),
        category_hints=hints_for(members).categories,
        first_seen=cluster.first_seen_at,
        last_seen=cluster.last_seen_at,
        age=at - cluster.first_seen_at,
        claimed_by=holder,
        claimed_until=cluster.claimed_until if holder else None,
        another_look=cluster.another_look,
        aiid_id=cluster.aiid_id,
        out_of_scope=why_out(cluster.explanation),
    )


def _passes(item: QueueItem, wanted: QueueFilter, category: str | None) -> bool:
    checks = (
        not wanted.streams or bool(set(wanted.streams) & set(item.streams)),
        category is None or category in item.category_hints,
        wanted.min_age is None or item.age >= wanted.min_age,
        wanted.max_age is None or item.age <= wanted.max_age,
        wanted.min_independent is None or item.independent >= wanted.min_independent,
        wanted.max_independent is None or item.independent <= wanted.max_independent,
        not (wanted.unclaimed and item.claimed_by),
    )
    return all(checks)


_SECTION_RANK = {Section.VERIFICATION: 0, Section.ANOTHER_LOOK: 1, Section.WATCHED: 2, Section.OUT_OF_SCOPE: 3}
_ORDERS: dict[Order, Callable[[QueueItem], tuple[object, ...]]] = {
    Order.INDEPENDENT: lambda i: (_SECTION_RANK[i.section], -i.independent, -i.last_seen.timestamp(), i.cluster_id),
    Order.OLDEST: lambda i: (_SECTION_RANK[i.section], i.first_seen, i.cluster_id),
    Order.NEWEST: lambda i: (_SECTION_RANK[i.section], -i.last_seen.timestamp(), i.cluster_id),
    Order.ID: lambda i: (_SECTION_RANK[i.section], i.cluster_id),
}
