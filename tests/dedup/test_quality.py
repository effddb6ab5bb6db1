"""B-cubed and pairwise scores on partitions small enough to compute by hand."""

from __future__ import annotations

import math

import pytest

from dedup.quality import Scores, bcubed, half_of, pairwise

# Five hits: incidents x (a, b, c) and y (d, e); predicted clusters 1 = {a, b}, 2 = {c, d, e}.
GOLD = ["x", "x", "x", "y", "y"]
PREDICTED = [1, 1, 2, 2, 2]


def test_bcubed_by_hand() -> None:
    scores = bcubed(PREDICTED, GOLD)
    # precision per hit: a, b 2/2; c 1/3; d, e 2/3 → (1 + 1 + 1/3 + 2/3 + 2/3) / 5 = 11/15
    # recall per hit: a, b 2/3; c 1/3; d, e 2/2 → (2/3 + 2/3 + 1/3 + 1 + 1) / 5 = 11/15
    assert math.isclose(scores.precision, 11 / 15) and math.isclose(scores.recall, 11 / 15)
    assert math.isclose(scores.f1, 11 / 15)


def test_pairwise_by_hand() -> None:
    scores = pairwise(PREDICTED, GOLD)
    # pairs together: {a,b} + {c,d},{c,e},{d,e} = 4, right: {a,b},{d,e} = 2; true pairs: 3 in x + 1 in y = 4
    assert (scores.precision, scores.recall) == (0.5, 0.5)


def test_perfect_all_in_one_and_all_apart() -> None:
    assert bcubed(GOLD, GOLD) == Scores(1.0, 1.0) and pairwise(GOLD, GOLD) == Scores(1.0, 1.0)
    one = bcubed([0] * 5, GOLD)  # precision: 3 hits at 3/5, 2 at 2/5 → 13/25; recall 1
    assert math.isclose(one.precision, 13 / 25) and one.recall == 1.0
    apart = pairwise(list(range(5)), GOLD)  # no pair placed together: precision undefined → 1, recall 0
    assert apart == Scores(1.0, 0.0) and apart.f1 == 0.0


def test_f1_is_the_harmonic_mean() -> None:
    assert math.isclose(Scores(0.9, 0.6).f1, 0.72)
    assert Scores(0.0, 0.0).f1 == 0.0


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one prediction per labeled hit"):
        bcubed([1, 2], GOLD)
    with pytest.raises(ValueError):
        pairwise([], [])


def test_halves_split_by_incident_label_the_same_way_everywhere() -> None:
    # zlib.crc32(b"37") = 0x0D0FD2C0 (even → A), zlib.crc32(b"39") = 0xEAB7FFC7 (odd → B); labels are read as text
    assert half_of(37) == half_of("37") == "A"
    assert half_of(39) == "B"
