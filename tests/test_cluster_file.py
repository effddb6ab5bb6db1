"""``lpi cluster-file`` as a real subprocess on real files: output, errors, the labeled dev set, and the
same partition as the pipeline's match_and_promote on the same hits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from dedup.quality import bcubed, half_of
from lpi.config import load_config
from lpi.pipeline import run_cycle
from store import Candidate, Cluster, ClusterMember, session_scope
from tests.all_streams import SUBMISSIONS, all_streams
from tests.conftest import CORPORA, write_config
from tests.live import LiveServer
from tests.replay import ReplayServer
from web import WebSettings

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = CORPORA / "aiid_2025_dev" / "hits.jsonl"
# B-cubed (precision, F1) floors just under what the matcher reaches today on the half the settings were
# chosen on (A), the held-out half (B) and the whole set (bench/cluster_quality.py prints the figures).
# The targets (precision 0.92, F1 0.80 on the whole set) are not reached yet.
FLOORS = {"half A": (0.90, 0.87), "half B": (0.87, 0.77), "whole": (0.80, 0.78)}

HITS: list[dict[str, Any]] = [
    {"id": "ars", "url": "https://arstechnica.com/tech-policy/2024/02/air-canada-must-honor-refund-policy-invented-by-airlines-chatbot/",
     "title": "Air Canada must honor refund policy invented by airline's chatbot"},
    {"id": 2, "url": "https://www.bbc.co.uk/news/articles/cd11gzejgz4o", "title": "Google AI search tells users to glue pizza and eat rocks"},
    {"id": "guardian", "url": "https://www.theguardian.com/world/2024/feb/16/air-canada-chatbot-lawsuit",
     "title": "Air Canada ordered to pay customer who was misled by airline's chatbot", "stream": "tier1-news",
     "summary": "Canada's largest airline has been ordered to pay compensation after its chatbot gave a customer "
                "inaccurate information about bereavement fares.", "published": "2024-02-16T18:00:00+00:00"},
    {"id": "lead", "url": "http://www.arstechnica.com/tech-policy/2024/02/air-canada-must-honor-refund-policy-invented-by-airlines-chatbot?utm_source=x",
     "title": ""},
    {"id": "verge", "url": "https://www.theverge.com/2024/5/23/google-ai-overview-hallucinations-glue-in-pizza",
     "title": "Google's AI Overviews told users to put glue on pizza and eat rocks", "gold": "ignored"},
]


def lpi(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The real command in a child process (``python -m lpi.cli``, from the checkout)."""
    command = [sys.executable, "-m", "lpi.cli", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_one_line_per_hit_in_input_order_named_by_founders(tmp_path: Path) -> None:
    result = lpi("cluster-file", write_jsonl(tmp_path / "hits.jsonl", HITS))

    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["ars", 2, "guardian", "lead", "verge"]
    cluster = {r["id"]: r["cluster"] for r in rows}
    assert cluster["ars"] == cluster["guardian"] == cluster["lead"] == "ars"  # the lead: same article, same URL
    assert cluster[2] == cluster["verge"] == 2


def test_output_file_and_only_the_required_keys(tmp_path: Path) -> None:
    minimal = [{key: hit[key] for key in ("id", "url", "title")} for hit in HITS]
    out = tmp_path / "clusters.jsonl"

    result = lpi("cluster-file", write_jsonl(tmp_path / "hits.jsonl", minimal), "-o", out)

    assert result.returncode == 0 and result.stdout == ""
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [h["id"] for h in HITS]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not JSON"),
        ('["a list"]', "line 2: a JSON object is needed, not list"),
        ('{"id": "x", "title": "t"}', "line 2: missing url"),
        ('{"url": "https://x.org/a"}', "line 2: missing id, title"),
        ('{"id": true, "url": "https://x.org/a", "title": "t"}', "line 2: id must be a non-empty string or an integer"),
        ('{"id": "ars", "url": "https://x.org/a", "title": "t"}', "line 2: id 'ars' already used on line 1"),
        ('{"id": "x", "url": "https://x.org/a", "title": 3}', "line 2: title must be a string, not int"),
        ('{"id": "x", "url": "https://x.org/a", "title": "t", "published": "last week"}', "line 2: published must be an ISO 8601 time"),
        ('{"id": "x", "url": "https://x.org/a", "title": "t", "entities": {"cves": "CVE-1"}}', "line 2: entities must be an object"),
    ],
)
def test_a_bad_line_is_a_usage_error_naming_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "hits.jsonl"
    path.write_text(json.dumps(HITS[0]) + "\n" + line + "\n", encoding="utf-8")

    result = lpi("cluster-file", path)

    assert result.returncode == 2 and result.stdout == ""
    assert f"{path} {message}" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = lpi("cluster-file", tmp_path / "absent.jsonl")
    assert result.returncode == 2 and "cannot read" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared corpora not available")
