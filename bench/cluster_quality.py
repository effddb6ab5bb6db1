"""Clustering quality of the pipeline's matcher on a labeled JSONL file, whose lines carry ``gold``
(the true incident) beside what ``lpi cluster-file`` reads: B-cubed and pairwise precision, recall
and F1 on the whole file and on two halves split by incident, and the median clustering time.

    python bench/cluster_quality.py ../shared/corpora/aiid_2025_dev/hits.jsonl
        [--config lpi.yaml] [--threshold 0.4] [--sweep 0.3,0.35,0.4,0.45,0.5] [--runs 3]

An incident goes to half A or B by the CRC-32 of its gold label, the same split on every machine:
choose settings on half A (``--sweep``), check them on half B, which they were not chosen on.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Hashable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dedup.matcher import MatchHit, MatchSettings
from dedup.quality import bcubed, half_of, pairwise
from lpi.clusterfile import assign, parse_hits
from lpi.config import load_config

Labeled = list[tuple[MatchHit, Hashable]]


def read_labeled(path: Path) -> Labeled:
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = parse_hits(lines, str(path))
    gold = [json.loads(line)["gold"] for line in lines if line.strip()]
    return list(zip(hits, gold, strict=True))


def halves(labeled: Labeled) -> dict[str, Labeled]:
    return {
        "half A": [(h, g) for h, g in labeled if half_of(g) == "A"],
        "half B": [(h, g) for h, g in labeled if half_of(g) == "B"],
        "whole": labeled,
    }


def score_line(name: str, labeled: Labeled, settings: MatchSettings) -> str:
    hits, gold = [h for h, _ in labeled], [g for _, g in labeled]
    predicted = [row["cluster"] for row in assign(hits, settings)]
    b, p = bcubed(predicted, gold), pairwise(predicted, gold)
    return (
        f"{name:<7} {len(hits):>5} {len(set(gold)):>9} {len(set(predicted)):>8}   "
        f"{b.precision:.3f}  {b.recall:.3f}  {b.f1:.3f}    {p.precision:.3f}  {p.recall:.3f}  {p.f1:.3f}"
    )


HEADER = "set      hits incidents clusters   B3 P   B3 R   B3 F1    pw P   pw R   pw F1"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labeled", type=Path)
    parser.add_argument("--config", type=Path, help="configuration whose matching: settings to use (default: the packaged one)")
    parser.add_argument("--threshold", type=float, help="override the configured threshold")
    parser.add_argument("--sweep", help="comma-separated thresholds: one table per threshold")
    parser.add_argument("--runs", type=int, default=3, help="timed runs over the whole file (median reported)")
    args = parser.parse_args(argv)
    settings = load_config(args.config).matching
    if args.threshold is not None:
        settings = dataclasses.replace(settings, threshold=args.threshold)
    labeled = read_labeled(args.labeled)
    sets = halves(labeled)
    thresholds = [float(t) for t in args.sweep.split(",")] if args.sweep else [settings.threshold]
    for threshold in thresholds:
        chosen = dataclasses.replace(settings, threshold=threshold)
        print(f"\n{args.labeled}  threshold {threshold}  ({chosen})")
        print(HEADER)
        for name, part in sets.items():
            print(score_line(name, part, chosen))
    hits = [h for h, _ in labeled]
    seconds = []
    for _ in range(args.runs):
        started = time.perf_counter()
        assign(hits, settings)
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    print(f"\nclustering the whole file: median {median:.3f} s over {args.runs} runs ({len(hits) / median:.0f} hits/s)")


if __name__ == "__main__":
    main()
