"""The queue's sections, filters and orders, and one item's evidence side by side."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

import review
from dedup.scope import assess
from review import Order, QueueFilter, Section
from store import QueueState, repo, session_scope
from tests.review.builders import T0, Source, add_cluster

LEGAL = "Lawyer sanctioned for ChatGPT fake case citations in court brief"
LEGAL_TEXT = "A judge sanctioned a lawyer whose brief cited non-existent cases that ChatGPT had made up."


@pytest.fixture
def queue(engine: Engine) -> dict[str, int]:
    """Three promoted items and one watched, seen at different times, one with a court filing."""
    old = T0 - timedelta(days=30)
    return {
        "legal": add_cluster(engine, [
            Source("reuters.com", stream="tier1-news", summary=LEGAL_TEXT, published=old),
            Source("courtlistener.com", stream="courts", summary=LEGAL_TEXT, published=old + timedelta(days=1)),
            Source("theverge.com", summary=LEGAL_TEXT, published=old + timedelta(days=2)),
        ], title=LEGAL),
        "airline": add_cluster(engine, ["bbc.co.uk", "theverge.com"]),
        "leak": add_cluster(engine, [
            Source("theregister.com", summary="Chatbot leaked other users' chat history.", published=T0 - timedelta(days=2)),
            Source("wired.com", summary="Chat history of other users exposed.", published=T0 - timedelta(hours=30)),
        ], title="Chatbot shows other users' chat history"),
        "watched": add_cluster(engine, [Source("arstechnica.com", published=T0 - timedelta(days=3))], title="One source only"),
    }


def ids(engine: Engine, wanted: QueueFilter | None = None) -> list[int]:
    with session_scope(engine) as session:
        return [item.cluster_id for item in review.list_queue(session, wanted, at=T0)]


def test_sections_and_the_default_order(engine: Engine, queue: dict[str, int]) -> None:
    with session_scope(engine) as session:
        items = review.list_queue(session, at=T0)
    assert [i.cluster_id for i in items] == [queue["legal"], queue["airline"], queue["leak"], queue["watched"]]
    assert [i.section for i in items] == [Section.VERIFICATION] * 3 + [Section.WATCHED]
    legal = items[0]
    assert (legal.independent, legal.members, legal.streams) == (3, 3, ["courts", "tech-press", "tier1-news"])
    assert legal.origins == ["reuters.com", "courtlistener.com", "theverge.com"]
    assert legal.category_hints[0] == "fabricated-citations" and legal.age.days == 30


def test_filters(engine: Engine, queue: dict[str, int]) -> None:
    assert ids(engine, QueueFilter(states=(QueueState.WATCHED,))) == [queue["watched"]]
    assert ids(engine, QueueFilter(streams=("courts",))) == [queue["legal"]]
    assert ids(engine, QueueFilter(category="Cross-user data leakage")) == [queue["leak"]]
    assert ids(engine, QueueFilter(min_age=timedelta(days=10))) == [queue["legal"]]
    assert ids(engine, QueueFilter(max_age=timedelta(days=2, hours=12))) == [queue["airline"], queue["leak"]]
    assert ids(engine, QueueFilter(min_independent=3)) == [queue["legal"]]
    assert ids(engine, QueueFilter(max_independent=1)) == [queue["watched"]]
    with session_scope(engine) as session:
        review.claim(session, queue["airline"], "alice", at=T0)
    assert queue["airline"] not in ids(engine, QueueFilter(unclaimed=True))
    with pytest.raises(ValueError, match="unknown category 'weather'"):
        ids(engine, QueueFilter(category="weather"))
    with pytest.raises(ValueError, match="not a queue state: verified"):
        ids(engine, QueueFilter(states=(QueueState.VERIFIED,)))


def test_orders_keep_sections_apart(engine: Engine, queue: dict[str, int]) -> None:
    assert ids(engine, QueueFilter(order=Order.OLDEST)) == [queue["legal"], queue["leak"], queue["airline"], queue["watched"]]
    assert ids(engine, QueueFilter(order=Order.NEWEST)) == [queue["airline"], queue["leak"], queue["legal"], queue["watched"]]
    assert ids(engine, QueueFilter(order=Order.ID)) == sorted(ids(engine))[:3] + [queue["watched"]]


def test_evidence_puts_every_member_side_by_side(engine: Engine) -> None:
    long_text = "The airline's chatbot " + "told a grieving passenger a refund policy that did not exist. " * 8
    cluster_id = add_cluster(engine, [
        Source("apnews.com", stream="tier1-news", text="wire", summary=long_text),
        Source("wtop.com", stream="tier1-news", text="wire", summary=long_text),
        Source("theguardian.com", stream="aiid", entities={"aiid_ids": ["639"], "models": []}),
        Source("news.ycombinator.com", stream="reddit-hn", role="discovery"),
    ])
    with session_scope(engine) as session:
        review.claim(session, cluster_id, "alice", at=T0)
        found = review.evidence(session, cluster_id, at=T0)
    assert (found.independent, found.origins) == (2, ["apnews.com", "theguardian.com"])
    ap, wtop, guardian, hn = found.members
    assert (ap.counted, ap.why) == (True, "counted: origin apnews.com")
    assert not wtop.counted and wtop.why.startswith(f"collapsed into apnews.com: identical text to candidate {ap.candidate_id}")
    assert guardian.source_type == "AI Incident Database" and guardian.counted
    assert hn.why == "counts zero: discovery only (Reddit / Hacker News): never a confirming source"
    assert len(ap.snippet) == 280 and ap.snippet.endswith("…") and ap.url.startswith("https://apnews.com/")
    assert (found.aiid_id, found.aiid_url) == ("639", "https://incidentdatabase.ai/cite/639")
    assert found.claimed_by == "alice" and found.hints.aiid_ids == ["639"]
    assert found.hints.models[0].model == "ChatGPT" and found.hints.models[0].members == 3
    assert "customer-service" in found.hints.sectors and found.hints.scope == []
    suggested = review.suggested_fields(found)
    assert (suggested["model_vendor"], suggested["model_name"], suggested["aiid_id"]) == ("OpenAI", "ChatGPT", "639")
    assert suggested["incident_date"] == "2025-03-02" and suggested["summary"] is None


def test_scope_doubts_are_the_stored_verdicts_of_out_of_scope_members(engine: Engine) -> None:
    cluster_id = add_cluster(engine, [
        Source("theverge.com", summary="Researchers demonstrated a proof-of-concept attack on a robotaxi.",
               published=T0.replace(year=2023), entities={}),
        Source("wired.com", summary="A self-driving car ignored a stop sign.", entities={}),
        Source("arstechnica.com", summary="ChatGPT told a driver's customers that stop signs are optional."),
        Source("example.org", summary="A self-driving car ignored a stop sign again.", entities={}),
    ], title="Stop sign ignored")
    with session_scope(engine) as session:
        verge, wired, ars, _ = (c for c, _ in repo.cluster_members(session, cluster_id))
        for c in (verge, wired, ars):  # as normalization assesses them; the fourth was stored before that
            found = assess(c.title, c.summary, c.entities.get("models", []), c.published_at)
            c.scope_score, c.in_scope, c.scope_reasons = found.score, found.in_scope, found.sentences
    with session_scope(engine) as session:
        doubts = review.evidence(session, cluster_id).hints.scope
    assert [d.split(":")[0] for d in doubts] == [f"#{verge.id} out of scope (score 0.00)", f"#{wired.id} out of scope (score 0.00)"]
    assert "lab / red-team finding, no production use stated: 'researchers demonstrated', 'proof-of-concept' (-0.45)" in doubts[0]
    assert "published 2023-03-03, before the tracker's scope (2024-01-01 on) (-0.70)" in doubts[0]
    assert "about autonomous vehicles: 'robotaxi' (-0.70)" in doubts[0]
    assert "about autonomous vehicles: 'self-driving' (-0.70)" in doubts[1]
