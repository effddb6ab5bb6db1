"""`lpi reprocess`: the raw archive is parsed again without fetching, after a parser or the
configuration changed. New hits are added; stored hits are brought up to date in place (same ids,
same clusters, recounted); a second run changes nothing."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from lpi.cli import app
from lpi.config import load_config
from lpi.pipeline import RENORMALIZED, reprocess, run_cycle
from store import Candidate, Cluster, ClusterMember, open_engine, session_scope
from store.models import MatchFeatures
from tests.conftest import INTAKE_STREAMS
from tests.conftest import write_config as configure
from tests.replay import ReplayServer, Route
from tests.stored import stored

FIELDS = (*RENORMALIZED, "published_at", "published_is_fallback", "raw_sha256")
T = TypeVar("T")


def candidates(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every stored hit by key: its id, its cluster and its normalized fields."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(Candidate, ClusterMember.cluster_id).join(ClusterMember, col(ClusterMember.candidate_id) == col(Candidate.id))
        )
        return {c.key: {"id": c.id, "cluster": cluster, **{f: getattr(c, f) for f in FIELDS}} for c, cluster in rows}


def kept_words(engine: Engine) -> dict[str, dict[str, list[str]]]:
    """What matching kept of each stored hit's text, by key."""
    with session_scope(engine) as session:
        rows = session.exec(select(Candidate.key, MatchFeatures.words).join(MatchFeatures, col(MatchFeatures.candidate_id) == col(Candidate.id)))
        return dict(rows.all())


