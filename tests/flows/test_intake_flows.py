"""The Prefect flows against a real (temporary) Prefect server: runs, task isolation, artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import INTAKE_STREAMS, write_config
from tests.replay import ReplayServer, Route

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_intake_cycle_flow_isolates_a_broken_source_and_publishes_a_summary(
    tmp_path: Path, replay: ReplayServer, database_url: str
) -> None:
    from prefect.artifacts import Artifact

    from flows.intake import intake_cycle, poll_stream

    replay.routes["/down"] = Route(503, b"maintenance")
    streams = dict(INTAKE_STREAMS)
    streams["security-blogs"] = {
        "sources": [*INTAKE_STREAMS["security-blogs"]["sources"], {"name": "down", "kind": "feed", "url": "/down"}]
    }
    config = write_config(tmp_path / "lpi.yaml", replay, database_url, streams)

    result = intake_cycle(config_path=str(config))

    assert [s["source_id"] for s in result["sources"] if s["status"] == "error"] == ["security-blogs/down"]
    assert sum(s["new_hits"] for s in result["sources"]) == 15
    assert len(result["match"]["promoted"]) == 5
    artifact = Artifact.get("intake-cycle-summary")
    assert artifact is not None
    assert "**15** new hits" in artifact.data and "| security-blogs/down | HTTP 503" in artifact.data

    second = poll_stream("tech-press", config_path=str(config))
    statuses = {s["source_id"]: s["status"] for s in second["sources"]}
    assert statuses.pop("tech-press/ars-technica") == "skipped"  # its feed declares itself fresh for an hour
    assert set(statuses.values()) == {"not_modified"}
    assert Artifact.get("tech-press-summary") is not None
