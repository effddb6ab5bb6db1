"""``deployments.yaml``: which flow runs for which stream, and how often. Read without Prefect."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEPLOYMENTS_FILE = Path(__file__).resolve().parents[1] / "deployments.yaml"
CADENCES: dict[str, dict[str, Any]] = {
    "daily": {"cron": "0 6 * * *"},
    "weekly": {"cron": "0 6 * * 1"},
    "continuous": {"interval": 600},
}
FLOWS = ("poll-stream", "intake-cycle", "source-health", "reconcile")


class DeploymentsError(ValueError):
    pass


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    flow: str
    cadence: str | None = None  # daily | weekly | continuous | custom | None (on demand)
    cron: str | None = None
    interval: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def stream(self) -> str | None:
        return self.parameters.get("stream")


def deployments_path() -> Path:
    return Path(os.environ.get("LPI_DEPLOYMENTS") or DEPLOYMENTS_FILE)


def load_deployments(path: Path | None = None) -> list[DeploymentSpec]:
    path = path or deployments_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise DeploymentsError(f"cannot read {path}: {exc.strerror}") from exc
    specs = []
    for entry in raw.get("deployments") or []:
        name, flow = entry.get("name"), entry.get("flow")
        if not name or flow not in FLOWS:
            raise DeploymentsError(f"{path}: each deployment needs a name and a flow in {FLOWS}: {entry!r}")
        cadence = entry.get("cadence")
        if cadence is not None and cadence not in CADENCES:
            raise DeploymentsError(f"{path}: {name}: cadence must be one of {', '.join(CADENCES)}")
        timing = CADENCES.get(cadence, {})
        cron, interval = entry.get("cron", timing.get("cron")), entry.get("interval", timing.get("interval"))
        if cadence is None and (cron or interval):
            cadence = "custom"
        specs.append(DeploymentSpec(name, flow, cadence, cron, interval, dict(entry.get("parameters") or {})))
    return specs


def stream_cadences(path: Path | None = None) -> dict[str, str]:
    """Stream name → cadence of the deployment that polls it."""
    return {d.stream: d.cadence or "on demand" for d in load_deployments(path) if d.stream}