def fresh_cycle(tmp_path: Path, replay: ReplayServer, read: Callable[[Engine], T]) -> T:
    """``read`` of a database filled by one cycle under the foundation's configuration: what
    reprocessing must arrive at."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = open_engine(url)
    try:
        run_cycle(load_config(configure(tmp_path / "fresh.yaml", replay, url)), engine)
        return read(engine)
    finally:
        engine.dispose()


def lpi_reprocess(config: Path, *streams: str) -> str:
    result = CliRunner().invoke(app, ["reprocess", "--config", str(config), *(a for s in streams for a in ("--stream", s))])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_widened_keyword_list_is_applied_to_the_archive_without_fetching(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    narrow = copy.deepcopy(INTAKE_STREAMS)
    for body in narrow.values():
        body["keywords"] = ["no-such-keyword"]
    first = run_cycle(load_config(configure(tmp_path / "narrow.yaml", replay, database_url, narrow)), engine)
    assert first.new_hits == 0 and sum(s.irrelevant for s in first.sources) == 19
    requests_before = sum(replay.requests.values())

    widened = load_config(configure(tmp_path / "wide.yaml", replay, database_url))
    report = reprocess(widened, engine)

    assert sum(replay.requests.values()) == requests_before  # nothing was fetched
    assert report.payloads == 9 and report.errors == []
    assert report.new_hits == 15 and report.updated == 0
    fresh = fresh_cycle(tmp_path, replay, stored)
    assert stored(engine).clusters == fresh.clusters  # as if the wide list had been there from the start
    assert report.match.new_clusters == len(fresh.clusters)
    again = reprocess(widened, engine)
    assert (again.new_hits, again.updated, again.recounted, again.match.new_clusters) == (0, 0, 0, 0)


def test_a_corrected_configuration_updates_stored_hits_in_place_and_recounts_their_clusters(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    """Two mistakes in the first configuration: the news-search source without ``publisher_from``
    (its hits are credited to news.google.com and keep the " - Publisher" title suffix), and a
    wrong publisher override on BBC Technology (its hits credited to The Verge)."""
    mistaken = copy.deepcopy(INTAKE_STREAMS)
    bbc, _guardian, news_search = mistaken["tier1-news"]["sources"]
    bbc["publisher"] = "theverge.com"
    del news_search["publisher_from"]
    run_cycle(load_config(configure(tmp_path / "mistaken.yaml", replay, database_url, mistaken)), engine)
    before, before_words = candidates(engine), kept_words(engine)
    corrected = configure(tmp_path / "corrected.yaml", replay, database_url)

    assert "0 stored hits updated; 0 clusters recounted" in lpi_reprocess(corrected, "tech-press")  # not those streams
    report = reprocess(load_config(corrected), engine, ["tier1-news"])

    after = candidates(engine)
    changed = {key for key in before if before[key] != after[key]}
    assert report.new_hits == 0 and report.errors == []
    assert report.updated == len(changed) == 4  # two BBC hits and the two news-search hits
    assert {after[key]["publisher"] for key in changed} == {"bbc.co.uk", "apnews.com", "go.com"}
    assert report.recounted == len({after[key]["cluster"] for key in changed})
    assert {key: (row["id"], row["cluster"]) for key, row in after.items()} == {
        key: (row["id"], row["cluster"]) for key, row in before.items()
    }  # same ids, same clusters
    fresh, fresh_words = fresh_cycle(tmp_path, replay, lambda e: (candidates(e), kept_words(e)))
    assert {key: {f: row[f] for f in FIELDS} for key, row in after.items()} == {
        key: {f: row[f] for f in FIELDS} for key, row in fresh.items()
    }  # every field as a fresh cycle under the corrected configuration stores it
    words = kept_words(engine)
    assert words == fresh_words  # and what matching keeps of the text follows it
    assert any(words[key] != before_words[key] for key in changed)

    with session_scope(engine) as session:
        clusters = {c.id: c for c in session.exec(select(Cluster))}
    nyc = clusters[next(row["cluster"] for key, row in after.items() if "nycs-government-chatbot" in key)]
    assert [o["origin"] for o in nyc.explanation["origins"]] == ["arstechnica.com", "apnews.com"]
    assert "syndicated copy" in nyc.explanation["collapsed"][0]["reason"]  # ABC ran the AP story
    assert nyc.title == "NYC’s government chatbot is lying about city laws and regulations"
    pizza = clusters[next(row["cluster"] for key, row in after.items() if key.endswith("cd11gzejgz4o"))]
    assert {o["origin"] for o in pizza.explanation["origins"]} == {"theverge.com", "bbc.co.uk"}
    assert [p.cluster_id for p in report.recount_promotions] == [pizza.id]  # two origins now, not one

    assert "0 new hits; 0 new clusters; 0 promoted; 0 errors\n0 stored hits updated; 0 clusters recounted" in lpi_reprocess(corrected)
    assert candidates(engine) == after


def test_stored_hits_take_the_newest_archived_payloads_version(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    """A feed corrected a headline and its date after the first poll; the second poll archived the
    corrected payload but left the known hit as it was. Reprocessing takes the newest version, and
    the hit's cluster its title and time; an undated hit keeps the date it was first stored with (a
    later fetch time is no better a date)."""
    def feed(headline: str, published: str) -> bytes:
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>'
            f"<item><title>{headline}</title><link>https://desk.example/a</link>"
            f"<pubDate>{published}</pubDate><description>An airline chatbot promised refunds.</description></item>"
            "<item><title>Chatbot outage at a city council</title><link>https://desk.example/b</link>"
            "<description>Residents could not reach the council's chatbot.</description></item>"
            "</channel></rss>"
        ).encode()

    first = feed("Airline chatbot invnets refund policy", "Tue, 02 Jul 2024 09:00:00 GMT")
    corrected = feed("Airline chatbot invents a refund policy", "Mon, 01 Jul 2024 18:30:00 GMT")
    streams = {"tech-press": {"keywords": ["chatbot"], "sources": [{"name": "desk", "kind": "feed", "url": "/desk.xml"}]}}
    config = load_config(configure(tmp_path / "lpi.yaml", replay, database_url, streams))
    replay.routes["/desk.xml"] = Route(200, first, {"Content-Type": "application/rss+xml"})
    run_cycle(config, engine)
    replay.routes["/desk.xml"] = Route(200, corrected, {"Content-Type": "application/rss+xml"})
    assert run_cycle(config, engine, force=True).sources[0].known_hits == 2
    before = candidates(engine)

    report = reprocess(config, engine)

    after = candidates(engine)
    headline, undated = after["https://desk.example/a"], after["https://desk.example/b"]
    assert report.payloads == 2 and report.updated == 1 and report.recounted == 1
    assert headline["title"] == "Airline chatbot invents a refund policy"
    assert headline["published_at"] == datetime(2024, 7, 1, 18, 30, tzinfo=UTC)
    assert headline["raw_sha256"] == hashlib.sha256(corrected).hexdigest()
    assert (headline["id"], headline["cluster"]) == (before["https://desk.example/a"]["id"], before["https://desk.example/a"]["cluster"])
    assert undated == before["https://desk.example/b"]  # same text; its first fetch time stays its date
    assert [row["cluster"] for row in after.values()].count(headline["cluster"]) == 1  # alone in its cluster
    with session_scope(engine) as session:
        cluster = session.get(Cluster, headline["cluster"])
        assert cluster is not None and cluster.title == headline["title"]
        assert cluster.first_seen_at == cluster.last_seen_at == headline["published_at"]
    again = reprocess(config, engine)
    assert (again.updated, again.recounted, again.new_hits) == (0, 0, 0) and candidates(engine) == after


def test_an_undated_hit_stored_before_urls_were_read_for_dates_takes_its_urls_date(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    """Stored while its fetch time stood in for a date, an undated hit whose URL's path carries one
    is dated by it when reprocessed, and its scope reasons say where the date came from."""
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>'
        "<item><title>Airline chatbot invents a refund policy</title><link>https://desk.example/2023/06/22/airline-chatbot</link>"
        "<description>An airline's customer-service chatbot promised refunds to a passenger.</description></item>"
        "</channel></rss>"
    ).encode()
    streams = {"tech-press": {"keywords": ["chatbot"], "sources": [{"name": "desk", "kind": "feed", "url": "/desk.xml"}]}}
    config = load_config(configure(tmp_path / "lpi.yaml", replay, database_url, streams))
    replay.routes["/desk.xml"] = Route(200, body, {"Content-Type": "application/rss+xml"})
    run_cycle(config, engine)
    with session_scope(engine) as session:  # as it was stored before: the fetch time, no verdict on the date
        hit = session.exec(select(Candidate)).one()
        hit.published_at, hit.scope_reasons = hit.fetched_at, []
        fetched = hit.fetched_at

    report = reprocess(config, engine)

    hit_after = candidates(engine)["https://desk.example/2023/06/22/airline-chatbot"]
    assert report.updated == 1 and fetched != hit_after["published_at"]
    assert (hit_after["published_at"], hit_after["published_is_fallback"]) == (datetime(2023, 6, 22, tzinfo=UTC), True)
    assert not hit_after["in_scope"]
    assert any("(the date in its URL), before the tracker's scope" in reason for reason in hit_after["scope_reasons"])
    with session_scope(engine) as session:
        cluster = session.exec(select(Cluster)).one()
        assert cluster.first_seen_at == datetime(2023, 6, 22, tzinfo=UTC)
