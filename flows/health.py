"""The ``source-health`` flow: the daily check of every configured source.

Each stale source becomes one Prefect event, ``lpi.source.stale`` on resource
``lpi.source.<source id>``, so a maintainer can hang a notification on it (an automation whose
trigger matches that event); the whole picture is a Markdown artifact (``source-health``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event

from flows.schedules import stream_cadences
from lpi.config import load_config
from lpi.health import SourceHealth, render_markdown, source_health
from store import now, open_engine, session_scope

STALE_EVENT = "lpi.source.stale"
ARTIFACT_KEY = "source-health"


def emit_stale(health: SourceHealth, at: datetime) -> None:
    emit_event(
        event=STALE_EVENT,
        resource={
            "prefect.resource.id": f"lpi.source.{health.source_id}",
            "prefect.resource.name": health.source_id,
            "lpi.stream": health.stream,
        },
        occurred=at,
        payload={
            "reasons": list(health.stale),
            "cadence": health.cadence,
            "last_success_at": _iso(health.last_success_at),
            "consecutive_failures": health.error_count,
            "last_error": health.last_error,
            "hits_per_day": round(health.hits_per_day, 2),
            "last_hit_at": _iso(health.last_hit_at),
        },
    )


@flow(name="source-health")
def check_source_health(config_path: str | None = None) -> dict[str, Any]:
    """Compute every configured source's health, emit an event per stale source, publish the report."""
    logger = get_run_logger()
    config = load_config(config_path)
    at = now()
    with session_scope(open_engine(config.store_url())) as session:
        healths = source_health(session, config.sources(), stream_cadences(), at)
    stale = [h for h in healths if h.stale]
    for health in stale:
        logger.warning("STALE %s: %s", health.source_id, "; ".join(health.stale))
        emit_stale(health, at)
    create_markdown_artifact(render_markdown(healths, at), key=ARTIFACT_KEY, description="Source health")
    return {"checked": len(healths), "stale": {h.source_id: list(h.stale) for h in stale}}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
