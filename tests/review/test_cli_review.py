"""The reviewer's commands end to end, in process, on the configured database."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import Engine
from typer.testing import CliRunner

from lpi.cli import app
from tests.review.builders import FIELDS, Source, add_cluster

runner = CliRunner()
YEAR = datetime.now(UTC).year


def lpi(config: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--config", str(config)], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_work_the_queue_from_the_command_line(engine: Engine, config_file: Path, tmp_path: Path) -> None:
    airline = add_cluster(engine, ["bbc.co.uk", Source("theverge.com", entities={"aiid_ids": ["639"]})])
    other = add_cluster(engine, ["wired.com", "ft.com"], title="Lawyer cites fake cases from ChatGPT")
    watched = add_cluster(engine, ["arstechnica.com"], title="One source only")

    listing = lpi(config_file, "queue", "list")
    assert "verification (2)" in listing and "watched (1)" in listing
    assert listing.index("verification (2)") < listing.index("watched (1)")
    rows = json.loads(lpi(config_file, "queue", "list", "--json", "--state", "watched"))
    assert [(r["id"], r["section"], r["independent"]) for r in rows] == [(watched, "watched", 1)]
    assert "unknown category 'weather'" in lpi(config_file, "queue", "list", "--category", "weather", code=2)

    shown = lpi(config_file, "queue", "show", str(airline))
    assert "independent confirming sources: 2   AIID 639 (https://incidentdatabase.ai/cite/639)" in shown
    assert "→ counted: origin bbc.co.uk" in shown and "hints: categories" in shown

    assert f"cluster {airline} claimed by alice until" in lpi(config_file, "queue", "claim", str(airline), "-r", "alice")
    assert f"cluster {airline} is claimed by alice" in lpi(config_file, "queue", "claim", str(airline), "-r", "bob", code=1)

    draft = lpi(config_file, "queue", "draft", str(airline))
    assert "#   2.5: Detected by external researcher, customer complaint, or end user" in draft
    fields = yaml.safe_load(draft)
    assert (fields["aiid_id"], fields["model_name"], fields["summary"]) == ("639", "ChatGPT", None)
    refused = lpi(config_file, "queue", "verify", str(airline), "-r", "alice", "--from-file", str(write(tmp_path, fields)), code=1)
    assert "summary: required" in refused and "piss_harm: required" in refused

    fields.update({k: v for k, v in FIELDS.items() if k != "summary"})
    published = lpi(config_file, "queue", "verify", str(airline), "-r", "alice", "--from-file", str(write(tmp_path, fields)),
                    "--summary", "The chatbot invented a refund policy.", "--notable", "true")
    assert published.startswith(f"published LPI-{YEAR}-0001: PISS 5.75 (Medium)")

    lpi(config_file, "queue", "claim", str(other), "-r", "bob")
    assert "rejected: out-of-scope" in lpi(config_file, "queue", "reject", str(other), "--reason", "out-of-scope", "-r", "bob")
    assert "is rejected: not in a review queue" in lpi(config_file, "queue", "claim", str(other), "-r", "bob", code=1)

    incident_id = f"LPI-{YEAR}-0001"
    assert incident_id in lpi(config_file, "incidents", "list")
    shown = lpi(config_file, "incidents", "show", incident_id)
    assert "affected population        1.0   100–1K people" in shown and "source  bbc.co.uk" in shown
    corrected = lpi(config_file, "incidents", "correct", incident_id, "--reason", "tribunal record", "--piss-harm", "2.0", "-r", "carol")
    assert "piss_harm: '1.5' → '2.0'" in corrected and "piss_band: 'Medium' → 'High'" in corrected
    assert "erratum" in lpi(config_file, "incidents", "show", incident_id)

    csv_path, json_path = tmp_path / "incident-database.csv", tmp_path / "incident-database.json"
    assert "1 incidents written" in lpi(config_file, "export", "csv", str(csv_path))
    assert "1 incidents written" in lpi(config_file, "export", "json", str(json_path))
    with csv_path.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["id"], row["piss_composite"], row["aiid_id"], row["notable"]) == (incident_id, "6.25", "639", "true")
    assert json.loads(json_path.read_text(encoding="utf-8"))[0]["piss_band"] == "High"
    folder = tmp_path / "exports"
    folder.mkdir()
    assert f"written to {folder / 'incident-database.csv'}" in lpi(config_file, "export", "csv", str(folder))
    assert (folder / "incident-database.csv").read_bytes() == csv_path.read_bytes()

    report = lpi(config_file, "report")
    assert "| Hallucination causing user harm | 1 | 100.0% | 6.3 |" in report


def test_regroup_from_the_command_line(engine: Engine, config_file: Path) -> None:
    first = add_cluster(engine, ["bbc.co.uk"], title="First")
    second = add_cluster(engine, ["theverge.com"], title="Second")
    third = add_cluster(engine, ["wired.com", "ft.com", "nytimes.com"], title="Third")
    assert "marked not the same incident" in lpi(config_file, "queue", "not-same", str(first), str(second), "-r", "alice")
    assert "keeps members of clusters" in lpi(config_file, "queue", "merge", str(first), str(second), "-r", "bob", code=1)
    merged = lpi(config_file, "queue", "merge", str(first), str(second), "-r", "bob", "--override", "--note", "same story after all")
    assert merged.strip() == f"cluster {second} merged into {first}: 2 independent sources, promoted"
    members = json.loads(lpi(config_file, "queue", "show", str(third), "--json"))["members"]
    split_off = lpi(config_file, "queue", "split", str(third), str(members[0]["candidate_id"]), "-r", "alice")
    assert split_off.startswith("split off cluster ") and "(1 independent sources, watched)" in split_off
    shown = json.loads(lpi(config_file, "queue", "show", str(first), "--json"))
    assert [d["kind"] for d in shown["decisions"]] == ["not_same", "merge"]


def write(tmp_path: Path, fields: dict[str, object]) -> Path:
    path = tmp_path / "fields.yaml"
    path.write_text(yaml.safe_dump(fields), encoding="utf-8")
    return path
