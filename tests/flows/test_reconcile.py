"""Reconciliation: clusters formed under older matching settings, re-scored under the current ones.
Merges and splits are proposed (CLI, Prefect artifact), reviewer decisions are honoured, and
nothing in the database changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from dedup import MatchSettings
from lpi.cli import app
from lpi.config import load_config
from lpi.pipeline import run_cycle
from lpi.reconcile import Proposals, reconcile
from review import counting, not_same
from store import Candidate, Cluster, ClusterMember, QueueState, session_scope
from tests.conftest import write_config
from tests.replay import ReplayServer
from tests.review.builders import T0, add_cluster
from tests.stored import stored


def formed_with(tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine, threshold: float) -> Path:
    """Fill the database with one cycle matched at ``threshold``; return the current configuration."""
    run_cycle(load_config(write_config(tmp_path / "then.yaml", replay, database_url, matching={"threshold": threshold})), engine)
    return write_config(tmp_path / "now.yaml", replay, database_url)


def titled(engine: Engine, *words: str) -> list[int]:
    """The clusters of the stored hits whose titles contain each of ``words``, in that order."""
    with session_scope(engine) as session:
        rows = dict(session.exec(select(Candidate.title, ClusterMember.cluster_id).join(
            ClusterMember, col(ClusterMember.candidate_id) == col(Candidate.id))).all())
    return [next(cluster for title, cluster in rows.items() if word in title) for word in words]


def merged_titles(proposals: Proposals) -> set[frozenset[str]]:
    return {frozenset(m.titles) for m in proposals.merges}


AIR_CANADA = frozenset({
    "Air Canada must honor refund policy invented by airline’s chatbot",
    "Air Canada ordered to pay customer who was misled by airline's chatbot",
})


def test_clusters_kept_apart_by_a_strict_threshold_are_proposed_for_merging_unless_a_reviewer_said_no(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    current = formed_with(tmp_path, replay, database_url, engine, threshold=0.95)
    before = stored(engine)

    proposals = reconcile(engine, load_config(current).matching)

    assert AIR_CANADA in merged_titles(proposals)
    assert all(m.score >= 0.42 and m.keep < m.absorb for m in proposals.merges)
    assert proposals.splits == []  # every cluster is a single story
    assert stored(engine) == before  # proposals only

    keep, absorb = titled(engine, "Air Canada must honor", "Air Canada ordered to pay")
    with session_scope(engine) as session:
        not_same(session, keep, absorb, "rev-a", note="two different complaints")
    result = CliRunner().invoke(app, ["reconcile", "--json", "--config", str(current)])
    assert result.exit_code == 0, result.output
    after = json.loads(result.stdout)
    assert {frozenset(m["titles"]) for m in after["merges"]} == merged_titles(proposals) - {AIR_CANADA}
    assert all(m["command"] == f"lpi queue merge {m['keep']} {m['absorb']}" for m in after["merges"])


def test_a_cluster_chained_by_a_loose_threshold_is_proposed_for_splitting(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    current = formed_with(tmp_path, replay, database_url, engine, threshold=0.01)
    login, errors = titled(engine, "Console login delays", "Elevated errors on Claude")
    assert login == errors  # two different status incidents in one cluster
    before = stored(engine)

    result = CliRunner().invoke(app, ["reconcile", "--config", str(current)])

    assert result.exit_code == 0, result.output
    [split] = reconcile(engine, load_config(current).matching).splits
    assert split.cluster_id == login and split.score < 0.21
    assert {split.cluster_title, split.member_title} == {"Console login delays", "Elevated errors on Claude 3.5 Sonnet"}
    assert f"`lpi queue split {login} {split.candidate_id}`" in result.stdout
    assert "Nothing was changed." in result.stdout
    assert stored(engine) == before


@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_reconcile_flow_publishes_its_proposals_as_an_artifact(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    from prefect.artifacts import Artifact
    from prefect.client.schemas.objects import Artifact as StoredArtifact

    from flows.reconcile import ARTIFACT_KEY, reconcile_clusters

    current = formed_with(tmp_path, replay, database_url, engine, threshold=0.95)
    keep, absorb = titled(engine, "Air Canada must honor", "Air Canada ordered to pay")

    result = reconcile_clusters(config_path=str(current))

    assert {(m["keep"], m["absorb"]) for m in result["merges"]} >= {(keep, absorb)}
    artifact = Artifact.get(ARTIFACT_KEY)
    assert isinstance(artifact, StoredArtifact) and isinstance(artifact.data, str)
    assert f"`lpi queue merge {keep} {absorb}`" in artifact.data
    assert f"**{len(result['merges'])}** merges and **0** splits proposed. Nothing was changed." in artifact.data


def test_a_parked_cluster_is_proposed_for_merging_with_a_queued_one(engine: Engine) -> None:
    """Another report of a queued incident, judged out of scope on its own words, was parked apart."""
    queued = add_cluster(engine, ["bbc.co.uk"], "Airline chatbot invents refund policy")
    out = add_cluster(engine, ["theverge.com"], "Airline chatbot invents refund policy for grieving passenger")
    with session_scope(engine) as session:
        for member in counting.members(session, out):
            member.in_scope = False
        cluster = session.get(Cluster, out)
        assert cluster is not None
        counting.refresh(session, cluster, T0)
        assert cluster.state is QueueState.EXCLUDED

    proposals = reconcile(engine, MatchSettings())

    assert [(m.keep, m.absorb) for m in proposals.merges] == [(queued, out)] and proposals.clusters == 2
