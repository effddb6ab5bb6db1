"""The recorded feeds read the way the pipeline reads them, without a server or a database."""

from __future__ import annotations

from datetime import UTC, datetime

from lpi.config import Config
from lpi.pipeline import parse_and_normalize
from sources import Payload
from store import Candidate
from tests.conftest import PAYLOADS

FETCHED_AT = datetime(2024, 10, 1, tzinfo=UTC)


def recorded_hits(config: Config) -> list[Candidate]:
    """Every hit of the configured feed sources, each parsed from its file under payloads/feeds."""
    hits = []
    for spec in config.sources():
        assert spec.url, f"{spec.source_id} has no URL"
        body = (PAYLOADS / "feeds" / spec.url.rsplit("/", 1)[-1]).read_bytes()
        hits += parse_and_normalize(spec, Payload(body, spec.url), "0" * 64, FETCHED_AT).candidates
    return hits
