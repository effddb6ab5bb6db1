"""Syndication: wire copies count as the agency, near-identical text collapses with its distance,
and a reviewer sees why (``lpi queue show``). On the recorded feeds: the AP story ABC News ran,
and the Guardian's and the BBC's own reports of the Air Canada ruling."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from dedup.independence import Evidence, count_independent, evidence_of
from dedup.syndication import NEAR_DISTANCE, distance, simhash, wire_credit
from dedup.text import words
from lpi.cli import app
from lpi.config import load_config
from lpi.pipeline import run_cycle
from store import Candidate, ClusterMember, session_scope
from tests.conftest import write_config
from tests.recorded_feeds import recorded_hits
from tests.replay import ReplayServer


@pytest.fixture
def recorded(tmp_path: Path, replay: ReplayServer) -> dict[str, Evidence]:
    """Every hit of the recorded feeds as counting sees it, by "publisher: title"."""
    hits = recorded_hits(load_config(write_config(tmp_path / "lpi.yaml", replay, None)))
    for n, hit in enumerate(hits):
        hit.id = n
    return {f"{e.publisher}: {e.title}": e for e in evidence_of(hits)}


NYC = "NYC's AI chatbot was caught telling businesses to break the law. The city isn't taking it down"
AP, ABC = f"apnews.com: {NYC}", f"go.com: {NYC}"
GUARDIAN = "theguardian.com: Air Canada ordered to pay customer who was misled by airline's chatbot"
BBC = "bbc.co.uk: Air Canada ordered to pay passenger after its chatbot gave wrong refund advice"


def test_the_abc_copy_of_the_ap_story_counts_as_ap_whichever_comes_first(recorded: dict[str, Evidence]) -> None:
    ap, abc = recorded[AP], recorded[ABC]
    assert ap.summary.startswith("NEW YORK (AP) —") and abc.summary == ap.summary

    for first, second in ((ap, abc), (abc, ap)):
        count = count_independent([first, second])
        assert count.origins == {"apnews.com": [first.candidate_id, second.candidate_id]}
    abc_first = count_independent([abc, ap]).collapsed
    ap_first = count_independent([ap, abc]).collapsed
    copy = f"identical text to candidate {ap.candidate_id}: a syndicated copy; wire copy credited to AP"
    assert ap_first == [{"candidate": abc.candidate_id, "into": "apnews.com", "reason": copy}]
    assert abc_first == [{"candidate": ap.candidate_id, "into": "apnews.com", "reason": "same originating organization"}]


def test_a_lightly_edited_reprint_collapses_with_its_simhash_distance(recorded: dict[str, Evidence]) -> None:
    guardian = recorded[GUARDIAN]
    trimmed = guardian.summary.removesuffix(" Continue reading...")
    assert trimmed != guardian.summary
    reprint = replace(guardian, candidate_id=999, publisher="msn.com", fingerprint="msn", summary=trimmed)
    bits = distance(simhash(f"{guardian.title} {guardian.summary}") or 0, simhash(f"{reprint.title} {reprint.summary}") or 0)
    assert 0 < bits <= NEAR_DISTANCE

    count = count_independent([guardian, reprint, recorded[BBC]])

    assert count.independent == 2  # the BBC wrote its own report of the same ruling: it counts
    assert count.collapsed == [{
        "candidate": 999,
        "into": "theguardian.com",
        "reason": f"near-identical text to candidate {guardian.candidate_id} (simhash distance {bits})",
    }]


def test_different_reports_of_one_incident_are_far_apart(recorded: dict[str, Evidence]) -> None:
    texts = [simhash(f"{e.title} {e.summary}") for e in recorded.values() if e.fingerprint != recorded[AP].fingerprint]
    hashes = [h for h in texts if h is not None]
    assert len(hashes) >= 5
    assert min(distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]) > 3 * NEAR_DISTANCE


def _majority_of_bits(text: str, shingle: int) -> int:
    """SimHash by its definition: bit b set when more than half of the shingles' hashes set it."""
    tokens = words(text)
    hashes = [
        int.from_bytes(hashlib.blake2b(" ".join(tokens[i : i + shingle]).encode(), digest_size=8).digest(), "big")
        for i in range(len(tokens) - shingle + 1)
    ]
    return sum(1 << bit for bit in range(64) if 2 * sum(h >> bit & 1 for h in hashes) > len(hashes))


@pytest.mark.parametrize("shingle", [1, 2, 3])
def test_simhash_counts_every_bit_at_once_as_the_definition_counts_them_one_by_one(shingle: int) -> None:
    rng = random.Random(shingle)
    vocabulary = [f"word{n}" for n in range(40)]  # few words: many counts fall exactly on half
    for length in [*range(12, 40), 255, 256, 257, 1000]:
        text = " ".join(rng.choices(vocabulary, k=length))
        assert simhash(text, shingle) == _majority_of_bits(text, shingle)
    assert simhash("too short to judge", shingle) is None


@pytest.mark.parametrize(
    ("summary", "origin"),
    [
        ("LONDON (Reuters) - A chatbot gave wrong answers.", "reuters.com"),
        ("A chatbot gave wrong answers, the regulator said. — Reuters", "reuters.com"),
        ("PARIS (AFP) — A chatbot gave wrong answers.", "afp.com"),
        ("By Jane Doe, Associated Press. A chatbot gave wrong answers.", "apnews.com"),
        ("Students said the chatbot failed their AP exam revision.", None),
        ("A chatbot gave wrong answers, the airline said.", None),
    ],
)
def test_wire_credits(summary: str, origin: str | None) -> None:
    agency = wire_credit(summary)
    assert (agency.origin if agency else None) == origin


def test_queue_show_says_why_the_abc_copy_does_not_count(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine: Engine
) -> None:
    config = write_config(tmp_path / "lpi.yaml", replay, database_url)
    run_cycle(load_config(config), engine)
    with session_scope(engine) as session:
        abc_id, cluster_id = session.exec(
            select(Candidate.id, ClusterMember.cluster_id)
            .join(ClusterMember, col(ClusterMember.candidate_id) == col(Candidate.id))
            .where(Candidate.publisher == "go.com")
        ).one()

    result = CliRunner().invoke(app, ["queue", "show", str(cluster_id), "--config", str(config)])

    assert result.exit_code == 0, result.output
    abc_member = result.stdout.split(f"  #{abc_id} ", 1)[1]
    why = abc_member.split("→ ", 1)[1].splitlines()[0]
    assert why.startswith("collapsed into apnews.com: identical text to candidate") and why.endswith("wire copy credited to AP")
