"""Run real intake cycles offline over all twelve streams: recorded payloads served on loopback.

    python scripts/demo.py [--plain] [--database-url URL]

Sends two reports through the real submission endpoint (`lpi web`'s app), writes a configuration
pointing every stream at the local replay server into a temporary folder, runs `lpi run` twice (the
second adds nothing: 304s and known hits), then shows the queue.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from store import open_engine  # noqa: E402
from tests.all_streams import SUBMISSIONS, all_streams  # noqa: E402
from tests.conftest import PAYLOADS, write_config  # noqa: E402
from tests.live import LiveServer  # noqa: E402
from tests.replay import ReplayServer  # noqa: E402
from web import WebSettings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain", action="store_true", help="run without Prefect")
    parser.add_argument("--database-url", help="default: a SQLite file in the temporary folder")
    args = parser.parse_args()
    lpi = str(Path(sys.executable).with_name("lpi"))
    with tempfile.TemporaryDirectory(prefix="lpi-demo-") as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/intake.db"
        submit_reports(database_url)
        server = ReplayServer(PAYLOADS).start()
        try:
            config = write_config(Path(tmp) / "lpi.yaml", server, database_url, all_streams())
            run = [lpi, "run", "--config", str(config), *(["--plain"] if args.plain else [])]
            for label in ("first cycle", "second cycle (nothing changed upstream)"):
                print(f"\n=== {label}: {' '.join(run[1:])}", flush=True)
                subprocess.run(run, check=True)
            print("\n=== lpi queue list", flush=True)
            subprocess.run([lpi, "queue", "list", "--config", str(config)], check=True)
        finally:
            server.stop()


def submit_reports(database_url: str) -> None:
    engine = open_engine(database_url)
    web = LiveServer(engine, WebSettings(secret=b"demo-secret-not-for-production-0123", dns_timeout=0.5))
    try:
        for report in SUBMISSIONS:
            response = httpx.post(web.url + "/api/submissions", json=report)
            print(f"POST /api/submissions {report['url']} -> {response.status_code} {response.json()['message']}", flush=True)
    finally:
        web.stop()
        engine.dispose()


if __name__ == "__main__":
    main()
