"""Run real intake cycles offline: the recorded feeds in tests/payloads served on loopback.

    python scripts/demo.py [--plain] [--database-url URL]

Writes a configuration pointing at the local server into a temporary folder, runs `lpi run`
twice (the second is answered with 304s and adds nothing), then shows the queue.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import PAYLOADS, write_config  # noqa: E402
from tests.replay import ReplayServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain", action="store_true", help="run without Prefect")
    parser.add_argument("--database-url", help="default: a SQLite file in the temporary folder")
    args = parser.parse_args()
    lpi = str(Path(sys.executable).with_name("lpi"))
    with tempfile.TemporaryDirectory(prefix="lpi-demo-") as tmp:
        server = ReplayServer(PAYLOADS).start()
        try:
            config = write_config(Path(tmp) / "lpi.yaml", server, args.database_url or f"sqlite:///{tmp}/intake.db")
            run = [lpi, "run", "--config", str(config), *(["--plain"] if args.plain else [])]
            for label in ("first cycle", "second cycle (nothing changed upstream)"):
                print(f"\n=== {label}: {' '.join(run[1:])}", flush=True)
                subprocess.run(run, check=True)
            print("\n=== lpi queue list", flush=True)
            subprocess.run([lpi, "queue", "list", "--config", str(config)], check=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
