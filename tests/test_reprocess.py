"""`lpi reprocess`: the raw archive is parsed again without fetching, idempotently."""

from __future__ import annotations

from pathlib import Path

import yaml

from lpi.config import load_config
from lpi.pipeline import reprocess, run_cycle
from tests.conftest import INTAKE_STREAMS, write_config
from tests.replay import ReplayServer


def test_a_widened_keyword_list_is_applied_to_the_archive_without_fetching(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine  # type: ignore[no-untyped-def]
) -> None:
    narrow = yaml.safe_load(yaml.safe_dump(INTAKE_STREAMS))
    for body in narrow.values():
        body["keywords"] = ["no-such-keyword"]
    first = run_cycle(load_config(write_config(tmp_path / "narrow.yaml", replay, database_url, narrow)), engine)
    assert first.new_hits == 0 and sum(s.irrelevant for s in first.sources) == 19
    requests_before = sum(replay.requests.values())

    widened = load_config(write_config(tmp_path / "wide.yaml", replay, database_url))
    report = reprocess(widened, engine)

    assert sum(replay.requests.values()) == requests_before  # nothing was fetched
    assert report.payloads == 9 and report.errors == []
    assert report.new_hits == 15
    assert report.match.new_clusters == 8 and len(report.match.promoted) == 5
    again = reprocess(widened, engine)
    assert again.new_hits == 0 and again.match.new_clusters == 0
