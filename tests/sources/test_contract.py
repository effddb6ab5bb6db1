"""The contract every registered adapter keeps, over its recorded real-format payload
(``tests/payloads/<kind>/contract.yaml`` names the file, the stream and the options):

- parse yields hits with an absolute http(s) URL, a title and an aware date (or none);
- an empty, garbage or HTML payload is a clear ParseError, never a crash;
- the cursor a poll leaves round-trips through the database and comes back to the adapter;
- polled twice through the real pipeline over loopback HTTP, the second poll adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from lpi.config import load_config
from lpi.pipeline import load_cursor, run_cycle
from sources import ADAPTERS, ParseError, Payload, SourceSpec, adapter_for
from store import Candidate, SourceState, open_engine, session_scope
from tests.conftest import PAYLOADS, write_config
from tests.replay import ReplayServer

LOCAL_KINDS = {"submissions"}  # read from our own database, not over HTTP: covered in tests/web


@dataclass(frozen=True)
class Contract:
    kind: str
    stream: str
    file: Path
    content_type: str
    options: dict[str, Any]
    min_hits: int

    @classmethod
    def load(cls, kind: str) -> Contract:
        folder = PAYLOADS / kind
        doc = yaml.safe_load((folder / "contract.yaml").read_text(encoding="utf-8"))
        return cls(kind, doc["stream"], folder / doc["file"], doc["content_type"], doc.get("options") or {}, int(doc["min_hits"]))

    def spec(self, url: str = "https://example.org/endpoint") -> SourceSpec:
        return SourceSpec(self.stream, f"contract-{self.kind}", self.kind, url, options=self.options)

    def payload(self, body: bytes | None = None, content_type: str | None = None) -> Payload:
        return Payload(self.file.read_bytes() if body is None else body, "https://example.org/endpoint", content_type or self.content_type)


KINDS = sorted(ADAPTERS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_recorded_payload(kind: str) -> None:
    contract = Contract.load(kind)
    assert contract.file.is_file() and contract.file.stat().st_size > 0
    assert contract.min_hits >= 1


@pytest.mark.parametrize("kind", KINDS)
def test_parse_yields_hits_with_the_required_fields(kind: str) -> None:
    contract = Contract.load(kind)
    parsed = adapter_for(kind).parse(contract.spec(), contract.payload())

    assert len(parsed.hits) >= contract.min_hits
    for hit in parsed.hits:
        assert hit.url.startswith(("https://", "http://")), hit.url
        assert hit.title.strip(), hit
        assert hit.published is None or hit.published.utcoffset() is not None, hit
    if parsed.cursor is not None:
        assert json.loads(json.dumps(parsed.cursor)) == parsed.cursor  # stored as JSON as it is


GARBAGE = {
    "empty": (b"", None),
    "whitespace": (b"  \n\t ", "text/plain"),
    "binary garbage": (bytes(range(256)) * 4, "application/octet-stream"),
    "html page": (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>", "text/html"),
    "truncated": (None, None),  # the first half of the real payload
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
@pytest.mark.parametrize("kind", KINDS)
def test_unusable_payloads_are_clear_parse_errors(kind: str, case: str) -> None:
    contract = Contract.load(kind)
    body, content_type = GARBAGE[case]
    if body is None:
        real = contract.file.read_bytes()
        body = real[: len(real) // 2]
    adapter = adapter_for(kind)
    try:
        parsed = adapter.parse(contract.spec(), contract.payload(body, content_type))
    except ParseError as exc:
        assert str(exc).strip()
        return
    # Only a truncated feed may still be read in part (feed parsers recover entries); never invent hits.
    assert case == "truncated", f"{case} payload parsed without error into {len(parsed.hits)} hits"
    assert len(parsed.hits) < len(adapter.parse(contract.spec(), contract.payload()).hits) or parsed.warnings


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in LOCAL_KINDS])
def test_polling_twice_adds_nothing_new_and_the_cursor_round_trips(
    kind: str, replay: ReplayServer, database_url: str, tmp_path: Path
) -> None:
    contract = Contract.load(kind)
    path = contract.file.resolve().relative_to(PAYLOADS.resolve())
    source = {"name": f"contract-{kind}", "kind": kind, "url": f"/{path}", "page_delay": 0, **contract.options}
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, database_url, {contract.stream: {"sources": [source]}}))
    engine = open_engine(database_url)
    try:
        first = run_cycle(config, engine).sources[0]
        second = run_cycle(config, engine, force=True).sources[0]  # force: no 304 shortcut, a real re-parse
        with session_scope(engine) as session:
            stored = len(session.exec(select(Candidate)).all())
            state = session.get(SourceState, f"{contract.stream}/contract-{kind}")
    finally:
        engine.dispose()

    assert first.status == "fetched", first.message
    assert first.new_hits >= 1 and stored == first.new_hits
    assert second.status == "fetched", second.message
    assert second.new_hits == 0 and second.known_hits >= 1  # a paged first poll may read more pages than later ones
    assert state is not None and state.error_count == 0
    parsed = adapter_for(kind).parse(contract.spec(), contract.payload())
    if parsed.cursor:
        assert load_cursor(state) == json.loads(json.dumps(parsed.cursor))
        adapter_for(kind).request(contract.spec(), load_cursor(state))  # the adapter accepts what it left
