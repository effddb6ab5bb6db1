"""From the form to the queue: reports sent to the running app are polled by the intake cycle
through the default configuration's ``lpi:submissions`` source, become lead candidates that open
clusters counting zero, and are read once each (the cursor moves past them)."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlmodel import select

from dedup.urls import canonical_url
from lpi.config import load_config
from lpi.pipeline import load_cursor, run_cycle
from store import Candidate, Cluster, QueueState, SourceState, session_scope
from tests.conftest import write_config
from tests.replay import ReplayServer
from tests.web.conftest import LiveServer

SOURCE_ID = "user-submissions/lpi-submission-form"
SLACK = "https://promptarmor.substack.com/p/data-exfiltration-from-slack-ai-via-indirect-prompt-injection"
CHARACTER_AI = "https://www.nytimes.com/2024/10/23/technology/characterai-lawsuit-teen-suicide.html"
DPD = "https://www.theguardian.com/technology/2024/jan/20/dpd-ai-chatbot-swears-calls-itself-useless-and-criticises-firm"


def submit(live: LiveServer, report: dict[str, str]) -> int:
    response = httpx.post(live.url + "/api/submissions", json=report)
    assert response.status_code in (200, 201), response.text
    return int(response.json()["id"])


def test_submissions_become_lead_candidates_that_count_zero(live: LiveServer, engine: Engine) -> None:
    config = load_config()  # the packaged configuration: kind submissions at lpi:submissions
    slack = submit(live, {"url": SLACK, "description": "Slack AI leaks private channel data through prompt injection.",
                          "contact": "reporter@example.net"})
    character = submit(live, {"url": CHARACTER_AI, "title": "Mother sues Character.AI after her son's suicide"})
    assert submit(live, {"url": CHARACTER_AI, "title": "Mother sues Character.AI after her son's suicide"}) == character

    first = run_cycle(config, engine, ["user-submissions"]).sources[0]
    again = run_cycle(config, engine, ["user-submissions"]).sources[0]
    dpd = submit(live, {"url": DPD, "title": "DPD chatbot swears at customer"})
    third = run_cycle(config, engine, ["user-submissions"]).sources[0]

    assert (first.source_id, first.status, first.new_hits, first.warnings) == (SOURCE_ID, "fetched", 2, [])
    assert (again.status, again.new_hits, again.known_hits) == ("fetched", 0, 0)  # nothing after the cursor
    assert (third.new_hits, third.known_hits) == (1, 0)
    with session_scope(engine) as session:
        candidates = sorted(session.exec(select(Candidate)).all(), key=lambda c: int(c.entities["submission_ids"][0]))
        clusters = session.exec(select(Cluster)).all()
        state = session.get(SourceState, SOURCE_ID)
    assert [(c.stream, c.role, c.url, c.title) for c in candidates] == [
        ("user-submissions", "lead", "https://promptarmor.substack.com/p/data-exfiltration-from-slack-ai-via-indirect-prompt-injection",
         "Data exfiltration from slack ai via indirect prompt injection"),
        ("user-submissions", "lead", "https://nytimes.com/2024/10/23/technology/characterai-lawsuit-teen-suicide.html",
         "Mother sues Character.AI after her son's suicide"),
        ("user-submissions", "lead", "https://theguardian.com/technology/2024/jan/20/dpd-ai-chatbot-swears-calls-itself-useless-and-criticises-firm",
         "DPD chatbot swears at customer"),
    ]
    assert [c.entities["submission_ids"] for c in candidates] == [[str(slack)], [str(character)], [str(dpd)]]
    assert all("reporter@example.net" not in str(c.model_dump()) for c in candidates)
    assert len(clusters) == 3
    assert all(c.state == QueueState.LEAD and c.independent_count == 0 for c in clusters)
    assert load_cursor(state) == {"after": dpd}


def test_a_submitted_article_still_counts_when_a_confirming_stream_brings_it(
    live: LiveServer, engine: Engine, replay: ReplayServer, tmp_path: Path
) -> None:
    """The lead and the feed's hit are two candidates: the lead counts zero, the article counts once."""
    ars = "https://arstechnica.com/tech-policy/2024/02/air-canada-must-honor-refund-policy-invented-by-airlines-chatbot/"
    submit(live, {"url": ars, "title": "Air Canada must honor refund policy invented by airline's chatbot"})
    streams = {
        "user-submissions": {"sources": [{"name": "form", "kind": "submissions", "url": "lpi:submissions"}]},
        "tech-press": {"sources": [{"name": "ars", "kind": "feed", "url": "/feeds/ars-technica.xml"}]},
    }
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, str(engine.url), streams))
    lead = run_cycle(config, engine, ["user-submissions"]).sources[0]
    feed = run_cycle(config, engine, ["tech-press"]).sources[0]

    assert (lead.new_hits, feed.new_hits, feed.known_hits) == (1, 3, 0)
    with session_scope(engine) as session:
        same = session.exec(select(Candidate).where(Candidate.url == canonical_url(ars))).all()
    assert sorted((c.role, c.key.split(":", 1)[0]) for c in same) == [("confirming", "https"), ("lead", "lead")]
