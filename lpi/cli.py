"""The ``lpi`` command: run a cycle, serve the schedules, inspect the queue and the sources."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from lpi.cli_common import ConfigOption, JsonOption, _config, _engine
from lpi.cli_review import register_review_commands
from lpi.config import Config, ConfigError, config_path
from web.accounts_cli import users_app

app = typer.Typer(help="LPI intake: the intake pipeline of the LLM Production Incident Tracker.", no_args_is_help=True)
queue_app = typer.Typer(help="The review queues: watched (one source) and promoted (two or more).", no_args_is_help=True)
sources_app = typer.Typer(help="Configured sources and their polling health.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
config_app = typer.Typer(help="The configuration file.", no_args_is_help=True)
app.add_typer(queue_app, name="queue")
app.add_typer(sources_app, name="sources")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")

def _config_for_streams(path: Path | None, streams: list[str] | None, sources: list[str] | None = None) -> Config:
    """The configuration, with ``streams`` and ``sources`` checked against it (a usage error if unknown)."""
    cfg = _config(path)
    try:
        cfg.sources(streams, sources)
    except ConfigError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from None
    return cfg


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
    """Re-parse and re-normalize the raw archive (no fetching) after a parser, the normalizer or the
    configuration changed: adds hits not stored yet, updates stored hits in place (ids and clusters
    stay) and recounts the clusters of those that changed. Running it again changes nothing."""
    from lpi.pipeline import reprocess as run_reprocess

    cfg = _config_for_streams(config, stream)
    report = run_reprocess(cfg, _engine(cfg), stream)
    typer.echo(
        f"{report.payloads} archived payloads re-read; {report.new_hits} new hits; "
        f"{report.match.new_clusters} new clusters; {len(report.promoted)} promoted; {len(report.errors)} errors"
    )
    typer.echo(f"{report.updated} stored hits updated; {report.recounted} clusters recounted")
    for error in report.errors:
        typer.echo(f"  error  {error}")


@app.command()
def reconcile(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Re-score the clusters awaiting review with the current matcher and print the merges and
    splits it proposes (apply them with `lpi queue merge` / `lpi queue split`). Changes nothing."""
    from lpi.reconcile import reconcile as propose

    cfg = _config(config)
    proposals = propose(_engine(cfg), cfg.matching)
    typer.echo(json.dumps(proposals.to_dict(), indent=2) if as_json else proposals.render_markdown(), nl=as_json)


@app.command("cluster-file")
def cluster_file(
    hits: Annotated[Path, typer.Argument(help="JSONL, one hit a line: id, url, title; optional summary, published, stream, entities.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")] = None,
    config: ConfigOption = None,
) -> None:
    """Cluster a file of hits with the pipeline's matcher (the configuration's matching: settings),
    without a database: one {"id": ..., "cluster": ...} line per hit, in input order; a cluster is
    named by the id of the hit that founded it."""
    from lpi.clusterfile import HitFileError, assign, read_hits, write_assignments

    settings = _config(config).matching
    try:
        rows = assign(read_hits(hits), settings)
    except HitFileError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from None
    if output is None:
        write_assignments(rows, sys.stdout)
        return
    with output.open("w", encoding="utf-8") as out:
        write_assignments(rows, out)


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
    """Serve the submission form (/submit) and API (POST /api/submissions), and the reviewers'
    pages at /review (sign in at /signin; accounts from `lpi users add`).

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


@sources_app.command("list")
def sources_list(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    stale: Annotated[bool, typer.Option("--stale", help="Only stale sources.")] = False,
) -> None:
    """Every configured source: cadence, last success, consecutive errors, hits per day, last hit,
    last error, and its status (ok, failing, or STALE and why)."""
    from flows.schedules import stream_cadences
    from lpi.health import source_health
    from store import now, session_scope

    cfg = _config(config)
    kinds = {spec.source_id: spec.kind for spec in cfg.sources()}
    with session_scope(_engine(cfg)) as session:
        healths = source_health(session, cfg.sources(), stream_cadences(), now())
    if stale:
        healths = [h for h in healths if h.stale]
    if as_json:
        rows = [
            {
                "source": h.source_id,
                "stream": h.stream,
                "kind": kinds[h.source_id],
                "cadence": h.cadence,
                "last_success": _iso(h.last_success_at),
                "errors": h.error_count,
                "failing_since": _iso(h.failing_since),
                "last_error": h.last_error,
                "next_check": _iso(h.next_check_at),
                "hits_per_day": round(h.hits_per_day, 2),
                "last_hit": _iso(h.last_hit_at),
                "status": h.status,
                "stale_reasons": list(h.stale),
            }
            for h in healths
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(
        f"{'source':<42} {'cadence':<11} {'last success':<16} {'errors':>6} {'hits/day':>8}  {'last hit':<16} "
        f"{'last error':<40} status"
    )
    for h in healths:
        typer.echo(
            f"{h.source_id:<42} {h.cadence:<11} {_when(h.last_success_at):<16} {h.error_count:>6} {h.hits_per_day:>8.2f}  "
            f"{_when(h.last_hit_at):<16} {(h.last_error or '')[:40]:<40} {h.status_text}"
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


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


# After every command above: the review commands replace the plain `queue list` and `queue show`.
register_review_commands(app, queue_app)
app.add_typer(users_app, name="users")


if __name__ == "__main__":
    app()
