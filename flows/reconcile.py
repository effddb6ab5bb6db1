"""The ``reconcile`` flow: weekly, the clusters awaiting review re-scored with the current matcher.

Its merge and split proposals become a Markdown artifact (``reconcile``) for a reviewer to act on;
the flow itself changes nothing (lpi.reconcile).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from lpi.config import load_config
from lpi.reconcile import reconcile
from store import open_engine

ARTIFACT_KEY = "reconcile"


@flow(name="reconcile")
def reconcile_clusters(config_path: str | None = None) -> dict[str, Any]:
    """Propose merges and splits of the open clusters and publish them; apply nothing."""
    config = load_config(config_path)
    engine = open_engine(config.store_url())
    try:
        proposals = reconcile(engine, config.matching)
    finally:
        engine.dispose()
    get_run_logger().info(
        "%d clusters re-scored: %d merges, %d splits proposed", proposals.clusters, len(proposals.merges), len(proposals.splits)
    )
    create_markdown_artifact(proposals.render_markdown(), key=ARTIFACT_KEY, description="Reconciliation proposals")
    return proposals.to_dict()
