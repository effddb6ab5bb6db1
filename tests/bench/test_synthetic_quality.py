"""The synthetic quality bench at a small size: a labeled history, clustered and scored."""

from __future__ import annotations

import pytest

from bench import synthetic_quality
from dedup.matcher import MatchSettings


def test_a_history_is_labeled_by_story_and_scored(capsys: pytest.CaptureFixture[str]) -> None:
    hits, gold = synthetic_quality.labeled(200, seed=3)

    assert len(hits) == len(gold) == 200 and 1 < len(set(gold)) < 200  # stories with several reports
    line = synthetic_quality.score_line(3, hits, gold, MatchSettings())
    precision, recall, f1 = (float(x) for x in line.split()[5:8])
    assert 0.5 < precision <= 1 and 0.5 < recall <= 1 and min(precision, recall) <= f1 <= max(precision, recall)

    synthetic_quality.main(["--hits", "120", "--seeds", "4"])
    assert capsys.readouterr().out.splitlines()[2].split()[:3] == ["seed", "4", "120"]
