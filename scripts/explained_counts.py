"""Three explained counts through the real pipeline, offline: recorded payloads served on loopback.

    python scripts/explained_counts.py [--database-url URL] [--json]

Sends a reader's report through the real submission endpoint (`lpi web`'s app), writes a
configuration pointing five streams at the replay server for tests/payloads/explained, runs
`lpi run --plain` on a fresh store (a SQLite file in a temporary folder unless --database-url is
given), then prints `lpi queue show` for three clusters:

(a) Deloitte's refund over AI errors: the AP story carried by ABC News, The Washington Post and U.S.
    News (wire copies, collapsed into AP) and the Guardian's own report: 2 origins.
(b) Google's AI Overviews and the glue on pizza: 404 Media's story retold by The Verge and a Substack
    newsletter (re-reports, collapsed into 404 Media) and one BBC report under bbc.co.uk and bbc.com
    (one organization): 2 origins.
(c) Cursor's support bot and the policy it invented: Ars Technica's story with Wired's near-identical
    copy, The Register's own report, and a Hacker News post and a reader's report that count zero:
    2 origins.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx
from sqlmodel import col, select

from dedup.urls import canonical_url
from store import Candidate, ClusterMember, open_engine, session_scope
from tests.conftest import NEWS_KEYWORDS, PAYLOADS, feed, write_config
from tests.live import LiveServer
from tests.replay import ReplayServer
from web import WebSettings

FOLDER = "explained"
STREAMS: dict[str, Any] = {
    "tier1-news": {
        "keywords": NEWS_KEYWORDS,
        "sources": [
            feed(
                "wire-via-news-search",
                f"../{FOLDER}/news-search-wire.xml",
                publisher_from="source-element",
            ),
            feed("guardian-australia", f"../{FOLDER}/guardian-australia-news.xml"),
            feed("bbc-technology-uk", f"../{FOLDER}/bbc-technology-uk.xml"),
            feed(
                "bbc-technology-international",
                f"../{FOLDER}/bbc-technology-international.xml",
            ),
        ],
    },
    "tech-press": {
        "keywords": NEWS_KEYWORDS,
        "sources": [
            feed("404-media", f"../{FOLDER}/404media.xml"),
            feed("the-verge-google", f"../{FOLDER}/verge-google.xml"),
            feed("ars-technica", f"../{FOLDER}/ars-technica.xml"),
            feed("wired", f"../{FOLDER}/wired.xml"),
            feed("the-register-software", f"../{FOLDER}/the-register.xml"),
        ],
    },
    "security-blogs": {
        "keywords": NEWS_KEYWORDS,
        "sources": [feed("marcus-on-ai", f"../{FOLDER}/marcus-on-ai.xml")],
    },
    "reddit-hn": {
        "sources": [
            {
                "name": "hn-cursor",
                "kind": "hn-algolia",
                "url": f"/{FOLDER}/hn-search-cursor.json",
                "query": "Cursor",
                "page_delay": 0,
            }
        ]
    },
    "user-submissions": {
        "sources": [{"name": "form", "kind": "submissions", "url": "lpi:submissions"}]
    },
}
REPORT = {
    "url": "https://arstechnica.com/ai/2025/04/cursor-ai-support-bot-invents-fake-policy-and-triggers-user-uproar/",
    "title": "Cursor's support bot invented a login policy",
    "description": "Cursor support told me being logged out on my second laptop was a new one-device policy. "
    "There is no such policy: the support agent was a bot.",
}
# A member of each cluster shown, by its article URL.
SHOWN = {
    "a": "https://apnews.com/article/australia-ai-errors-deloitte-ab54858680ffc4ae6555b31c8fb987f3",
    "b": "https://www.404media.co/google-is-paying-reddit-60-million-for-fucksmith-to-tell-its-users-to-eat-glue/",
    "c": REPORT["url"],
}


def prepare(folder: Path, server: ReplayServer, database_url: str) -> Path:
    """Send the reader's report into a fresh store and write the configuration; its path."""
    submit_report(database_url)
    return write_config(folder / "lpi.yaml", server, database_url, STREAMS)


def submit_report(database_url: str) -> None:
    engine = open_engine(database_url)
    logging.disable(logging.INFO)  # the web server's access log
    web = LiveServer(
        engine,
        WebSettings(secret=b"explained-counts-not-for-production", dns_timeout=0.5),
    )
    try:
        httpx.post(web.url + "/api/submissions", json=REPORT).raise_for_status()
    finally:
        web.stop()
        engine.dispose()
        logging.disable(logging.NOTSET)


def shown_clusters(database_url: str) -> dict[str, int]:
    """The cluster id of each of (a), (b), (c)."""
    engine = open_engine(database_url)
    try:
        with session_scope(engine) as session:
            return {
                label: session.exec(
                    select(ClusterMember.cluster_id)
                    .join(
                        Candidate, col(Candidate.id) == col(ClusterMember.candidate_id)
                    )
                    .where(
                        Candidate.url == canonical_url(url),
                        Candidate.role == "confirming",
                    )
                ).one()
                for label, url in SHOWN.items()
            }
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        help="an empty database (default: a SQLite file in a temporary folder)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print `lpi queue show --json` instead"
    )
    args = parser.parse_args()
    lpi = str(Path(sys.executable).with_name("lpi"))
    with tempfile.TemporaryDirectory(prefix="lpi-explained-") as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/intake.db"
        server = ReplayServer(PAYLOADS).start()
        try:
            config = prepare(Path(tmp), server, database_url)
            subprocess.run(
                [lpi, "run", "--plain", "--config", str(config)],
                check=True,
                capture_output=True,
            )
        finally:
            server.stop()
        for label, cluster_id in shown_clusters(database_url).items():
            show = [
                "queue",
                "show",
                str(cluster_id),
                *(["--json"] if args.json else []),
            ]
            print(f"\n=== ({label}) lpi {' '.join(show)}", flush=True)
            subprocess.run([lpi, *show, "--config", str(config)], check=True)


if __name__ == "__main__":
    main()
