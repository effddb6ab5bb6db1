"""Clusters parked out of scope on the reviewers' pages, over the real pipeline's clusters: kept off
the queue, listed in their own section with why, and brought back by "In scope after all"."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import col, select

from store import Cluster, QueueState, session_scope
from tests.live import LiveServer
from tests.web.test_review_pages import post, promoted, signed_in  # noqa: F401 (promoted is a fixture)

PARKED = "Console login delays"  # a status-page login delay that names no LLM: out of scope


def parked_cluster(engine: Engine) -> int:
    with session_scope(engine) as session:
        cluster = session.exec(select(Cluster).where(col(Cluster.title) == PARKED)).one()
        assert cluster.state is QueueState.EXCLUDED and cluster.id is not None
        return cluster.id


def test_out_of_scope_clusters_are_listed_apart_and_a_reviewer_brings_one_back(
    promoted: list[int], live: LiveServer, engine: Engine  # noqa: F811
) -> None:
    parked = parked_cluster(engine)
    alice = signed_in(live, "alice")

    queue = alice.get("/review").text
    assert PARKED not in queue and 'href="/review?section=out+of+scope"' in queue
    listed = alice.get("/review", params={"section": "out of scope"}).text
    assert f'href="/review/{parked}"' in listed and "names or describes no frontier LLM" in listed
    assert "Verification" not in listed  # only the section asked for

    item = f"/review/{parked}"
    assert "In scope after all" in alice.get(item).text
    answer = post(alice, f"{item}/in-scope", item, note="a console outage of the model vendor")
    assert answer.status_code == 303
    with session_scope(engine) as session:
        cluster = session.get(Cluster, parked)
        assert cluster is not None and cluster.state is QueueState.WATCHED
    assert PARKED in alice.get("/review").text and "In scope after all" not in alice.get(item).text
    again = post(alice, f"{item}/in-scope", item)
    assert again.status_code == 409 and "only an out-of-scope cluster can be brought in scope" in again.text
