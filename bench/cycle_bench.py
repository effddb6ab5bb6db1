"""Wall time of one intake cycle over 4 streams x 5 feeds on a loopback server, and how much of it
is Prefect's own start-up (import, temporary server, flow and task bookkeeping).

    python bench/cycle_bench.py [--runs 5] [--prefect-runs 3] [--items 20]

Each run uses a fresh SQLite database; the feeds are synthetic RSS with realistic entries.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import write_config  # noqa: E402
from tests.replay import ReplayServer  # noqa: E402

STREAMS = ("tier1-news", "tech-press", "vendor-disclosures", "security-blogs")
SUBJECTS = ("Air Canada", "New York City", "Google", "Slack", "Microsoft", "a regional hospital", "a law firm", "DPD")
MODELS = ("ChatGPT", "Gemini", "Claude", "Copilot", "Llama", "Grok")
HARMS = ("gave customers wrong refund advice", "leaked private channel data", "invented court citations",
         "told users to eat rocks", "swore at a customer", "misstated city laws")

PREFECT_PROBE = """
import json, sys, time
t0 = time.perf_counter()
from flows.intake import intake_cycle
t1 = time.perf_counter()
result = intake_cycle(config_path=sys.argv[1])
t2 = time.perf_counter()
from datetime import datetime
cycle = (datetime.fromisoformat(str(result["finished_at"])) - datetime.fromisoformat(str(result["started_at"]))).total_seconds()
print(json.dumps({"import": t1 - t0, "flow": t2 - t1, "cycle": cycle, "new_hits": sum(s["new_hits"] for s in result["sources"])}))
"""


def write_feeds(root: Path, items: int) -> dict[str, dict]:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    streams: dict[str, dict] = {}
    for s, stream in enumerate(STREAMS):
        sources = []
        for f in range(5):
            host = f"outlet{s}{f}.example.com"
            entries = []
            for i in range(items):
                n = s * 1000 + f * 100 + i
                title = f"{SUBJECTS[n % len(SUBJECTS)]} {MODELS[(n // 3) % len(MODELS)]} chatbot {HARMS[(n // 7) % len(HARMS)]}"
                when = format_datetime(start + timedelta(hours=n % 500))
                entries.append(
                    f"<item><title>{escape(title)}</title><link>https://{host}/2025/story-{n}</link>"
                    f"<guid>https://{host}/2025/story-{n}</guid><pubDate>{when}</pubDate>"
                    f"<description>{escape(title)}. The deployer said the model was being reviewed.</description></item>"
                )
            body = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{host}</title><link>https://{host}/</link>{"".join(entries)}</channel></rss>'
            (root / "feeds").mkdir(exist_ok=True)
            (root / "feeds" / f"{stream}-{f}.xml").write_text(body, encoding="utf-8")
            sources.append({"name": f"feed-{f}", "kind": "feed", "url": f"/feeds/{stream}-{f}.xml"})
        streams[stream] = {"sources": sources}
    return streams


def plain_cycle(server: ReplayServer, streams: dict, work: Path, run: int) -> tuple[float, int]:
    from lpi.config import load_config
    from lpi.pipeline import run_cycle
    from store import open_engine

    config = load_config(write_config(work / f"plain-{run}.yaml", server, f"sqlite:///{work}/plain-{run}.db", streams))
    t0 = time.perf_counter()
    summary = run_cycle(config, open_engine(config.store_url()))
    return time.perf_counter() - t0, summary.new_hits


def prefect_cycle(server: ReplayServer, streams: dict, work: Path, run: int) -> dict:
    config = write_config(work / f"prefect-{run}.yaml", server, f"sqlite:///{work}/prefect-{run}.db", streams)
    env = os.environ | {"PREFECT_HOME": str(work / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                        "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PREFECT_PROBE, str(config)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    return json.loads(out.stdout.strip().splitlines()[-1]) | {"wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--prefect-runs", type=int, default=3)
    parser.add_argument("--items", type=int, default=20, help="entries per feed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        streams = write_feeds(work, args.items)
        server = ReplayServer(work).start()
        try:
            plain = [plain_cycle(server, streams, work, r) for r in range(args.runs)]
            prefect = [prefect_cycle(server, streams, work, r) for r in range(args.prefect_runs)]
        finally:
            server.stop()
    med = statistics.median
    plain_s = med(p[0] for p in plain)
    wall = med(p["wall"] for p in prefect)
    cycle_in_flow = med(p["cycle"] for p in prefect)
    print(f"cycle: 4 streams x 5 feeds x {args.items} entries = {plain[0][1]} new hits per fresh database")
    print(f"plain pipeline (no Prefect), median of {args.runs}:        {plain_s:6.2f} s")
    print(f"Prefect flow, whole process, median of {args.prefect_runs}:        {wall:6.2f} s")
    print(f"  import of prefect + flows:                      {med(p['import'] for p in prefect):6.2f} s")
    print(f"  flow call (temporary server start + run):       {med(p['flow'] for p in prefect):6.2f} s")
    print(f"  of which the cycle itself (inside the flow):    {cycle_in_flow:6.2f} s")
    print(f"Prefect's own share of the wall time:             {wall - cycle_in_flow:6.2f} s "
          f"({(wall - cycle_in_flow) / wall:.0%}); wall / plain = {wall / plain_s:.1f}x")


if __name__ == "__main__":
    main()
