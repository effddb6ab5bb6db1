"""How SimHash near-duplicate detection behaves on the recorded feeds, per shingle length: the
share of lightly edited copies found within NEAR_DISTANCE bits (median distance in brackets), and
the least distance between two different stories, which must stay well above it.

    python bench/syndication.py [--edits 5] [--seed 1]

Edits of each hit's title + summary: one word replaced by "the" (``--edits`` times, at random
places), the last three words dropped (a trimmed trailer), the title cut to its head with a site
name added.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dedup.syndication import NEAR_DISTANCE, distance, simhash
from lpi.config import load_config
from tests.conftest import PAYLOADS, write_config
from tests.recorded_feeds import recorded_hits
from tests.replay import ReplayServer

Edit = Callable[[str, list[str], random.Random], tuple[str, list[str]]]


def recorded_texts() -> list[tuple[str, str]]:
    """Distinct (title, summary) of every hit of the recorded feeds the tests poll."""
    server = ReplayServer(PAYLOADS).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            config = load_config(write_config(Path(folder) / "lpi.yaml", server, None))
    finally:
        server.stop()
    texts = dict.fromkeys((hit.title, hit.summary) for hit in recorded_hits(config))
    return list(texts)


def one_word(title: str, summary: list[str], rnd: random.Random) -> tuple[str, list[str]]:
    at = rnd.randrange(len(summary))
    return title, [*summary[:at], "the", *summary[at + 1 :]]


def trimmed(title: str, summary: list[str], rnd: random.Random) -> tuple[str, list[str]]:
    return title, summary[:-3]


def retitled(title: str, summary: list[str], rnd: random.Random) -> tuple[str, list[str]]:
    return f"{title.split(':')[0]} - Example News", summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=5, help="one-word edits per hit")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    texts = recorded_texts()
    edits: dict[str, tuple[Edit, int]] = {"one word": (one_word, args.edits), "trailer": (trimmed, 1), "retitled": (retitled, 1)}
    print(f"{len(texts)} recorded hits; copies are near-identical at <= {NEAR_DISTANCE} of 64 bits")
    for shingle in (1, 2, 3):
        rnd = random.Random(args.seed)
        hashes = [(t, s, h) for t, s in texts if (h := simhash(f"{t} {s}", shingle)) is not None]
        apart = min(distance(a[2], b[2]) for a, b in combinations(hashes, 2))
        found = []
        for name, (edit, times) in edits.items():
            bits = []
            for title, summary, h in hashes:
                for _ in range(times):
                    new_title, new_summary = edit(title, summary.split(), rnd)
                    if (edited := simhash(f"{new_title} {' '.join(new_summary)}", shingle)) is not None:
                        bits.append(distance(h, edited))
            share = sum(b <= NEAR_DISTANCE for b in bits) / len(bits)
            found.append(f"{name} {share:.0%} (median {statistics.median(bits):g})")
        print(f"shingle {shingle}: {len(hashes)} hashed; least distance between stories {apart}; found: " + ", ".join(found))


if __name__ == "__main__":
    main()
