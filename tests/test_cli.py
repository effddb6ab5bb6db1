"""The ``lpi`` command end to end (in-process, ``--plain`` so no Prefect server is started)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lpi.cli import app

runner = CliRunner()


def lpi(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_run_then_queue_and_sources(config_file: Path) -> None:
    output = lpi("run", "--plain", "--config", str(config_file))
    assert "15 new hits; 8 new clusters; 5 promoted; 0 source errors" in output
    assert "promoted #" in output and "origins: " in output

    rows = json.loads(lpi("queue", "list", "--json", "--config", str(config_file)))
    assert [r["state"] for r in rows].count("promoted") == 5
    assert [r["state"] for r in rows].count("watched") == 2
    parked = json.loads(lpi("queue", "list", "--state", "out-of-scope", "--json", "--config", str(config_file)))
    assert [r["title"] for r in parked] == ["Console login delays"] and "names or describes no frontier LLM" in parked[0]["out_of_scope"]
    assert rows[0]["independent"] == 3  # most independent sources first

    nyc = next(r for r in rows if "NYC" in r["title"])
    shown = lpi("queue", "show", str(nyc["id"]), "--config", str(config_file))
    assert "independent confirming sources: 2" in shown
    assert "collapsed into apnews.com: identical text to candidate" in shown

    sources = json.loads(lpi("sources", "list", "--json", "--config", str(config_file)))
    assert len(sources) == 9 and all(s["last_success"] and s["errors"] == 0 for s in sources)
    assert {s["cadence"] for s in sources} == {"daily", "continuous"}

    again = lpi("run", "--plain", "--config", str(config_file), "--stream", "tech-press")
    assert "0 new hits; 0 new clusters; 0 promoted" in again
    assert "9 archived payloads re-read; 0 new hits; 0 new clusters" in lpi("reprocess", "--config", str(config_file))


def test_queue_show_unknown_cluster_fails_clearly(config_file: Path) -> None:
    result = runner.invoke(app, ["queue", "show", "999", "--config", str(config_file)])
    assert result.exit_code == 1
    assert "no cluster 999" in result.output


def test_unknown_stream_and_bad_config_are_usage_errors(config_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--plain", "--config", str(config_file), "--stream", "tweets"])
    assert result.exit_code == 2 and "unknown stream(s) tweets" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("streams: [oops", encoding="utf-8")
    result = runner.invoke(app, ["sources", "list", "--config", str(bad)])
    assert result.exit_code == 2 and "is not valid YAML" in result.output


def test_db_upgrade_reports_revision(config_file: Path) -> None:
    from store.migrate import head_revision

    assert f"upgraded to revision {head_revision()}" in lpi("db", "upgrade", "--config", str(config_file))
