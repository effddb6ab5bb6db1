"""Every file of the shared malformed-feed corpora through the real parse-and-normalize path (the feed
adapter, then normalization into candidates as they would be stored), with what came out of it.

    python bench/corpus_robustness.py [--runs 3]

Per corpus: files, files parsed with hits, clear ParseErrors, bozo warnings, uncaught exceptions
(must be 0), hits, unsafe strings in stored text (must be 0), and the median wall time of a run.
Then how the readings agree with what the corpora's own projects expect: feedparser's "Expect:"
header comments (its encoding/ folder, and the whole suite), miniflux's charset tests, and feedparser's
injection cases through html_to_text with feedparser's sanitizer off. Exits 1 if anything must-be-0 is not.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dedup.text import html_to_text
from sources.feeds import read_feed
from tests.conftest import CORPORA
from tests.corpus_checks import (
    FEED_CORPORA,
    MINIFLUX,
    MINIFLUX_DECODED,
    MINIFLUX_STORED,
    UNSAFE_TEXT,
    CorpusReport,
    corpus_files,
    feed_texts,
    feedparser_verdicts,
    payload_for,
    raw_entry_texts,
    run_corpus,
    stored_text_matches,
    unsafe_strings,
)

FEEDPARSER = CORPORA / "feedparser_testsuite"


def corpus_table(runs: int) -> bool:
    """Print one row per corpus; True when nothing escaped and nothing unsafe was stored."""
    columns = ("files", "parsed with hits", "clear ParseErrors", "bozo warnings", "uncaught exceptions", "hits",
               "unsafe strings")
    print(f"{'corpus':40}" + "".join(f"{c:>21}" for c in columns) + f"{'median s':>10}")
    clean = True
    for name in FEED_CORPORA:
        seconds, report = [], None
        for _ in range(runs):
            start = time.perf_counter()
            report = run_corpus(name)
            seconds.append(time.perf_counter() - start)
        assert report is not None
        counts = report.counts()
        print(f"{name:40}" + "".join(f"{counts[c]:>21}" for c in columns) + f"{statistics.median(seconds):>10.2f}")
        clean &= _show_failures(report)
    return clean


def _show_failures(report: CorpusReport) -> bool:
    crashes = [o for o in report.outcomes if o.crash]
    unsafe = unsafe_strings(report.candidates)
    for outcome in crashes:
        print(f"  UNCAUGHT {outcome.path}:\n{outcome.crash}")
    for key, field, value in unsafe:
        print(f"  UNSAFE {key} {field}: {value[:200]!r}")
    return not crashes and not unsafe


def feedparser_agreement() -> None:
    """Expectations met by the adapter's reading (read_feed) and by feedparser fed the same bytes and
    Content-Type as they are, for the encoding/ folder and for the whole suite."""
    tallies: dict[str, Counter[str]] = {"encoding/": Counter(), "all": Counter()}
    for path in corpus_files("feedparser_testsuite"):
        verdicts = feedparser_verdicts(path)
        if verdicts is None:
            continue
        scopes = ["all", "encoding/"] if path.relative_to(FEEDPARSER).parts[0] == "encoding" else ["all"]
        for scope in scopes:
            tallies[scope]["expectations"] += 1
            for reader, met in verdicts.items():
                tallies[scope][f"{reader} {_verdict(met)}"] += 1
    chardet = "installed" if find_spec("chardet") else "not installed"
    print(f"\nfeedparser 'Expect:' comments (chardet {chardet}):")
    for scope, tally in tallies.items():
        parts = ", ".join(f"{key} {tally[key]}" for key in sorted(tally) if key != "expectations")
        print(f"  {scope:10} {tally['expectations']} expectations: {parts}")


def _verdict(met: bool | None) -> str:
    return "not checkable" if met is None else "agree" if met else "disagree"


def miniflux_agreement() -> None:
    stored = [stored_text_matches(case) for case in MINIFLUX_STORED]
    decoded = [any(text in value for value in feed_texts(read_feed(payload_for(MINIFLUX / file))))
               for file, text in MINIFLUX_DECODED]
    print("\nminiflux charset tests:")
    print(f"  stored candidate text as expected: {sum(stored)} of {len(stored)}"
          " (windows-1251, koi8-r, ISO-8859-1 with and without declaration, UTF-8 Urdu and RDF)")
    print(f"  decoded feed text as expected (no stored entries): {sum(decoded)} of {len(decoded)}"
          " (wrong and invalid prologs, windows-1252, ISO-8859-1)")


def sanitizer_without_feedparser() -> bool:
    texts = [html_to_text(raw) for path in corpus_files("feedparser_testsuite") for raw in raw_entry_texts(path)]
    unsafe = [text for text in texts if UNSAFE_TEXT.search(text)]
    print(f"\nfeedparser suite, raw entry markup (its sanitizer off) through html_to_text: {len(texts)} texts, "
          f"{len(unsafe)} unsafe")
    for text in unsafe:
        print(f"  UNSAFE {text[:200]!r}")
    return not unsafe


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per corpus for the median wall time")
    args = parser.parse_args()
    if not CORPORA.is_dir():
        print(f"{CORPORA} is absent")
        return 1
    clean = corpus_table(args.runs)
    feedparser_agreement()
    miniflux_agreement()
    clean &= sanitizer_without_feedparser()
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
