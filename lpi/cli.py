"""The ``lpi`` command: run a cycle, serve the schedules, inspect the queue and the sources."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from lpi.config import Config, ConfigError, config_path, load_config

app = typer.Typer(help="LPI intake: the intake pipeline of the LLM Production Incident Tracker.", no_args_is_help=True)
queue_app = typer.Typer(help="The review queues: watched (one source) and promoted (two or more).", no_args_is_help=True)
sources_app = typer.Typer(help="Configured sources and their polling health.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
config_app = typer.Typer(help="The configuration file.", no_args_is_help=True)
app.add_typer(queue_app, name="queue")
app.add_typer(sources_app, name="sources")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="Configuration YAML (default: $LPI_CONFIG, else the packaged one).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        typer.secho(f"configuration error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None


def _config_for_streams(path: Path | None, streams: list[str] | None, sources: list[str] | None = None) -> Config:
    """The configuration, with ``streams`` and ``sources`` checked against it (a usage error if unknown)."""
    cfg = _config(path)
    try:
        cfg.sources(streams, sources)
    except ConfigError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from None
    return cfg


def _engine(cfg: Config) -> Engine:
    from store import open_engine

    return open_engine(cfg.store_url())


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "never"


@app.command()
def run(
    stream: Annotated[list[str] | None, typer.Option("--stream", "-s", help="Stream to poll; repeat for more (default: all).")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Only this source (by name); repeat for more.")] = None,
    config: ConfigOption = None,
    force: Annotated[bool, typer.Option("--force", help="Ignore saved ETag/Last-Modified and backoff.")] = False,
    plain: Annotated[bool, typer.Option("--plain", help="Run without Prefect (no flow run is recorded).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Run one intake cycle now and print what it did."""
    cfg = _config_for_streams(config, stream, source)
    if plain:
        from lpi.pipeline import run_cycle

        def progress(report: Any) -> None:
            typer.echo(report.line(), err=True)

        summary = run_cycle(cfg, _engine(cfg), stream, sources=source, force=force, on_source=progress)
        typer.echo(json.dumps(summary.to_dict(), default=str, indent=2) if as_json else summary.render_text())
        return
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.intake import intake_cycle

    result = intake_cycle(streams=stream, sources=source, config_path=str(cfg.path.resolve()), force=force)
    if as_json:
        typer.echo(json.dumps(result, default=str, indent=2))


@app.command()
def reprocess(
    stream: Annotated[list[str] | None, typer.Option("--stream", "-s", help="Stream to reprocess; repeat for more (default: all).")] = None,
    config: ConfigOption = None,
) -> None:
    """Re-parse and re-normalize the raw archive (no fetching); adds only hits not stored yet."""
    from lpi.pipeline import reprocess as run_reprocess

    cfg = _config_for_streams(config, stream)
    report = run_reprocess(cfg, _engine(cfg), stream)
    typer.echo(
        f"{report.payloads} archived payloads re-read; {report.new_hits} new hits; "
        f"{report.match.new_clusters} new clusters; {len(report.match.promoted)} promoted; {len(report.errors)} errors"
    )
    for error in report.errors:
        typer.echo(f"  error  {error}")


@app.command()
def serve(
    config: ConfigOption = None,
    deployments: Annotated[Path | None, typer.Option(help="Deployments file (default: the repository's deployments.yaml).")] = None,
) -> None:
    """Serve every deployment in deployments.yaml on their schedules (needs `prefect server start`)."""
    if not os.environ.get("PREFECT_API_URL"):
        typer.secho(
            "PREFECT_API_URL is not set: start a server with `prefect server start` and run\n"
            "  prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api\n"
            "(a temporary server never runs schedules).",
            fg="yellow",
            err=True,
        )
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.serve import serve_deployments

    serve_deployments(str(config) if config else os.environ.get("LPI_CONFIG"), deployments)


