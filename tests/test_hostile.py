"""One intake cycle against a hostile server: every misbehaving site ends as a recorded error on its
own source within the deadline (entity documents refused, nothing expanded, no file read), Retry-After
in both forms sets the backoff, and the two good feeds beside them land their hits. The cycle runs
once per database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlmodel import select

from lpi.config import load_config
from lpi.pipeline import run_cycle
from lpi.summary import CycleSummary
from store import Candidate, RawPayload, SourceState, repo, session_scope
from tests.hostile import (
    GOOD_SOURCES,
    LAUGHS,
    PASSWD,
    POLICY,
    HostileSites,
    cases,
    hostile_sites,
)

CASES = cases()
GIVE_UP_SLACK = 1.0  # seconds past the deadline: reading robots.txt, parsing, thread scheduling


@pytest.fixture(scope="module")
def sites() -> Iterator[HostileSites]:
    with hostile_sites(CASES) as started:
        yield started


def test_one_cycle_against_the_hostile_server(tmp_path: Path, sites: HostileSites, database_url: str, engine) -> None:  # type: ignore[no-untyped-def]
    cycle = run_cycle(load_config(sites.write_config(tmp_path / "lpi.yaml", database_url)), engine)

    by_id = {report.source_id: report for report in cycle.sources}
    for case in CASES:
        report = by_id[f"security-blogs/{case.name}"]
        assert report.status == "error" and re.search(case.outcome, report.message), (case.name, report.message)
        assert report.seconds < POLICY["deadline"] + GIVE_UP_SLACK, (case.name, report.seconds)
    assert {report.source_id for report in cycle.errors} == {f"security-blogs/{case.name}" for case in CASES}
    assert {source_id: by_id[source_id].new_hits for source_id in GOOD_SOURCES} == GOOD_SOURCES
    assert all(by_id[source_id].status == "fetched" for source_id in GOOD_SOURCES)
    with session_scope(engine) as session:
        states = {state.source_id: state for state in session.exec(select(SourceState))}
        candidates = list(session.exec(select(Candidate)))
        archived = {raw.source_id: repo.read_blob(session, raw.sha256) for raw in session.exec(select(RawPayload))}
    assert_errors_recorded(states, cycle)
    assert_retry_after_honoured(states)
    assert_no_entity_expanded_and_no_file_read(states, candidates, archived)


def backoff_of(state: SourceState) -> timedelta:
    assert state.next_check_at and state.last_error_at
    return state.next_check_at - state.last_error_at


def assert_errors_recorded(states: dict[str, SourceState], cycle: CycleSummary) -> None:
    messages = {report.source_id: report.message for report in cycle.sources}
    for case in CASES:
        state = states[f"security-blogs/{case.name}"]
        assert state.error_count == 1 and backoff_of(state) > timedelta(0)
        assert state.last_error == messages[state.source_id][:2000]


def assert_retry_after_honoured(states: dict[str, SourceState]) -> None:
    assert backoff_of(states["security-blogs/too-many-requests"]) >= timedelta(seconds=3600)  # "Retry-After: 3600"
    [dated] = [case for case in CASES if case.name == "unavailable-until-date"]  # "Retry-After: <HTTP-date>"
    next_check_at = states["security-blogs/unavailable-until-date"].next_check_at
    assert next_check_at and next_check_at >= parsedate_to_datetime(dated.route.headers["Retry-After"]) - timedelta(seconds=1)


def assert_no_entity_expanded_and_no_file_read(
    states: dict[str, SourceState], candidates: list[Candidate], archived: dict[str, bytes]
) -> None:
    assert {"security-blogs/billion-laughs", "security-blogs/external-entity"} <= set(archived)  # raw bytes kept
    assert {candidate.source_id for candidate in candidates} == set(GOOD_SOURCES)
    texts = [f"{c.url}\n{c.title}\n{c.summary}" for c in candidates]
    texts += [state.last_error or "" for state in states.values()]
    texts += [body.decode("utf-8", "replace") for body in archived.values()]
    assert not any(LAUGHS in text for text in texts)
    if PASSWD.exists():
        secret = PASSWD.read_text().splitlines()[0]
        assert not any(secret in text for text in texts)
