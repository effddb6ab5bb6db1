"""Source health: which sources still deliver, and which went quiet without anyone noticing.

A source is *stale* when it has had no successful poll for twice its stream's cadence, or no new
hits for far longer than it usually goes between hits. A cycle in which every source polled over
the network failed to reach its server is one *outage* of our own network, not a failure of each
source. Everything here is a pure function of stored facts and a clock, except ``source_health``,
the one function that reads those facts from the store.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlmodel import Session

from lpi.summary import StaleSource, markdown_cell, stale_section
from sources import SourceSpec
from store import SourceState, repo

CADENCE_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7), "continuous": timedelta(minutes=10)}
# Twice a 10-minute cadence is 20 minutes: one transient error's backoff (5, then 10, then 20 minutes)
# already spans that, so a continuous stream would turn stale after a single hiccup. An hour is
# several missed polls in a row.
STALE_FLOOR = timedelta(hours=1)
RATE_WINDOW = timedelta(days=30)  # hits per day are counted over this window
GAP_HISTORY = 50  # newest polls that brought hits, from which a source's usual gap is learnt
MIN_GAPS = 5  # fewer gaps than this say nothing about what is usual
SILENCE_FACTOR = 4  # "far longer than usual": this many times the usual gap
OUTAGE_MIN_SOURCES = 2  # one unreachable source alone cannot tell our network from its server
OUTAGE_MARKER = "network outage: "  # on last_error of a source left unreached (never counted against it)
# The fetcher's messages for failures before any server answered: no connection (refused, no route,
# DNS) or a timeout.
_NETWORK_PREFIXES = (f"{httpx.ConnectError.__name__}:", "timed out (")


@dataclass(frozen=True)
class HitHistory:
    """What the store knows of a source's relevant hits (candidates, by fetch time)."""

    recent: int = 0  # hits within RATE_WINDOW
    first_at: datetime | None = None
    last_at: datetime | None = None
    poll_times: tuple[datetime, ...] = ()  # the newest polls that brought hits, oldest first


@dataclass(frozen=True)
class SourceHealth:
    source_id: str
    stream: str
    cadence: str
    polled: bool  # has a stored state: it was polled at least once
    last_success_at: datetime | None
    error_count: int  # consecutive failures
    failing_since: datetime | None  # start of the current run of failures, when there is one
    last_error: str | None
    next_check_at: datetime | None  # not polled before then: backing off, or its last answer is fresh
    hits_per_day: float
    last_hit_at: datetime | None
    usual_gap: timedelta | None  # between polls that brought hits; None until there is enough history
    stale: tuple[str, ...]  # why it is stale; empty when it is not

    @property
    def status(self) -> str:
        """stale | failing | ok | never polled."""
        if self.stale:
            return "stale"
        if self.error_count:
            return "failing"
        return "ok" if self.polled else "never polled"

    @property
    def status_text(self) -> str:
        return f"STALE: {'; '.join(self.stale)}" if self.stale else self.status

    def stale_source(self) -> StaleSource:
        return StaleSource(self.source_id, self.stream, list(self.stale))


def cadence_period(cadence: str) -> timedelta | None:
    """How often a stream of this cadence is polled; None when it has no regular schedule."""
    return CADENCE_PERIODS.get(cadence)


def success_limit(cadence: str) -> timedelta | None:
    """How long a source may go without a successful poll: twice its cadence, at least STALE_FLOOR."""
    period = cadence_period(cadence)
    return max(2 * period, STALE_FLOOR) if period else None


def usual_gap(poll_times: Sequence[datetime]) -> timedelta | None:
    """The upper quartile of the gaps between polls that brought hits (the median would call a
    bursty source's ordinary quiet spells unusual); None with fewer than MIN_GAPS gaps."""
    ordered = sorted(poll_times)
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(ordered)]
    if len(gaps) < MIN_GAPS:
        return None
    return timedelta(seconds=statistics.quantiles(gaps, n=4, method="inclusive")[2])


def hits_per_day(hits: HitHistory, at: datetime) -> float:
    """Hits per day over RATE_WINDOW, or over the time since the first hit when that is shorter."""
    if hits.first_at is None:
        return 0.0
    window = min(RATE_WINDOW, at - hits.first_at)
    return hits.recent / max(window / timedelta(days=1), 1.0)


