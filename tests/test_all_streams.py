"""One cycle over all twelve streams against the loopback server, with reports sent through the real
submission endpoint first: every stream lands hits, and a second cycle adds none."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import Engine

from lpi.config import load_config
from lpi.pipeline import run_cycle
from sources import STREAMS
from tests.all_streams import SUBMISSIONS, all_streams
from tests.conftest import write_config
from tests.live import LiveServer
from tests.replay import ReplayServer
from web import WebSettings


def test_every_stream_lands_hits_and_a_second_cycle_adds_none(engine: Engine, replay: ReplayServer, tmp_path: Path) -> None:
    web = LiveServer(engine, WebSettings(secret=b"all-streams-test-secret-0123456789", dns_timeout=0.5))
    try:
        for report in SUBMISSIONS:
            assert httpx.post(web.url + "/api/submissions", json=report).status_code == 201
    finally:
        web.stop()
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, str(engine.url), all_streams()))

    first = run_cycle(config, engine)
    second = run_cycle(config, engine, force=True)

    assert [r for r in first.sources if r.status != "fetched"] == []
    landed = {stream: totals.new_hits for stream, totals in first.by_stream().items()}
    assert set(landed) == set(STREAMS) and all(landed[s] > 0 for s in STREAMS), landed
    assert landed["user-submissions"] == len(SUBMISSIONS)
    assert second.new_hits == 0 and [r for r in second.sources if r.status != "fetched"] == []
    assert first.match.new_clusters > 0 and second.match.new_clusters == 0
