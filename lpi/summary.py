"""What a cycle did, per source and overall, as plain text for the terminal and Markdown for Prefect."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class SourceReport:
    source_id: str
    stream: str
    status: str  # fetched | not_modified | error | skipped | outage (unreached while our network was down)
    new_hits: int = 0
    known_hits: int = 0  # parsed hits already stored
    irrelevant: int = 0  # parsed hits that matched no keyword of the stream
    message: str = ""  # the error, or why the source was skipped
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pages: int = 0  # payloads fetched and parsed (paging APIs fetch several per poll)

    def line(self) -> str:
        detail = {
            "fetched": f"{self.new_hits} new, {self.known_hits} known, {self.irrelevant} off-topic"
            + (f" ({self.pages} pages)" if self.pages > 1 else ""),
            "not_modified": "not modified",
            "error": f"ERROR {self.message}",
            "skipped": f"skipped: {self.message}",
            "outage": f"unreached, network outage: {self.message}",
        }[self.status]
        warn = f" [{len(self.warnings)} warning(s): {self.warnings[0]}]" if self.warnings else ""
        return f"{self.source_id:<40} {detail}{warn} ({self.seconds:.1f}s)"


@dataclass
class Promotion:
    cluster_id: int
    title: str
    origins: list[str]


@dataclass
class MatchReport:
    clustered: int = 0
    new_clusters: int = 0
    promoted: list[Promotion] = field(default_factory=list)
    parked: list[Parked] = field(default_factory=list)  # at two independent sources, but out of scope


@dataclass(frozen=True)
class Parked:
    """A cluster that reached two independent sources in this run but was parked, not promoted: its
    confirming hits are all out of scope."""

    cluster_id: int
    title: str


@dataclass
class StaleSource:
    source_id: str
    stream: str
    reasons: list[str]


@dataclass
class Outage:
    """Every source polled over the network failed before a server answered: our network was down.
    One event for the cycle; none of those sources was charged a failure or a backoff."""

    sources: list[str]
    example: str  # one of the errors, as the fetcher reported it

    def line(self) -> str:
        return (
            f"NETWORK OUTAGE: all {len(self.sources)} sources polled over the network were unreachable "
            f"(e.g. {self.example}); not counted against them, no backoff"
        )


@dataclass
class StreamTotals:
    fetched: int = 0
    not_modified: int = 0
    new_hits: int = 0
    errors: int = 0
    skipped: int = 0
    unreached: int = 0  # during an outage


@dataclass
class CycleSummary:
    started_at: datetime
    finished_at: datetime
    sources: list[SourceReport]
    match: MatchReport
    stale: list[StaleSource] = field(default_factory=list)
    outage: Outage | None = None

    @property
    def new_hits(self) -> int:
        return sum(s.new_hits for s in self.sources)

    @property
    def errors(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status == "error"]

    def by_stream(self) -> dict[str, StreamTotals]:
        totals: dict[str, StreamTotals] = defaultdict(StreamTotals)
        for report in self.sources:
            row = totals[report.stream]
            row.new_hits += report.new_hits
            if report.status == "fetched":
                row.fetched += 1
            elif report.status == "not_modified":
                row.not_modified += 1
            elif report.status == "error":
                row.errors += 1
            elif report.status == "outage":
                row.unreached += 1
            else:
                row.skipped += 1
        return dict(totals)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"by_stream": {k: asdict(v) for k, v in self.by_stream().items()}}

    def render_text(self) -> str:
        seconds = (self.finished_at - self.started_at).total_seconds()
        lines = [f"{'stream':<20} {'fetched':>7} {'not-mod':>7} {'new':>5} {'errors':>6} {'skipped':>7}"]
        for stream, row in self.by_stream().items():
            lines.append(
                f"{stream:<20} {row.fetched:>7} {row.not_modified:>7} {row.new_hits:>5} {row.errors:>6} {row.skipped:>7}"
            )
        lines.append(
            f"{self.new_hits} new hits; {self.match.new_clusters} new clusters; "
            f"{len(self.match.promoted)} promoted; {len(self.errors)} source errors; {seconds:.1f}s"
        )
        if self.outage:
            lines.append(self.outage.line())
        for error in self.errors:
            lines.append(f"  error  {error.source_id}: {error.message}")
        for stale in self.stale:
            lines.append(f"  STALE  {stale.source_id}: {'; '.join(stale.reasons)}")
        for p in self.match.promoted:
            lines.append(f"  promoted #{p.cluster_id} {p.title!r} — origins: {', '.join(p.origins)}")
        for parked in self.match.parked:
            lines.append(f"  parked out of scope #{parked.cluster_id} {parked.title!r} (lpi queue list --state out-of-scope)")
        return "\n".join(lines)

    def render_markdown(self) -> str:
        seconds = (self.finished_at - self.started_at).total_seconds()
        out = [
            f"# Intake cycle {self.started_at:%Y-%m-%d %H:%M} UTC",
            "",
            f"**{self.new_hits}** new hits, **{self.match.new_clusters}** new clusters, "
            f"**{len(self.match.promoted)}** promoted, **{len(self.errors)}** source errors, {seconds:.1f}s.",
            *(["", f"**{self.outage.line()}**"] if self.outage else []),
            "",
            "| stream | fetched | not modified | new hits | errors | skipped |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for stream, row in self.by_stream().items():
            out.append(f"| {stream} | {row.fetched} | {row.not_modified} | {row.new_hits} | {row.errors} | {row.skipped} |")
        if self.errors:
            out += ["", "## Source errors", "", "| source | error |", "|---|---|"]
            out += [f"| {e.source_id} | {markdown_cell(e.message)} |" for e in self.errors]
        out += stale_section(self.stale)
        if self.match.promoted:
            out += ["", "## Promoted to the verification queue", "", "| cluster | title | origins |", "|---:|---|---|"]
            out += [f"| {p.cluster_id} | {markdown_cell(p.title)} | {', '.join(p.origins)} |" for p in self.match.promoted]
        if self.match.parked:
            out += ["", "## Parked out of scope", "", "| cluster | title |", "|---:|---|"]
            out += [f"| {p.cluster_id} | {markdown_cell(p.title)} |" for p in self.match.parked]
        return "\n".join(out) + "\n"


def stale_section(stale: list[StaleSource]) -> list[str]:
    """Markdown lines naming each stale source and why; none when nothing is stale."""
    if not stale:
        return []
    return ["", "## Stale sources", "", "| source | why |", "|---|---|"] + [
        f"| {s.source_id} | {markdown_cell('; '.join(s.reasons))} |" for s in stale
    ]


def markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]
