"""deployments.yaml: all twelve streams scheduled at their methodology cadence, built for Prefect."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from flows.schedules import DeploymentsError, load_deployments, stream_cadences
from sources import STREAMS

METHODOLOGY_CADENCE = {
    "tier1-news": "daily", "tech-press": "daily", "courts": "weekly", "regulators": "weekly",
    "preprints": "weekly", "vendor-disclosures": "continuous", "aiid": "daily", "bug-bounty": "weekly",
    "security-blogs": "daily", "user-submissions": "continuous", "reddit-hn": "daily", "avi-tracker": "continuous",
}


def test_every_stream_has_a_deployment_at_its_methodology_cadence() -> None:
    assert set(STREAMS) == set(METHODOLOGY_CADENCE)
    assert stream_cadences() == METHODOLOGY_CADENCE


def test_deployments_build_with_their_schedules_and_pinned_config(tmp_path: Path) -> None:
    from flows.serve import build_deployments

    config = tmp_path / "lpi.yaml"
    built = {d.name: d for d in build_deployments(str(config))}
    assert len(built) == 15
    assert built["courts"].schedules[0].schedule.cron == "0 6 * * 1"
    assert built["tier1-news"].schedules[0].schedule.cron == "0 6 * * *"
    assert built["vendor-disclosures"].schedules[0].schedule.interval == timedelta(minutes=10)
    assert built["reddit-hn"].parameters == {"stream": "reddit-hn", "config_path": str(config.resolve())}
    assert built["all-streams"].schedules == [] and built["all-streams"].flow_name == "intake-cycle"
    assert built["reconcile"].flow_name == "reconcile" and built["reconcile"].schedules[0].schedule.cron == "0 6 * * 1"


def test_a_bad_cadence_is_refused_with_the_file_named(tmp_path: Path) -> None:
    bad = tmp_path / "deployments.yaml"
    bad.write_text("deployments:\n  - {name: x, flow: poll-stream, cadence: hourly}\n", encoding="utf-8")
    with pytest.raises(DeploymentsError, match=r"deployments.yaml: x: cadence must be one of daily, weekly, continuous"):
        load_deployments(bad)