@app.command()
def web(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    config: ConfigOption = None,
) -> None:
    """Serve the submission form (/submit) and API (POST /api/submissions).

    From the environment: LPI_SECRET (else a secret generated next to the database),
    LPI_SUBMISSION_LIMIT and LPI_SUBMISSION_WINDOW (default 10 per 3600 seconds per client),
    LPI_TRUSTED_PROXIES (proxy addresses or networks whose X-Forwarded-For is believed; default none).
    """
    import uvicorn

    from web import WebSettings, create_app, server_config

    engine = _engine(_config(config))  # brings the schema to the newest revision
    try:
        settings = WebSettings.from_env(engine)
    except ValueError as exc:
        typer.secho(f"configuration error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    uvicorn.Server(server_config(create_app(engine, settings), host, port)).run()


@queue_app.command("list")
def queue_list(
    state: Annotated[list[str] | None, typer.Option(help="States to list (default: promoted and watched).")] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Clusters waiting for review, most independent sources first."""
    from store import QueueState, repo, session_scope

    states = [QueueState(s) for s in state] if state else [QueueState.PROMOTED, QueueState.WATCHED]
    engine = _engine(_config(config))
    with session_scope(engine) as session:
        clusters = repo.queue(session, states)
        sizes = repo.member_counts(session, [c.id for c in clusters if c.id is not None])
    rows = [
        {
            "id": c.id,
            "state": c.state.value,
            "independent": c.independent_count,
            "members": sizes.get(c.id or 0, 0),
            "origins": [o["origin"] for o in c.explanation.get("origins", [])],
            "last_seen": c.last_seen_at.isoformat(),
            "title": c.title,
        }
        for c in clusters
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("queue is empty")
        return
    typer.echo(f"{'id':>5}  {'state':<9} {'indep':>5} {'hits':>4}  {'last seen':<10}  title")
    for r in rows:
        typer.echo(f"{r['id']:>5}  {r['state']:<9} {r['independent']:>5} {r['members']:>4}  {r['last_seen'][:10]}  {r['title'][:90]}")


@queue_app.command("show")
def queue_show(cluster_id: int, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """One cluster: its members, and how its independent count was reached."""
    from store import Cluster, repo, session_scope

    engine = _engine(_config(config))
    with session_scope(engine) as session:
        cluster = session.get(Cluster, cluster_id)
        if cluster is None:
            typer.secho(f"no cluster {cluster_id}", fg="red", err=True)
            raise typer.Exit(1)
        members = repo.cluster_members(session, cluster_id)
    why = _why_by_candidate(cluster.explanation)
    detail = {
        "id": cluster.id,
        "state": cluster.state.value,
        "title": cluster.title,
        "independent": cluster.independent_count,
        "aiid_id": cluster.aiid_id,
        "promoted_at": cluster.promoted_at.isoformat() if cluster.promoted_at else None,
        "members": [
            {
                "candidate": c.id,
                "stream": c.stream,
                "publisher": c.publisher,
                "published": c.published_at.isoformat() if c.published_at else None,
                "title": c.title,
                "url": c.url,
                "match_score": round(m.score, 3),
                "counts": why.get(c.id or 0, "counted"),
                "entities": c.entities,
            }
            for c, m in members
        ],
        "explanation": cluster.explanation,
    }
    if as_json:
        typer.echo(json.dumps(detail, indent=2))
        return
    typer.echo(f"cluster {cluster.id} [{cluster.state.value}]  {cluster.title}")
    typer.echo(f"independent confirming sources: {cluster.independent_count}" + (f"   AIID {cluster.aiid_id}" if cluster.aiid_id else ""))
    for origin in cluster.explanation.get("origins", []):
        typer.echo(f"  origin {origin['origin']}: candidate(s) {', '.join(map(str, origin['candidates']))}")
    typer.echo("members:")
    for m in detail["members"]:
        typer.echo(f"  #{m['candidate']} {m['publisher']:<22} {m['stream']:<18} {(m['published'] or '')[:10]}  score {m['match_score']:.2f}")
        typer.echo(f"      {m['title'][:100]}")
        typer.echo(f"      {m['url']}")
        typer.echo(f"      → {m['counts']}")


def _why_by_candidate(explanation: dict[str, Any]) -> dict[int, str]:
    why: dict[int, str] = {}
    for origin in explanation.get("origins", []):
        why[origin["candidates"][0]] = f"counted: origin {origin['origin']}"
    for item in explanation.get("collapsed", []):
        why[item["candidate"]] = f"collapsed into {item['into']}: {item['reason']}"
    for item in explanation.get("zero", []):
        why[item["candidate"]] = f"counts zero: {item['reason']}"
    return why


@sources_app.command("list")
def sources_list(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Every configured source: stream, cadence, last success, consecutive errors, last error."""
    from flows.schedules import stream_cadences
    from store import repo, session_scope

    cfg = _config(config)
    cadences = stream_cadences()
    with session_scope(_engine(cfg)) as session:
        states = repo.source_states(session)
    rows = []
    for spec in cfg.sources():
        state = states.get(spec.source_id)
        rows.append(
            {
                "source": spec.source_id,
                "stream": spec.stream,
                "kind": spec.kind,
                "cadence": cadences.get(spec.stream, "not scheduled"),
                "last_success": state.last_success_at.isoformat() if state and state.last_success_at else None,
                "errors": state.error_count if state else 0,
                "last_error": state.last_error if state else None,
                "next_check": state.next_check_at.isoformat() if state and state.next_check_at else None,
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{'source':<42} {'cadence':<11} {'last success':<17} {'errors':>6}  last error")
    for r in rows:
        last = r["last_success"][:16].replace("T", " ") if r["last_success"] else "never"
        typer.echo(f"{r['source']:<42} {r['cadence']:<11} {last:<17} {r['errors']:>6}  {(r['last_error'] or '')[:60]}")


@sources_app.command("new")
def sources_new(
    name: Annotated[str, typer.Argument(help="Kind and source name, kebab-case (e.g. oecd-aim-api).")],
    stream: Annotated[str, typer.Option("--stream", "-s", help="The stream the source feeds.")],
    url: Annotated[str, typer.Option("--url", help="The endpoint to poll.")],
    format: Annotated[str, typer.Option("--format", help="json (a list of items) or feed (RSS/Atom).")] = "json",
    sample: Annotated[Path | None, typer.Option("--sample", help="A recorded response of the endpoint to test against.")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Configuration file to add the entry to (default: the packaged one).")] = None,
    root: Annotated[Path | None, typer.Option("--root", help="Project checkout to write into (default: this one).")] = None,
) -> None:
    """Scaffold a new source kind: adapter module, registry line, configuration entry, on-demand
    deployment, recorded sample, contract case and test."""
    from lpi.scaffold import PROJECT_ROOT, Scaffold, ScaffoldError, create

    try:
        written = create(Scaffold(name, stream, format, url, root or PROJECT_ROOT, config, sample))
    except ScaffoldError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from None
    for role, path in written.items():
        typer.echo(f"{role:<12} {path}")
    typer.echo(f"next: replace the sample with a real recorded response, adjust sources/{name.replace('-', '_')}.py, "
               f"run `make test ARGS='-k {name.replace('-', '_')} or contract'`, then `lpi run --stream {stream} --source {name}`")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Bring the database schema to the newest revision (also done automatically on first use)."""
    from store import database_url, open_engine
    from store.migrate import current_revision, upgrade

    url = database_url(_config(config).store_url())
    engine = open_engine(url, migrate=False)
    ran = upgrade(engine)
    typer.echo(f"{engine.url.render_as_string(hide_password=True)}: {'upgraded to' if ran else 'already at'} revision {current_revision(engine)}")


@config_app.command("show")
def config_show(config: ConfigOption = None) -> None:
    """Print the configuration file in force, to copy and edit."""
    path = config_path(config)
    _config(config)
    sys.stdout.write(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    app()
