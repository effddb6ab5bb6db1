"""``lpi serve``: every deployment of ``deployments.yaml`` served against a running Prefect server."""

from __future__ import annotations

from pathlib import Path

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from flows.health import check_source_health
from flows.intake import FLOWS as INTAKE_FLOWS
from flows.reconcile import reconcile_clusters
from flows.schedules import load_deployments

FLOWS = {**INTAKE_FLOWS, "source-health": check_source_health, "reconcile": reconcile_clusters}


def build_deployments(config_path: str | None = None, deployments_file: Path | None = None) -> list[RunnerDeployment]:
    """One runner deployment per entry, with its schedule, and the configuration file pinned."""
    deployments = []
    for spec in load_deployments(deployments_file):
        parameters = dict(spec.parameters)
        if config_path:
            parameters["config_path"] = str(Path(config_path).resolve())
        deployments.append(
            FLOWS[spec.flow].to_deployment(
                name=spec.name,
                cron=spec.cron,
                interval=spec.interval,
                parameters=parameters,
                tags=["lpi-intake", spec.cadence or "on-demand"],
            )
        )
    return deployments


def serve_deployments(config_path: str | None = None, deployments_file: Path | None = None) -> None:
    serve(*build_deployments(config_path, deployments_file), pause_on_shutdown=False)
