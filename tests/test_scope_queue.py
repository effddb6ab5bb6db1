"""Out-of-scope evidence through the real pipeline (loopback feeds, real store): a cluster whose
confirming members are all out of scope is kept, counted and explained but parked outside the queue;
in-scope evidence or a reviewer's "in scope after all" brings it back; promoted clusters are never
touched; ``lpi reprocess`` assesses hits stored before scope existed."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import Engine, update
from sqlmodel import col, select

import review
from lpi.config import Config, load_config
from lpi.pipeline import reprocess, run_cycle
from review import QueueFilter, Section, StateError
from store import Candidate, Cluster, ClusterMember, QueueState, session_scope
from tests.conftest import write_config
from tests.replay import ReplayServer, Route

Story = tuple[str, str, str, str]  # url, published (RFC 822), title, description

WAYMO = (
    ("https://www.theverge.com/2025/2/11/waymo-robotaxi-cyclist-san-francisco", "Tue, 11 Feb 2025 22:10:00 +0000",
     "Waymo robotaxi hits cyclist at San Francisco intersection",
     ("A driverless Waymo robotaxi struck a cyclist at an intersection in San Francisco's Mission District on Tuesday "
      "evening. The cyclist was taken to hospital with minor injuries; Waymo said its autonomous vehicle braked but "
      "could not avoid the collision.")),
    ("https://arstechnica.com/cars/2025/02/waymo-driverless-car-strikes-cyclist-in-san-francisco/",
     "Wed, 12 Feb 2025 08:00:00 +0000",
     "Waymo driverless car strikes cyclist in San Francisco, company says",
     ("A Waymo robotaxi operating without a safety driver hit a cyclist at an intersection in San Francisco's Mission "
      "District. Waymo said the autonomous vehicle braked hard and that the cyclist suffered minor injuries.")),
    ("https://www.theguardian.com/us-news/2025/feb/12/waymo-robotaxi-cyclist-injured-san-francisco",
     "Wed, 12 Feb 2025 15:30:00 +0000",
     "Cyclist injured by Waymo robotaxi in San Francisco",
     ("A cyclist was injured after a Waymo driverless robotaxi hit them at a Mission District intersection in San "
      "Francisco; the company said its autonomous vehicle braked.")),
)
AVIANCA = (
    ("https://www.theverge.com/2023/5/27/avianca-lawsuit-chatgpt-fake-cases", "Sat, 27 May 2023 14:00:00 +0000",
     "Lawyer used ChatGPT in Avianca lawsuit and cited fake cases",
     ("A lawyer suing the airline Avianca submitted a brief citing six court decisions that do not exist; he told the "
      "judge he had relied on ChatGPT for his legal research.")),
    ("https://arstechnica.com/tech-policy/2023/05/avianca-lawyer-cited-fake-cases-invented-by-chatgpt/",
     "Tue, 30 May 2023 11:00:00 +0000",
     "Avianca lawsuit lawyer cited fake cases invented by ChatGPT",
     ("A New York lawyer who sued Avianca on a passenger's behalf filed a brief whose cited cases were invented by "
      "ChatGPT; the judge has ordered a hearing on sanctions.")),
)
AIR_CANADA = (
    ("https://www.theverge.com/2024/2/16/air-canada-chatbot-refund-policy", "Fri, 16 Feb 2024 18:00:00 +0000",
     "Air Canada must honor refund policy invented by its chatbot",
     ("A tribunal ruled that Air Canada must pay a passenger the bereavement refund its customer-service chatbot "
      "invented, rejecting the airline's claim that the chatbot was responsible for its own actions.")),
    ("https://arstechnica.com/tech-policy/2024/02/air-canada-must-honor-refund-policy-invented-by-chatbot/",
     "Sat, 17 Feb 2024 09:00:00 +0000",
     "Air Canada chatbot invented a refund policy, and the airline must honor it",
     ("British Columbia's Civil Resolution Tribunal ordered Air Canada to refund a passenger who relied on the "
      "airline's chatbot, which invented a bereavement refund policy.")),
)
ZOOX = (
    ("https://www.theverge.com/2025/5/6/zoox-robotaxi-recall-las-vegas-braking", "Tue, 06 May 2025 17:00:00 +0000",
     "Zoox recalls 270 robotaxis after one braked suddenly in Las Vegas",
     ("Zoox is recalling 270 of its driverless robotaxis after one braked unexpectedly on a Las Vegas road, the "
      "Amazon-owned company told federal safety regulators.")),
    ("https://arstechnica.com/cars/2025/05/amazons-zoox-recalls-270-robotaxis-after-unexpected-braking/",
     "Wed, 07 May 2025 10:00:00 +0000",
     "Amazon's Zoox recalls 270 robotaxis after unexpected braking in Las Vegas",
     ("Zoox, Amazon's driverless car unit, is recalling 270 robotaxis after one braked unexpectedly in Las Vegas, "
      "according to a filing with federal safety regulators.")),
)
MYCITY = (  # the first report never says what answered: a portal, for all its words tell
    ("https://www.theverge.com/2024/3/29/nyc-mycity-portal-illegal-advice", "Fri, 29 Mar 2024 16:00:00 +0000",
     "New York City's MyCity portal gave business owners illegal advice on tips and tenants",
     ("New York City's MyCity portal told business owners they could take a cut of workers' tips and refuse tenants "
      "who pay with Section 8 vouchers, both illegal in the city.")),
    ("https://arstechnica.com/ai/2024/03/nycs-mycity-chatbot-tells-business-owners-to-break-the-law/",
     "Sat, 30 Mar 2024 12:00:00 +0000",
     "NYC's MyCity chatbot tells business owners to break the law",
     ("New York City's MyCity AI chatbot told business owners they could take a cut of workers' tips and refuse "
      "Section 8 tenants, advice that breaks city law.")),
)
FIRST_RUN = {"verge": [WAYMO[0], AVIANCA[0], AIR_CANADA[0], ZOOX[0], MYCITY[0]], "ars": [WAYMO[1], AVIANCA[1], AIR_CANADA[1]]}
SECOND_RUN = {"verge": FIRST_RUN["verge"], "ars": [*FIRST_RUN["ars"], ZOOX[1], MYCITY[1]], "guardian": [WAYMO[2]]}


def rss(stories: list[Story]) -> bytes:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(url)}</link><guid>{escape(url)}</guid>"
        f"<pubDate>{published}</pubDate><description>{escape(text)}</description></item>"
        for url, published, title, text in stories
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>news</title>{items}</channel></rss>'.encode()


def serve(replay: ReplayServer, feeds: dict[str, list[Story]]) -> None:
    for name, stories in feeds.items():
        replay.routes[f"/scope/{name}.xml"] = Route(200, rss(stories), {"Content-Type": "application/rss+xml"})


def configured(tmp_path: Path, replay: ReplayServer, database_url: str, feeds: dict[str, list[Story]]) -> Config:
    """A tech-press stream without keywords, so that stories naming no LLM are ingested too."""
    serve(replay, feeds)
    sources = [{"name": name, "kind": "feed", "url": f"/scope/{name}.xml"} for name in feeds]
    streams: dict[str, Any] = {"tech-press": {"sources": sources}}
    return load_config(write_config(tmp_path / f"lpi-{len(feeds)}.yaml", replay, database_url, streams))


def cluster_of(engine: Engine, story: Story) -> Cluster:
    with session_scope(engine) as session:
        found = session.exec(
            select(Cluster)
            .join(ClusterMember, col(ClusterMember.cluster_id) == col(Cluster.id))
            .join(Candidate, col(Candidate.id) == col(ClusterMember.candidate_id))
            .where(col(Candidate.original_url) == story[0])
        ).one()
        session.expunge(found)
        return found


def id_of(cluster: Cluster) -> int:
    assert cluster.id is not None
    return cluster.id


def queued(engine: Engine, *states: QueueState) -> dict[int, review.QueueItem]:
    with session_scope(engine) as session:
        return {i.cluster_id: i for i in review.list_queue(session, QueueFilter(states=states) if states else None)}


def test_out_of_scope_clusters_are_kept_visible_and_out_of_the_queue_until_in_scope_evidence_or_a_reviewer(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    first = run_cycle(configured(tmp_path, replay, database_url, FIRST_RUN), engine)

    waymo, avianca, air_canada = cluster_of(engine, WAYMO[0]), cluster_of(engine, AVIANCA[0]), cluster_of(engine, AIR_CANADA[0])
    zoox, mycity = cluster_of(engine, ZOOX[0]), cluster_of(engine, MYCITY[0])
    assert cluster_of(engine, WAYMO[1]).id == waymo.id and cluster_of(engine, AVIANCA[1]).id == avianca.id
    # (a) two outlets on an autonomous-vehicle crash, (b) two on a 2023 event: counted, explained, parked
    for cluster, why in ((waymo, "about autonomous vehicles: 'waymo', "), (avianca, "before the tracker's scope (2024-01-01 on)")):
        assert (cluster.state, cluster.independent_count) == (QueueState.EXCLUDED, 2)
        scope = cluster.explanation["scope"]
        assert scope["out_of_scope"] and scope["verdict"] == "out of scope: all 2 confirming member(s) score below 0.5"
        assert [m["in_scope"] for m in scope["members"]] == [False, False]
        assert all(any(why in reason for reason in m["reasons"]) for m in scope["members"])
    # (c) an LLM incident in production is promoted as before, and is the only promotion
    assert air_canada.state is QueueState.PROMOTED and [p.cluster_id for p in first.match.promoted] == [air_canada.id]
    assert {p.cluster_id for p in first.match.parked} == {waymo.id, avianca.id}  # at two, but parked: the run says so
    assert f"parked out of scope #{waymo.id}" in first.render_text() and "## Parked out of scope" in first.render_markdown()
    assert (zoox.state, mycity.state) == (QueueState.EXCLUDED, QueueState.EXCLUDED)

    parked = {waymo.id, avianca.id, zoox.id, mycity.id}
    assert not parked & set(queued(engine))  # not in the queue...
    listed = queued(engine, QueueState.EXCLUDED)  # ...but listed when asked for, with why
    assert set(listed) == parked and {i.section for i in listed.values()} == {Section.OUT_OF_SCOPE}
    assert "about autonomous vehicles: 'waymo'" in (listed[id_of(waymo)].out_of_scope or "")
    with session_scope(engine) as session, pytest.raises(StateError, match="not in a review queue"):
        review.claim(session, id_of(waymo), "rev-a")

    # (d) a reviewer says a parked cluster is in scope after all: audited, and it joins the watched list
    with session_scope(engine) as session:
        decision = review.mark_in_scope(session, id_of(zoox), "rev-a", note="the recall concerns the robotaxi's voice assistant")
    assert cluster_of(engine, ZOOX[0]).state is QueueState.WATCHED
    with session_scope(engine) as session:
        [entry] = [e for e in review.audit_log(session, f"cluster:{zoox.id}") if e.action == "in_scope"]
        assert (entry.decision_id, entry.actor, entry.before["state"], entry.after["state"]) == (
            decision.id, "rev-a", "out-of-scope", "watched")
        with pytest.raises(StateError, match="only an out-of-scope cluster"):
            review.mark_in_scope(session, id_of(air_canada), "rev-a")

    second = run_cycle(configured(tmp_path, replay, database_url, SECOND_RUN), engine, force=True)

    # the later run respects the reviewer: a second out-of-scope outlet promotes the cluster
    zoox = cluster_of(engine, ZOOX[1])
    assert (zoox.state, zoox.independent_count) == (QueueState.PROMOTED, 2)
    assert zoox.explanation["scope"]["verdict"] == f"in scope: rev-a decided so (decision {decision.id})"
    # (e) mixed evidence: an in-scope report joins a parked cluster and takes it to the verification queue
    mycity = cluster_of(engine, MYCITY[1])
    assert (mycity.state, mycity.independent_count) == (QueueState.PROMOTED, 2)
    assert [m["in_scope"] for m in mycity.explanation["scope"]["members"]] == [False, True]
    assert mycity.explanation["scope"]["verdict"] == "in scope: 1 of 2 confirming member(s) in scope"
    assert sorted(p.cluster_id for p in second.match.promoted) == sorted([id_of(zoox), id_of(mycity)])
    # more out-of-scope evidence keeps being counted, and the cluster stays parked
    waymo = cluster_of(engine, WAYMO[2])
    assert (waymo.state, waymo.independent_count) == (QueueState.EXCLUDED, 3)
    assert cluster_of(engine, AVIANCA[0]).state is QueueState.EXCLUDED


def test_reprocess_assesses_hits_stored_before_scope_and_never_touches_a_promoted_cluster(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    config = configured(tmp_path, replay, database_url, FIRST_RUN)
    run_cycle(config, engine)
    waymo, zoox = cluster_of(engine, WAYMO[0]), cluster_of(engine, ZOOX[0])
    with session_scope(engine) as session:  # as revision 0007 leaves a store from before: nothing assessed...
        session.execute(update(Candidate).values(scope_score=None, in_scope=None, scope_reasons=[]))
        session.execute(update(Cluster).where(col(Cluster.id) == waymo.id).values(state=QueueState.PROMOTED))  # ...and
        session.execute(update(Cluster).where(col(Cluster.id) == zoox.id).values(state=QueueState.WATCHED))  # counted alone

    report = reprocess(config, engine)

    assert report.updated == len(FIRST_RUN["verge"]) + len(FIRST_RUN["ars"]) and report.new_hits == 0
    with session_scope(engine) as session:
        assert all(c.in_scope is not None and c.scope_reasons for c in session.exec(select(Candidate)))
    assert cluster_of(engine, ZOOX[0]).state is QueueState.EXCLUDED  # recounted: parked
    assert cluster_of(engine, WAYMO[0]).state is QueueState.PROMOTED  # promoted before: left to the reviewers
    assert reprocess(config, engine).updated == 0  # and running it again changes nothing
