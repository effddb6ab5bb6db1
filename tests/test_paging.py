"""Paging within one poll, through the real pipeline over loopback HTTP: the adapter's next page is
followed up to the source's page limit, every page is archived (identical bytes once), and the cursor the first poll leaves
stops the next poll at known ground."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlmodel import select

from lpi.config import load_config
from lpi.pipeline import load_cursor, run_cycle
from store import RawPayload, SourceState, open_engine, session_scope
from tests.conftest import write_config
from tests.replay import ReplayServer

OPINIONS = "/courtlistener-search/opinions.json"


def courts(replay: ReplayServer, tmp_path: Path, database_url: str, **options: object) -> Path:
    source = {"name": "opinions", "kind": "courtlistener-search", "url": OPINIONS, "query": "ChatGPT", "page_delay": 0, **options}
    return write_config(tmp_path / "lpi.yaml", replay, database_url, {"courts": {"sources": [source]}})


def test_pages_are_followed_archived_and_stopped_by_the_cursor(replay: ReplayServer, tmp_path: Path, database_url: str) -> None:
    config = load_config(courts(replay, tmp_path, database_url))
    engine = open_engine(database_url)
    try:
        first = run_cycle(config, engine).sources[0]
        cursors = [parse_qs(urlsplit(q).query).get("cursor") for q in replay.queries]
        with session_scope(engine) as session:
            archived = session.exec(select(RawPayload)).all()
            cursor = load_cursor(session.get(SourceState, "courts/opinions"))
        replay.queries.clear()
        second = run_cycle(config, engine, force=True).sources[0]
    finally:
        engine.dispose()

    assert first.pages == 2 and first.new_hits == 5  # the replayed page 2 repeats page 1: nothing doubled
    assert cursors[0] is None and cursors[1] is not None and cursors[1][0].startswith("cz0x")  # the API's own cursor
    assert [p.final_url.split("?")[0] for p in archived] == [replay.url(OPINIONS)]  # identical bytes: archived once
    assert cursor == {"date_filed": "2025-05-21"}  # the newest filing of the payload
    assert second.pages == 1 and second.new_hits == 0 and len(replay.queries) == 1  # known ground: no page 2


def test_a_poll_cut_by_the_page_limit_resumes_there_next_time(replay: ReplayServer, tmp_path: Path, database_url: str) -> None:
    """Newest first: a high-water mark from page 1 would skip the unread pages below it for good, so
    the mark waits until a later poll has read down to known ground."""
    config = load_config(courts(replay, tmp_path, database_url, max_pages=1))
    engine = open_engine(database_url)
    try:
        cut = run_cycle(config, engine).sources[0]
        with session_scope(engine) as session:
            after_cut = load_cursor(session.get(SourceState, "courts/opinions"))
        replay.queries.clear()
        resumed = run_cycle(config, engine, force=True).sources[0]
        with session_scope(engine) as session:
            after_resume = load_cursor(session.get(SourceState, "courts/opinions"))
    finally:
        engine.dispose()

    assert cut.pages == 1 and cut.new_hits == 5
    assert cut.warnings == ["paging stopped after 1 pages (max_pages); the next poll resumes there"]
    assert set(after_cut) == {"backlog"} and after_cut["backlog"]["pending"] == {"date_filed": "2025-05-21"}
    assert parse_qs(urlsplit(after_cut["backlog"]["resume"]["url"]).query)["cursor"][0].startswith("cz0x")
    assert parse_qs(urlsplit(replay.queries[0]).query)["cursor"][0].startswith("cz0x")  # page 2 first
    assert resumed.warnings == [] and after_resume == {"date_filed": "2025-05-21"}  # known ground: mark installed