def owed_since(state: SourceState) -> datetime | None:
    """Since when a source has owed a successful poll: its last success, or the end of the freshness
    that success declared (no source is polled while its answer is fresh); for a source that never
    succeeded, its first failure. None when nothing is owed yet."""
    if state.last_success_at is None:
        return state.failing_since if state.error_count else None
    if state.error_count == 0 and state.next_check_at:  # after a success: fresh until then
        return max(state.last_success_at, state.next_check_at)
    return state.last_success_at


def stale_reasons(state: SourceState | None, hits: HitHistory, cadence: str, at: datetime) -> tuple[str, ...]:
    """Why a source is stale at ``at``, in words a maintainer can act on; empty when it is not."""
    reasons = []
    limit = success_limit(cadence)
    owed = owed_since(state) if state else None
    if limit and state and owed and at - owed > limit:
        expected = f"({cadence}: expected within {span(limit)})"
        if state.last_success_at:
            reasons.append(f"no successful poll for {span(at - state.last_success_at)} {expected}")
        else:
            reasons.append(f"never polled successfully, failing for {span(at - owed)} {expected}")
    usual = usual_gap(hits.poll_times)
    if usual and hits.last_at:
        allowed = max(SILENCE_FACTOR * usual, limit or timedelta(0))
        if at - hits.last_at > allowed:
            reasons.append(f"no new hits for {span(at - hits.last_at)} (usually {span(usual)} or less between hits)")
    return tuple(reasons)


def assess(spec: SourceSpec, state: SourceState | None, hits: HitHistory, cadence: str, at: datetime) -> SourceHealth:
    failing = state is not None and state.error_count > 0
    return SourceHealth(
        source_id=spec.source_id,
        stream=spec.stream,
        cadence=cadence,
        polled=state is not None,
        last_success_at=state.last_success_at if state else None,
        error_count=state.error_count if state else 0,
        failing_since=state.failing_since if state and failing else None,
        last_error=state.last_error if state else None,
        next_check_at=state.next_check_at if state else None,
        hits_per_day=hits_per_day(hits, at),
        last_hit_at=hits.last_at,
        usual_gap=usual_gap(hits.poll_times),
        stale=stale_reasons(state, hits, cadence, at),
    )


def source_health(session: Session, specs: Iterable[SourceSpec], cadences: Mapping[str, str], at: datetime) -> list[SourceHealth]:
    """The health of ``specs`` at ``at``, read from the store; ``cadences`` maps stream → cadence."""
    specs = list(specs)
    states = repo.source_states(session, [s.source_id for s in specs])
    totals = repo.hit_totals(session, since=at - RATE_WINDOW)
    times = repo.recent_hit_times(session, GAP_HISTORY)
    healths = []
    for spec in specs:
        recent, first, last = totals.get(spec.source_id, (0, None, None))
        hits = HitHistory(recent, first, last, tuple(times.get(spec.source_id, ())))
        healths.append(assess(spec, states.get(spec.source_id), hits, cadences.get(spec.stream, "not scheduled"), at))
    return healths


def is_network_failure(error: str) -> bool:
    """Did this poll fail before any server answered (no connection, DNS, timeout)?"""
    return error.startswith(_NETWORK_PREFIXES)


def is_outage(unreached: int, reached: int) -> bool:
    """Every source polled over the network failed to reach its server (and there were several)."""
    return unreached >= OUTAGE_MIN_SOURCES and reached == 0


def span(delta: timedelta) -> str:
    """A duration as a person reads it: 12d, 2d 5h, 3h, 1h 20min, 40min."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours and days < 7 else f"{days}d"
    if hours:
        return f"{hours}h {mins}min" if mins and hours < 6 else f"{hours}h"
    return f"{mins}min"


def render_markdown(healths: Sequence[SourceHealth], at: datetime) -> str:
    """The health check's report: stale sources first, then every source's figures."""
    stale = [h for h in healths if h.stale]
    failing = sum(h.status == "failing" for h in healths)
    out = [
        f"# Source health {at:%Y-%m-%d %H:%M} UTC",
        "",
        f"**{len(stale)}** stale, **{failing}** failing, {len(healths)} sources.",
    ]
    out += stale_section([h.stale_source() for h in stale])
    out += [
        "",
        "| source | cadence | last success | failures | hits/day | last hit | status | last error |",
        "|---|---|---|---:|---:|---|---|---|",
    ]
    out += [
        f"| {h.source_id} | {h.cadence} | {_when(h.last_success_at)} | {h.error_count} | {h.hits_per_day:.2f} "
        f"| {_when(h.last_hit_at)} | {h.status} | {markdown_cell(h.last_error or '')} |"
        for h in healths
    ]
    return "\n".join(out) + "\n"


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "never"
