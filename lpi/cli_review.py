"""The reviewer's commands: work the queue (list, show, claim, release, draft, verify, reject, merge,
split, not-same, scope), manage published incidents (list, show, correct), export the database and print
the aggregate report. Every rule lives in the ``review`` package; this module only parses and prints."""

from __future__ import annotations

import functools
import getpass
import inspect
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from sqlmodel import Session

from lpi.cli_common import ConfigOption, JsonOption
from lpi.config import ConfigError, load_config
from review import (
    LEASE,
    ClusterEvidence,
    Order,
    QueueFilter,
    QueueItem,
    ReviewError,
    ScopeView,
    claim,
    correct,
    evidence,
    list_queue,
    mark_in_scope,
    merge,
    not_same,
    records,
    reject,
    release,
    render_report,
    scope_view,
    split,
    suggested_fields,
    verify,
    write_csv,
    write_json,
)
from review.draft import FIELDS
from review.evidence import CountExplained
from review.export import record
from review.piss import SUB_SCORES
from review.values import to_text
from store import Incident, QueueState, open_engine, session_scope

ReviewerOption = Annotated[
    str | None, typer.Option("--reviewer", "-r", help="Who decides (default: $LPI_REVIEWER, else the login name).")
]
NoteOption = Annotated[str | None, typer.Option("--note", help="Your words, kept with the decision.")]
FromFileOption = Annotated[
    Path | None, typer.Option("--from-file", "-f", help="Incident fields from a YAML or JSON mapping; options override it.")
]

incidents_app = typer.Typer(help="Published incidents: list, show, correct (through the errata log).", no_args_is_help=True)
export_app = typer.Typer(help="Export the incident database.", no_args_is_help=True)


def register_review_commands(app: typer.Typer, queue_app: typer.Typer) -> None:
    """Add the reviewer's commands to ``app`` and its ``queue`` group."""
    for name, command in _QUEUE_COMMANDS.items():
        queue_app.command(name)(command)
    app.add_typer(incidents_app, name="incidents")
    app.add_typer(export_app, name="export")
    app.command("report")(report)


# --- plumbing -----------------------------------------------------------------------------------


def _reviewer(given: str | None) -> str:
    return given or os.environ.get("LPI_REVIEWER") or getpass.getuser()


@contextmanager
def _transaction(config: Path | None) -> Iterator[Session]:
    """One transaction on the configured database; a refused operation is a message and exit 1."""

    try:
        engine = open_engine(load_config(config).store_url())
    except ConfigError as exc:
        _fail(f"configuration error: {exc}", 2)
    try:
        with session_scope(engine) as session:
            yield session
    except ReviewError as exc:
        _fail(str(exc), 1)
    finally:
        engine.dispose()


def _fail(message: str, code: int) -> NoReturn:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(code)


def _fields_from_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        _fail(f"cannot read {path}: {exc}", 2)
    if not isinstance(loaded, dict):
        _fail(f"{path} must hold a mapping of incident fields", 2)
    return loaded


