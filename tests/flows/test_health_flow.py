"""The source-health flow against a real (temporary) Prefect server: the stale-source event a
notification can hang on, read back through the events API, and the Markdown report."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lpi.config import load_config
from lpi.pipeline import run_cycle
from store import open_engine
from tests.conftest import write_config
from tests.replay import ReplayServer
from tests.test_health import age

pytestmark = pytest.mark.usefixtures("prefect_server")

STALE_SOURCE = "tech-press/ars-technica"


def read_back(event: str, resource_id: str, wait: float = 60.0) -> list[Any]:
    """Events the server has stored (it persists them in batches, so poll for a while)."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    give_up = time.monotonic() + wait
    with get_client(sync_client=True) as client:
        while True:  # a new filter each time: its window ends at the moment it is made
            wanted = EventFilter(event=EventNameFilter(name=[event]), resource=EventResourceFilter(id=[resource_id]))
            found = client.read_events(wanted, limit=50).events  # the server refuses the client's default of 100
            if found or time.monotonic() > give_up:
                return found
            time.sleep(1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_source_health_flow_emits_an_event_per_stale_source_and_publishes_a_report(
    tmp_path: Path, replay: ReplayServer, database_url: str
) -> None:
    from prefect.artifacts import Artifact
    from prefect.client.schemas.objects import Artifact as StoredArtifact

    from flows.health import STALE_EVENT, check_source_health

    config_path = write_config(tmp_path / "lpi.yaml", replay, database_url)
    engine = open_engine(database_url)
    run_cycle(load_config(config_path), engine)
    age(engine, STALE_SOURCE, timedelta(days=5))  # five days pass without a successful poll of it
    engine.dispose()

    result = check_source_health(config_path=str(config_path))

    reason = "no successful poll for 5d (daily: expected within 2d)"
    assert result == {"checked": 9, "stale": {STALE_SOURCE: [reason]}}
    [event] = read_back(STALE_EVENT, f"lpi.source.{STALE_SOURCE}")
    assert event.resource["prefect.resource.name"] == STALE_SOURCE
    assert event.resource["lpi.stream"] == "tech-press"
    assert event.payload["reasons"] == [reason]
    assert event.payload["cadence"] == "daily" and event.payload["consecutive_failures"] == 0
    assert event.payload["hits_per_day"] == 3.0
    assert read_back(STALE_EVENT, "lpi.source.tech-press/the-verge-ai", wait=0) == []  # healthy: no event
    artifact = Artifact.get("source-health")
    assert isinstance(artifact, StoredArtifact) and isinstance(artifact.data, str)
    assert "**1** stale, **0** failing, 9 sources." in artifact.data
    assert f"| {STALE_SOURCE} | {reason} |" in artifact.data
