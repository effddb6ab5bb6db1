"""Clustering quality against a labeled partition: B-cubed and pairwise precision, recall and F1.

B-cubed scores every hit by how much of its predicted cluster shares its true incident (precision)
and how much of its true incident landed in its cluster (recall), then averages over hits: big
incidents weigh by their size, and a wrong merge costs in proportion to what it mixes. Pairwise
scores count pairs of hits placed together.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def bcubed(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> Scores:
    """B-cubed over hits; ``predicted[i]`` and ``gold[i]`` are hit i's cluster and true incident."""
    _check(predicted, gold)
    in_cluster, in_incident, in_both = Counter(predicted), Counter(gold), Counter(zip(predicted, gold, strict=True))
    precision = sum(in_both[p, g] / in_cluster[p] for p, g in zip(predicted, gold, strict=True)) / len(gold)
    recall = sum(in_both[p, g] / in_incident[g] for p, g in zip(predicted, gold, strict=True)) / len(gold)
    return Scores(precision, recall)


def pairwise(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> Scores:
    """Precision and recall over pairs of hits placed together; 1.0 when there is no pair to judge."""
    _check(predicted, gold)
    together = _pairs(Counter(predicted).values())
    same_incident = _pairs(Counter(gold).values())
    right = _pairs(Counter(zip(predicted, gold, strict=True)).values())
    return Scores(right / together if together else 1.0, right / same_incident if same_incident else 1.0)


def half_of(gold: Hashable) -> str:
    """"A" or "B": which half of a labeled set an incident falls in, by the CRC-32 of its label, so
    settings chosen on one half can be checked on the other, the same split on every machine."""
    return "AB"[zlib.crc32(str(gold).encode()) % 2]


def _pairs(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def _check(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> None:
    if len(predicted) != len(gold) or not gold:
        raise ValueError(f"need one prediction per labeled hit, got {len(predicted)} for {len(gold)}")