def test_dev_set_quality_stays_above_its_floors(tmp_path: Path) -> None:
    labeled = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    sets = {"half A": [r for r in labeled if half_of(r["gold"]) == "A"],
            "half B": [r for r in labeled if half_of(r["gold"]) == "B"], "whole": labeled}

    for name, rows in sets.items():
        result = lpi("cluster-file", write_jsonl(tmp_path / "part.jsonl", rows))
        assert result.returncode == 0, result.stderr
        cluster = {row["id"]: row["cluster"] for row in map(json.loads, result.stdout.splitlines())}
        scores = bcubed([cluster[r["id"]] for r in rows], [r["gold"] for r in rows])
        precision, f1 = FLOORS[name]
        assert scores.precision >= precision and scores.f1 >= f1, (name, scores, scores.f1)


def test_the_pipeline_and_cluster_file_make_the_same_partition(engine: Engine, replay: ReplayServer, tmp_path: Path) -> None:
    web = LiveServer(engine, WebSettings(secret=b"cluster-file-test-secret-0123456789", dns_timeout=0.5))
    try:
        for report in SUBMISSIONS:
            assert httpx.post(web.url + "/api/submissions", json=report).status_code == 201
    finally:
        web.stop()
    # a threshold a few of these joins only just reach, so that some are flagged as near it
    matching = {"threshold": 0.5, "near_margin": 0.05}
    config_file = write_config(tmp_path / "lpi.yaml", replay, str(engine.url), all_streams(), matching=matching)
    run_cycle(load_config(config_file), engine)
    with session_scope(engine) as session:
        candidates = list(session.exec(select(Candidate).order_by(col(Candidate.published_at), col(Candidate.id))))  # the pipeline's order
        members = list(session.exec(select(ClusterMember)))
        in_cluster = {m.candidate_id: m.cluster_id for m in members}
        flagged = {f["candidate"] for c in session.exec(select(Cluster)) for f in c.explanation["near_threshold"]}
        exported = [
            {"id": c.id, "url": c.url, "title": c.title, "summary": c.summary, "published": c.published_at.isoformat(),
             "stream": c.stream, "entities": c.entities}
            for c in candidates
            if c.published_at is not None
        ]
    assert len(exported) == len(in_cluster) > 50

    result = lpi("cluster-file", write_jsonl(tmp_path / "hits.jsonl", exported), "--config", config_file)

    assert result.returncode == 0, result.stderr
    from_file = {row["id"]: row["cluster"] for row in map(json.loads, result.stdout.splitlines())}
    assert _partition(from_file) == _partition(in_cluster)
    assert max(len(group) for group in _partition(in_cluster)) >= 4  # not a trivial partition
    settings = load_config(config_file).matching
    near = {m.candidate_id for m in members if settings.is_near(m.score)}
    assert flagged == near and near  # the explanation lists exactly the joins just above the threshold


def _partition(assignment: dict[Any, Any]) -> set[frozenset[Any]]:
    groups: dict[Any, set[Any]] = {}
    for member, cluster in assignment.items():
        groups.setdefault(cluster, set()).add(member)
    return {frozenset(group) for group in groups.values()}


def test_a_later_run_joins_its_hits_to_the_clusters_of_earlier_runs(config_file: Path, engine: Engine) -> None:
    config = load_config(config_file)
    run_cycle(config, engine, ["tier1-news"])
    with session_scope(engine) as session:
        before = dict(session.exec(select(Candidate.url, ClusterMember.cluster_id).join(ClusterMember)).all())

    run_cycle(config, engine, ["tech-press"])

    with session_scope(engine) as session:
        after = dict(session.exec(select(Candidate.url, ClusterMember.cluster_id).join(ClusterMember)).all())
    assert {url: after[url] for url in before} == before  # earlier placements stand
    guardian = next(url for url in before if "air-canada-chatbot-lawsuit" in url)
    ars = next(url for url in after if "air-canada-must-honor-refund-policy" in url)
    assert ars not in before and after[ars] == before[guardian]