def _with_field_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` one ``--option`` per incident field (review.draft.FIELDS), passed to it as
    ``fields``: the field list is written once, in the library."""

    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "fields"]
    added = [
        inspect.Parameter(
            spec.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                str | None,
                typer.Option(f"--{spec.name.replace('_', '-')}", help=spec.help, rich_help_panel="Incident fields"),
            ],
        )
        for spec in FIELDS
    ]

    @functools.wraps(command)
    def with_fields(**options: Any) -> None:
        command(fields={spec.name: options.pop(spec.name) for spec in FIELDS}, **options)

    parameters = own + added
    with_fields.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    with_fields.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_fields


def _dump(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


# --- the queue ----------------------------------------------------------------------------------


def queue_list(
    state: Annotated[list[QueueState] | None, typer.Option(help="promoted, watched, rejected (flagged for another look) or out-of-scope (parked, not queued); repeat (default: the first three).")] = None,
    stream: Annotated[list[str] | None, typer.Option(help="Only items with a member from this stream; repeat for more.")] = None,
    category: Annotated[str | None, typer.Option(help="Only items whose evidence hints at this category.")] = None,
    min_age: Annotated[float | None, typer.Option("--min-age", help="Only items first seen at least this many days ago.")] = None,
    max_age: Annotated[float | None, typer.Option("--max-age", help="Only items first seen at most this many days ago.")] = None,
    min_independent: Annotated[int | None, typer.Option(help="At least this many independent sources.")] = None,
    max_independent: Annotated[int | None, typer.Option(help="At most this many independent sources.")] = None,
    unclaimed: Annotated[bool, typer.Option("--unclaimed", help="Leave out items someone has claimed.")] = False,
    sort: Annotated[Order, typer.Option(help="Order within each section.")] = Order.INDEPENDENT,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """The verification queue, the rejected items flagged for another look, and the watched list
    (clusters parked out of scope with --state out-of-scope)."""
    wanted = QueueFilter(
        states=tuple(state) if state else QueueFilter.states,
        streams=tuple(stream or ()),
        category=category,
        min_age=timedelta(days=min_age) if min_age is not None else None,
        max_age=timedelta(days=max_age) if max_age is not None else None,
        min_independent=min_independent,
        max_independent=max_independent,
        unclaimed=unclaimed,
        order=sort,
    )
    try:
        with _transaction(config) as session:
            items = list_queue(session, wanted)
    except ValueError as exc:
        _fail(str(exc), 2)
    if as_json:
        _dump([_item_row(item) for item in items])
        return
    if not items:
        typer.echo("queue is empty")
        return
    for section in dict.fromkeys(item.section for item in items):
        rows = [item for item in items if item.section == section]
        typer.echo(f"{section.value} ({len(rows)})")
        typer.echo(f"{'id':>6}  {'indep':>5} {'hits':>4} {'age':>5}  {'claimed by':<12} {'hints':<24} title")
        for item in rows:
            hints = ",".join(item.category_hints[:2])
            typer.echo(
                f"{item.cluster_id:>6}  {item.independent:>5} {item.members:>4} {item.age.days:>4}d  "
                f"{(item.claimed_by or '')[:12]:<12} {hints[:24]:<24} {item.title[:80]}"
            )
            if item.another_look:
                typer.echo(f"{'':>8}another look: {item.another_look}")
            if item.out_of_scope:
                typer.echo(f"{'':>8}{item.out_of_scope}")
        typer.echo("")


def _item_row(item: QueueItem) -> dict[str, Any]:
    return {
        "id": item.cluster_id,
        "section": item.section.value,
        "state": item.state.value,
        "independent": item.independent,
        "members": item.members,
        "origins": item.origins,
        "streams": item.streams,
        "category_hints": item.category_hints,
        "first_seen": item.first_seen.isoformat(),
        "last_seen": item.last_seen.isoformat(),
        "age_days": round(item.age.total_seconds() / 86400, 1),
        "claimed_by": item.claimed_by,
        "claimed_until": item.claimed_until.isoformat() if item.claimed_until else None,
        "another_look": item.another_look,
        "aiid_id": item.aiid_id,
        "out_of_scope": item.out_of_scope,
        "title": item.title,
    }


def queue_show(cluster_id: int, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """One item's evidence: the count explained origin by origin, every member side by side, counted or
    collapsed and why, hints, decisions."""
    with _transaction(config) as session:
        found = evidence(session, cluster_id)
    if as_json:
        _dump(asdict(found))
        return
    _print_evidence(found)


def _print_evidence(found: ClusterEvidence) -> None:
    typer.echo(f"cluster {found.cluster_id} [{found.state.value}]  {found.title}")
    aiid = f"   AIID {found.aiid_id} ({found.aiid_url})" if found.aiid_id else ""
    typer.echo(f"independent confirming sources: {found.independent}{aiid}")
    if found.incident_id:
        typer.echo(f"published as {found.incident_id}")
    if found.claimed_by:
        typer.echo(f"claimed by {found.claimed_by} until {_when(found.claimed_until)} UTC")
    if found.another_look:
        typer.echo(f"another look: {found.another_look}")
    _print_count(found.count)
    hints = found.hints
    models = ", ".join(f"{m.model} ({m.vendor}, {m.members})" for m in hints.models) or "none named"
    typer.echo(f"hints: categories {', '.join(hints.categories) or '-'}; sectors {', '.join(hints.sectors) or '-'}; models {models}")
    for label, values in (("deployers", hints.deployers), ("AIID ids", hints.aiid_ids), ("CVEs", hints.cves), ("dockets", hints.dockets)):
        if values:
            typer.echo(f"       {label}: {', '.join(values)}")
    for doubt in hints.scope:
        typer.echo(f"scope: {doubt}")
    typer.echo("members:")
    for m in found.members:
        date = f"{m.published_at:%Y-%m-%d}" if m.published_at else "no date"
        typer.echo(f"  #{m.candidate_id} {m.publisher:<22} {m.source_type:<26} {date}{' (fetched)' if m.date_is_fetch_time else ''}  score {m.match_score:.2f}")
        typer.echo(f"      {m.title[:100]}")
        if m.snippet:
            typer.echo(f"      {m.snippet}")
        typer.echo(f"      {m.url}" + (f"  (via {m.via_url})" if m.via_url else ""))
        typer.echo(f"      → {m.why}" + (f"; placed by {m.placed_by}" if m.placed_by != "auto" else ""))
    for d in found.decisions:
        words = "; ".join(str(x) for x in (d.reason, d.note) if x)
        other = f" with cluster {d.other_cluster_id}" if d.other_cluster_id and d.other_cluster_id != found.cluster_id else ""
        typer.echo(f"decision {d.id}: {d.kind}{other} by {d.reviewer} at {_when(d.at)}" + (f" ({words})" if words else ""))


def _print_count(count: CountExplained) -> None:
    """Each origin with the hit it counts through and the hits collapsed into it, then the hits that count zero."""
    for n, origin in enumerate(count.origins, 1):
        hit = origin.counted
        through = f" {hit.publisher} counts for it: {hit.reason}" if hit.reason else f" {hit.publisher}" if hit.publisher != origin.origin else ""
        typer.echo(f"  {n}. {origin.origin}  #{hit.candidate_id}{through}")
        for copy in origin.collapsed:
            typer.echo(f"       + #{copy.candidate_id} {copy.publisher} collapsed into it: {copy.reason}")
    for hit in count.zero:
        typer.echo(f"  zero: #{hit.candidate_id} {hit.publisher}: {hit.reason}")


def queue_claim(
    cluster_id: int,
    minutes: Annotated[int, typer.Option(help="Length of the lease in minutes.")] = int(LEASE.total_seconds() // 60),
    reviewer: ReviewerOption = None,
    config: ConfigOption = None,
) -> None:
    """Claim an item (or renew your claim) so that nobody else decides on it meanwhile."""

    with _transaction(config) as session:
        held = claim(session, cluster_id, _reviewer(reviewer), lease=timedelta(minutes=minutes))
    typer.echo(f"cluster {cluster_id} {'renewed' if held.renewed else 'claimed'} by {held.reviewer} until {_when(held.until)} UTC")


def queue_release(cluster_id: int, reviewer: ReviewerOption = None, config: ConfigOption = None) -> None:
    """Give a claimed item back to the queue."""

    with _transaction(config) as session:
        release(session, cluster_id, _reviewer(reviewer))
    typer.echo(f"cluster {cluster_id} released")


def queue_draft(cluster_id: int, config: ConfigOption = None) -> None:
    """Print a YAML file of incident fields, pre-filled from the evidence, to edit and pass to verify."""

    with _transaction(config) as session:
        suggested = suggested_fields(evidence(session, cluster_id))
    criteria = {sub.field: sub.criteria for sub in SUB_SCORES}
    typer.echo(f"# Incident fields for cluster {cluster_id}. Edit, then: lpi queue verify {cluster_id} --from-file FILE")
    for spec in FIELDS:
        typer.echo(f"# {spec.help}{'' if spec.required else ' (optional)'}")
        for score, text in criteria.get(spec.name, {}).items():
            typer.echo(f"#   {score}: {text}")
        typer.echo(f"{spec.name}: {_yaml_scalar(suggested[spec.name])}")


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(str(value), ensure_ascii=False)


@_with_field_options
def queue_verify(
    cluster_id: int,
    from_file: FromFileOption = None,
    reviewer: ReviewerOption = None,
    config: ConfigOption = None,
    *,
    fields: dict[str, Any],
) -> None:
    """Publish a claimed item as an incident (PISS composite and band are computed)."""

    values = {**_fields_from_file(from_file), **{k: v for k, v in fields.items() if v is not None}}
    with _transaction(config) as session:
        incident = verify(session, cluster_id, _reviewer(reviewer), values)
    typer.echo(f"published {incident.id}: PISS {incident.piss_composite} ({incident.piss_band})  {incident.title}")


def queue_reject(
    cluster_id: int,
    reason: Annotated[str, typer.Option(help="out-of-scope, unverified, duplicate, no-identifiable-harm or other.")],
    duplicate_of: Annotated[str | None, typer.Option(help="With duplicate: the cluster id or incident id it duplicates.")] = None,
    note: NoteOption = None,
    reviewer: ReviewerOption = None,
    config: ConfigOption = None,
) -> None:
    """Reject a claimed item with a reason from the fixed list."""

    with _transaction(config) as session:
        reject(session, cluster_id, _reviewer(reviewer), reason, note=note, duplicate_of=duplicate_of)
    typer.echo(f"cluster {cluster_id} rejected: {reason}")


def queue_merge(
    keep: Annotated[int, typer.Argument(help="The cluster that stays.")],
    absorb: Annotated[int, typer.Argument(help="The cluster whose members move into it.")],
    override: Annotated[bool, typer.Option("--override", help="Merge even though a reviewer said they differ.")] = False,
    note: NoteOption = None,
    reviewer: ReviewerOption = None,
    config: ConfigOption = None,
) -> None:
    """Merge two clusters that are one incident."""

    with _transaction(config) as session:
        kept = merge(session, keep, absorb, _reviewer(reviewer), note=note, override=override)
        typer.echo(f"cluster {absorb} merged into {keep}: {kept.independent_count} independent sources, {kept.state.value}")


def queue_split(
    cluster_id: int,
    candidates: Annotated[list[int], typer.Argument(help="Ids of the members to move into a new cluster.")],
    note: NoteOption = None,
    reviewer: ReviewerOption = None,
    config: ConfigOption = None,
) -> None:
    """Split the chosen members off into a new cluster."""

    with _transaction(config) as session:
        new = split(session, cluster_id, candidates, _reviewer(reviewer), note=note)
        typer.echo(f"split off cluster {new.id} ({new.independent_count} independent sources, {new.state.value})")


def queue_not_same(
    cluster_id: int,
    other: int,
    note: NoteOption = None,
    reviewer: ReviewerOption = None,
    config: ConfigOption = None,
) -> None:
    """Record that two clusters are different incidents, so matching never joins them."""

    with _transaction(config) as session:
        decision = not_same(session, cluster_id, other, _reviewer(reviewer), note=note)
    typer.echo(f"clusters {cluster_id} and {other} marked not the same incident (decision {decision.id})")


def queue_scope(
    cluster_id: int,
    in_scope: Annotated[bool, typer.Option("--in-scope", help="Overrule the out-of-scope verdict: in scope after all.")] = False,
    note: NoteOption = None,
    reviewer: ReviewerOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Why a cluster is in or out of scope, member by member; with --in-scope, bring a cluster parked
    out of scope back (a decision later runs respect)."""

    with _transaction(config) as session:
        if in_scope:
            decision = mark_in_scope(session, cluster_id, _reviewer(reviewer), note=note)
        view = scope_view(session, cluster_id)
    if as_json:
        _dump(asdict(view))
        return
    if in_scope:
        typer.echo(f"cluster {cluster_id} in scope after all (decision {decision.id}): now {view.state.value}")
    _print_scope(view)


def _print_scope(view: ScopeView) -> None:
    typer.echo(f"cluster {view.cluster_id} [{view.state.value}]  {view.title}")
    typer.echo(f"scope: {view.verdict}")
    for m in view.members:
        verdict = "not assessed" if m.in_scope is None else f"{'in' if m.in_scope else 'out'} ({m.score:.2f})"
        weight = "confirming" if m.confirming else f"{m.role}, counts zero"
        typer.echo(f"  #{m.candidate_id} {m.publisher:<22} {weight:<24} {verdict}  {m.title[:80]}")
        for reason in m.reasons:
            typer.echo(f"      - {reason}")
        typer.echo(f"      hints: categories {', '.join(m.categories) or '-'}; sectors {', '.join(m.sectors) or '-'}")


_QUEUE_COMMANDS: dict[str, Callable[..., None]] = {
    "list": queue_list,
    "show": queue_show,
    "claim": queue_claim,
    "release": queue_release,
    "draft": queue_draft,
    "verify": queue_verify,
    "reject": queue_reject,
    "merge": queue_merge,
    "split": queue_split,
    "not-same": queue_not_same,
    "scope": queue_scope,
}


# --- published incidents ------------------------------------------------------------------------


@incidents_app.command("list")
def incidents_list(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Every published incident, in publication order."""

    with _transaction(config) as session:
        rows = records(session)
    if as_json:
        _dump(rows)
        return
    for row in rows:
        typer.echo(f"{row['id']}  {row['piss_composite']:>4} {row['piss_band']:<8} {row['status']:<9} {row['category'][:32]:<32} {row['title'][:70]}")


@incidents_app.command("show")
def incidents_show(incident_id: str, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """One incident: every field, the PISS criteria met, its sources and its errata."""

    with _transaction(config) as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            _fail(f"no incident {incident_id}", 1)
    if as_json:
        _dump(record(incident))
        return
    _print_incident(incident)


def _print_incident(incident: Incident) -> None:

    typer.echo(f"{incident.id} [{incident.status}]  {incident.title}")
    typer.echo(f"PISS {incident.piss_composite} ({incident.piss_band})")
    for sub in SUB_SCORES:
        value = getattr(incident, sub.field)
        typer.echo(f"  {sub.title:<26} {value:<5} {sub.criterion(value)}")
    skip = {"id", "title", "status", "sources", "errata", *(s.field for s in SUB_SCORES), "piss_composite", "piss_band"}
    for name in type(incident).model_fields:
        if name not in skip:
            typer.echo(f"{name:<20} {to_text(getattr(incident, name))}")
    for source in incident.sources:
        typer.echo(f"source  {source['publisher']:<22} {source['type']:<26} {source['url']}")
    for erratum in incident.errata:
        typer.echo(f"erratum {erratum['at'][:16]} {erratum['by']}: {erratum['field']} {erratum['before']!r} → {erratum['after']!r} ({erratum['reason']})")


@_with_field_options
def incidents_correct(
    incident_id: str,
    reason: Annotated[str, typer.Option(help="Why: kept in the errata log.")],
    status: Annotated[str | None, typer.Option(help="published or withdrawn.")] = None,
    from_file: FromFileOption = None,
    reviewer: ReviewerOption = None,
    config: ConfigOption = None,
    *,
    fields: dict[str, Any],
) -> None:
    """Correct a published incident; each changed field is logged as an erratum."""

    changes = {**_fields_from_file(from_file), **{k: v for k, v in fields.items() if v is not None}}
    if status is not None:
        changes["status"] = status
    with _transaction(config) as session:
        errata = correct(session, incident_id, _reviewer(reviewer), changes, reason)
    for erratum in errata:
        typer.echo(f"{incident_id} {erratum['field']}: {erratum['before']!r} → {erratum['after']!r}")


incidents_app.command("correct")(incidents_correct)


# --- export and report --------------------------------------------------------------------------


@export_app.command("csv")
def export_csv(path: Path, config: ConfigOption = None) -> None:
    """Write incident-database.csv (into PATH when it is a folder): one row per published incident,
    sources and errata as JSON lists."""
    target = _export_target(path, "incident-database.csv")
    with _transaction(config) as session:
        count = write_csv(session, target)
    typer.echo(f"{count} incidents written to {target}")


@export_app.command("json")
def export_json(path: Path, config: ConfigOption = None) -> None:
    """Write the same rows as a JSON array (incident-database.json when PATH is a folder)."""
    target = _export_target(path, "incident-database.json")
    with _transaction(config) as session:
        count = write_json(session, target)
    typer.echo(f"{count} incidents written to {target}")


def _export_target(path: Path, name: str) -> Path:
    return path / name if path.is_dir() else path


def report(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the Markdown here instead of printing it.")] = None,
    config: ConfigOption = None,
) -> None:
    """The methodology's aggregate tables (category, sector, detection mechanism, PISS band) as Markdown."""

    with _transaction(config) as session:
        text = render_report(session)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    typer.echo(f"report written to {output}")
