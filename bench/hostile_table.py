"""The hostile-server table: each misbehaving site of tests/hostile.py, what the intake recorded for
it, and how long its poll took to give up (median over runs), from real cycles on loopback.

    python bench/hostile_table.py [--runs 3]

Each run is one intake cycle (lpi.pipeline.run_cycle) over all the cases and two good feeds, with a
fresh SQLite database and data directory; the fetch limits are tests/hostile.py's POLICY.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lpi.config import load_config
from lpi.pipeline import run_cycle
from store import open_engine
from tests.hostile import GOOD_SOURCES, POLICY, cases, hostile_sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    chosen = cases()
    seconds: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, set[str]] = defaultdict(set)
    cycle_seconds: list[float] = []
    with hostile_sites(chosen) as sites:
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as folder:
                os.environ["LPI_HOME"] = folder  # fresh host lock files too
                engine = open_engine(f"sqlite:///{folder}/intake.db")
                config = load_config(sites.write_config(Path(folder) / "lpi.yaml", None))
                summary = run_cycle(config, engine)
                engine.dispose()
            cycle_seconds.append((summary.finished_at - summary.started_at).total_seconds())
            for report in summary.sources:
                name = report.source_id.split("/", 1)[1]
                seconds[name].append(report.seconds)
                outcomes[name].add(report.message or f"{report.status}, {report.new_hits} new hits")
    limits = ", ".join(f"{key} {value}" for key, value in POLICY.items())
    print(f"fetch limits: {limits}; {runs} runs; median seconds per poll\n")
    print("| case | outcome (the recorded error) | time to give up (s) |")
    print("|---|---|---:|")
    for name in [case.name for case in chosen] + [source.split("/", 1)[1] for source in GOOD_SOURCES]:
        outcome = " / ".join(sorted(outcomes[name])).replace("|", "\\|")
        print(f"| {name} | {_short(outcome)} | {statistics.median(seconds[name]):.2f} |")
    print(f"\nwhole cycle: median {statistics.median(cycle_seconds):.2f} s")


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


if __name__ == "__main__":
    main()
