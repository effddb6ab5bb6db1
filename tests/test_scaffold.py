"""`lpi sources new` on a copy of the project: the scaffolded source is registered, configured, deployable,
and its generated test and contract case pass in a real pytest run; refusals write nothing."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from flows.schedules import load_deployments
from lpi.cli import app
from lpi.config import load_config
from lpi.scaffold import PROJECT_ROOT

runner = CliRunner()
TREE = ("sources", "lpi", "dedup", "store", "flows", "tests", "deployments.yaml", "pyproject.toml")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for name in TREE:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / name)
    return root


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def new(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["sources", "new", *args, "--root", str(root)])
    return result.exit_code, result.output


def test_a_scaffolded_json_source_is_wired_in_and_its_tests_pass(project: Path, tmp_path: Path) -> None:
    sample = tmp_path / "recorded.json"
    sample.write_text(
        '{"items": [{"id": "1", "url": "https://oecd.example/incidents/1", "title": "Chatbot leaked customer data",'
        ' "published": "2024-03-01T10:00:00Z"}, {"id": "2", "url": "https://oecd.example/incidents/2",'
        ' "title": "Model gave unsafe dosage advice"}]}'
    )
    code, output = new(project, "oecd-aim", "--stream", "regulators", "--url", "https://oecd.example/api/incidents", "--sample", str(sample))
    assert code == 0, output

    module = project / "sources" / "oecd_aim.py"
    assert 'kind: ClassVar[str] = "oecd-aim"' in module.read_text()
    registry = (project / "sources" / "registry.py").read_text()
    assert "from sources.oecd_aim import OecdAimAdapter" in registry and "        OecdAimAdapter(),\n" in registry
    config = load_config(project / "lpi" / "default_config.yaml")
    added = [s for s in config.sources(["regulators"]) if s.name == "oecd-aim"]
    assert added and added[0].kind == "oecd-aim" and added[0].url == "https://oecd.example/api/incidents"
    assert "# Schema: one top-level key per stream" in (project / "lpi" / "default_config.yaml").read_text()  # comments kept
    deployment = next(d for d in load_deployments(project / "deployments.yaml") if d.name == "regulators--oecd-aim")
    assert deployment.parameters == {"stream": "regulators", "sources": ["oecd-aim"]} and deployment.cadence is None
    test_file = (project / "tests" / "sources" / "test_oecd_aim.py").read_text()
    assert "assert len(parsed.hits) == 2" in test_file and "'Chatbot leaked customer data'" in test_file

    env = {**os.environ, "PYTHONPATH": str(project)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/sources/test_oecd_aim.py", "tests/sources/test_contract.py", "-k", "oecd"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "passed" in run.stdout and "failed" not in run.stdout


def test_a_scaffolded_feed_source_uses_the_feed_adapter(project: Path) -> None:
    code, output = new(project, "court-bulletin", "--stream", "courts", "--format", "feed", "--url", "https://courts.example/rss.xml")
    assert code == 0, output
    assert "class CourtBulletinAdapter(FeedAdapter):" in (project / "sources" / "court_bulletin.py").read_text()
    contract = yaml.safe_load((project / "tests" / "payloads" / "court-bulletin" / "contract.yaml").read_text())
    assert contract == {"stream": "courts", "file": "sample.xml", "content_type": "application/rss+xml; charset=utf-8", "options": {}, "min_hits": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Bad_Name", "--stream", "courts", "--url", "https://x.example/"), "must be kebab-case"),
        (("fine-name", "--stream", "tweets", "--url", "https://x.example/"), "unknown stream 'tweets'"),
        (("feed", "--stream", "courts", "--url", "https://x.example/"), "kind 'feed' is registered already"),
        (("fine-name", "--stream", "courts", "--url", "ftp://x.example/"), "must be http(s) or file:"),
        (("fine-name", "--stream", "courts", "--url", "https://x.example/", "--format", "csv"), "unknown format 'csv'"),
    ],
)
def test_refusals_write_nothing(project: Path, args: tuple[str, ...], message: str) -> None:
    before = snapshot(project)
    code, output = new(project, *args)
    assert code == 2 and message in output
    assert snapshot(project) == before
