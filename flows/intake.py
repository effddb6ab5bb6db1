"""The Prefect flows: ``intake-cycle`` (chosen streams) and ``poll-stream`` (one stream).

Each source is polled in its own task, so one broken source shows as one failed task while the
rest go on; each ingest is a task too, so the UI shows what landed per source. The cycle ends
with a Markdown run summary as an artifact.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from lpi.config import load_config
from lpi.pipeline import PollOutcome, ingest, match_and_promote, poll_source, run_cycle
from lpi.summary import SourceReport
from sources import Fetcher, SourceSpec
from store import SourceState, now, open_engine

poll_task = task(poll_source, name="poll-source", task_run_name="poll {spec.source_id}", cache_policy=NO_CACHE)
ingest_task = task(ingest, name="ingest", task_run_name="ingest {outcome.spec.source_id}", cache_policy=NO_CACHE)
match_task = task(match_and_promote, name="match-and-promote", cache_policy=NO_CACHE)


def _poll_with_tasks(
    specs: list[SourceSpec], states: dict[str, SourceState], fetcher: Fetcher, force: bool
) -> Iterator[PollOutcome]:
    futures = [poll_task.submit(spec, states.get(spec.source_id), fetcher, force=force) for spec in specs]
    for spec, future in zip(specs, futures):
        try:
            yield future.result()
        except Exception as exc:  # the task itself crashed: that source's failure only
            yield PollOutcome(spec, now(), error=f"poll task crashed: {type(exc).__name__}: {exc}")


def _cycle(
    streams: list[str] | None, sources: list[str] | None, config_path: str | None, force: bool, artifact_key: str
) -> dict[str, Any]:
    logger = get_run_logger()
    config = load_config(config_path)
    engine = open_engine(config.store_url())

    def progress(report: SourceReport) -> None:
        (logger.warning if report.status == "error" else logger.info)(report.line())

    summary = run_cycle(
        config,
        engine,
        streams,
        sources=sources,
        force=force,
        poll_many=_poll_with_tasks,
        ingest_one=ingest_task,
        match=match_task,
        on_source=progress,
    )
    create_markdown_artifact(summary.render_markdown(), key=artifact_key, description="Intake run summary")
    logger.info("\n%s", summary.render_text())
    return summary.to_dict()


@flow(name="intake-cycle")
def intake_cycle(
    streams: list[str] | None = None, sources: list[str] | None = None, config_path: str | None = None, force: bool = False
) -> dict[str, Any]:
    """Poll the chosen streams (all when none are given; only the named sources when given), match, count and promote."""
    return _cycle(streams, sources, config_path, force, "intake-cycle-summary")


@flow(name="poll-stream", flow_run_name="poll-{stream}")
def poll_stream(
    stream: str, sources: list[str] | None = None, config_path: str | None = None, force: bool = False
) -> dict[str, Any]:
    """Poll one stream's sources (only the named ones when given), then match, count and promote."""
    return _cycle([stream], sources, config_path, force, f"{stream}-summary")


FLOWS = {"intake-cycle": intake_cycle, "poll-stream": poll_stream}
