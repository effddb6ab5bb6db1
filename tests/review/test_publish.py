"""Verifying publishes an incident with every field, ids LPI-YYYY-NNNN without gaps or repeats
(also when several processes publish at once), and only the claim holder may do it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

import review
from review import DraftError, LeaseError, StateError
from store import (
    Cluster,
    Incident,
    IncidentSequence,
    QueueState,
    ReviewerDecision,
    repo,
    session_scope,
)
from tests.review.builders import FIELDS, T0, Source, add_cluster
from tests.review.test_claims import finish, start_workers


def claim_and_verify(engine: Engine, cluster_id: int, at: datetime = T0, **changes: object) -> Incident:
    with session_scope(engine) as session:
        review.claim(session, cluster_id, "alice", at=at)
    with session_scope(engine) as session:
        return review.verify(session, cluster_id, "alice", {**FIELDS, **changes}, at=at)


def test_verify_publishes_every_field_with_computed_score_and_sources(engine: Engine) -> None:
    aiid = Source("theguardian.com", stream="aiid", role="confirming", entities={"aiid_ids": ["639"]})
    cluster_id = add_cluster(engine, ["bbc.co.uk", Source("apnews.com", text="wire"), Source("wtop.com", text="wire"), aiid])
    incident = claim_and_verify(engine, cluster_id, notable="true")

    assert incident.id == "LPI-2025-0001"
    assert incident.title == "Airline chatbot invents refund policy"  # the cluster's, as none was given
    assert incident.incident_date == date(2025, 2, 20)
    assert (incident.category, incident.sector) == ("Hallucination causing user harm", "Customer service")
    assert (incident.model_vendor, incident.model_name, incident.model_version) == ("OpenAI", "GPT-4", None)
    assert (incident.deployer, incident.jurisdiction) == ("Example Air", "CA")
    assert (incident.piss_population, incident.piss_harm, incident.piss_detection, incident.piss_response) == (1.0, 1.5, 2.5, 0.75)
    assert (incident.piss_composite, incident.piss_band) == (5.75, "Medium")
    assert incident.detection_mechanism == "End user reported it publicly"
    assert incident.lesson and incident.mitigation and incident.recommendation and incident.detection_gap
    assert incident.notable is True and incident.aiid_id == "639" and incident.status == "published"
    # one source per independent origin: the AP copy syndicated by WTOP counts once
    assert [(s["publisher"], s["type"]) for s in incident.sources] == [
        ("bbc.co.uk", "Specialty tech press"), ("apnews.com", "Specialty tech press"), ("theguardian.com", "AI Incident Database")
    ]
    with session_scope(engine) as session:
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None and cluster.state is QueueState.VERIFIED and cluster.claimed_by is None
        decision = session.exec(select(ReviewerDecision).where(ReviewerDecision.kind == "verify")).one()
        entry = next(e for e in review.audit_log(session, f"cluster:{cluster_id}") if e.action == "verify")
    assert decision.note == "LPI-2025-0001" and len(decision.candidate_ids) == 4
    assert entry.before["state"] == "promoted" and entry.after["state"] == "verified"
    assert entry.after["incident"] == "LPI-2025-0001" and entry.after["fields"]["piss_band"] == "Medium"
    assert entry.decision_id == decision.id


def test_only_the_claim_holder_verifies(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"])
    with pytest.raises(LeaseError, match="not claimed by alice: claim it first"), session_scope(engine) as session:
        review.verify(session, cluster_id, "alice", FIELDS, at=T0)
    with session_scope(engine) as session:
        review.claim(session, cluster_id, "bob", at=T0)
    with pytest.raises(LeaseError, match="claimed by bob"), session_scope(engine) as session:
        review.verify(session, cluster_id, "alice", FIELDS, at=T0)


def test_one_source_is_not_enough_to_publish(engine: Engine) -> None:
    cluster_id = add_cluster(engine, ["bbc.co.uk", Source("news.ycombinator.com", stream="reddit-hn", role="discovery")])
    with session_scope(engine) as session:
        review.claim(session, cluster_id, "alice", at=T0)
    with pytest.raises(StateError, match="1 independent confirming source.*needs 2"), session_scope(engine) as session:
        review.verify(session, cluster_id, "alice", FIELDS, at=T0)


def test_invalid_fields_publish_nothing_and_use_no_number(engine: Engine) -> None:
    first, second = (add_cluster(engine, ["bbc.co.uk", "theverge.com"], title=f"Story {n}") for n in range(2))
    with session_scope(engine) as session:
        review.claim(session, first, "alice", at=T0)
    with pytest.raises(DraftError) as caught, session_scope(engine) as session:
        review.verify(session, first, "alice", {**FIELDS, "sector": "space", "piss_harm": "4"}, at=T0)
    assert set(caught.value.problems) == {"sector", "piss_harm"}
    assert claim_and_verify(engine, second).id == "LPI-2025-0001"
    with session_scope(engine) as session:
        cluster = session.get(Cluster, first)
        assert cluster is not None and cluster.state is QueueState.PROMOTED and cluster.claimed_by == "alice"


def test_a_rolled_back_publication_gives_its_number_back(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        assert repo.next_incident_number(session, 2025) == 1
        raise RuntimeError("publication failed after the number was taken")
    with session_scope(engine) as session:
        assert [repo.next_incident_number(session, 2025) for _ in range(2)] == [1, 2]


def test_numbers_run_per_publication_year(engine: Engine) -> None:
    clusters = [add_cluster(engine, ["bbc.co.uk", "theverge.com"], title=f"Story {n}") for n in range(3)]
    new_year = datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    ids = [
        claim_and_verify(engine, clusters[0], at=T0).id,
        claim_and_verify(engine, clusters[1], at=new_year - timedelta(minutes=10)).id,
        claim_and_verify(engine, clusters[2], at=new_year).id,
    ]
    assert ids == ["LPI-2025-0001", "LPI-2025-0002", "LPI-2026-0001"]
    with session_scope(engine) as session:
        assert {s.year: s.last_number for s in session.exec(select(IncidentSequence))} == {2025: 2, 2026: 1}


def test_concurrent_publishers_in_processes_get_every_number_once(engine: Engine, database_url: str) -> None:
    """Four reviewers in four processes each publish five clusters at the same moment."""
    clusters = [add_cluster(engine, ["bbc.co.uk", "theverge.com"], title=f"Story {n}") for n in range(20)]
    reviewers = ["alice", "bob", "carol", "dave"]
    workers = [start_workers("publish", database_url, [r], clusters[i::4]) for i, r in enumerate(reviewers)]
    results = finish([w for group in workers for w in group])
    published = {int(c): incident for result in results for c, incident in result.items()}
    year = datetime.now(UTC).year
    assert sorted(published.values()) == [f"LPI-{year}-{n:04d}" for n in range(1, 21)]
    assert sorted(published) == clusters
    with session_scope(engine) as session:
        stored = {i.cluster_id: i.id for i in session.exec(select(Incident))}
    assert stored == published
