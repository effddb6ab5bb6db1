"""Corrections through the errata log, the incident-database export (CSV and JSON), and the
methodology's aggregate tables computed from a small published set."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

import review
from review import DraftError, ReviewError
from store import Incident, session_scope
from tests.review.builders import T0, add_cluster
from tests.review.test_publish import claim_and_verify

# category, sector, detection, (population, harm, detection failure, response)
PUBLISHED: list[tuple[str, str, str, tuple[str, str, str, str]]] = [
    ("hallucination", "customer-service", "end-user", ("1.0", "1.5", "2.5", "0.75")),  # 5.75 Medium
    ("fabricated-citations", "legal", "regulator-court", ("0.5", "2.5", "3.0", "0.5")),  # 6.5 High
    ("fabricated-citations", "legal", "external-researcher", ("0.5", "2.0", "2.5", "0.25")),  # 5.25 Medium
    ("data-exposure", "healthcare", "automated-monitoring", ("2.0", "2.0", "1.0", "0.25")),  # 5.25 Medium
    ("cross-user-leakage", "other", "external-researcher", ("3.0", "2.5", "2.5", "0.5")),  # 8.5 Critical
    ("hallucination", "retail", "internal-review", ("0.5", "0.5", "1.0", "0.25")),  # 2.25 Low, withdrawn below
]


def publish_set(engine: Engine) -> list[str]:
    ids = []
    for n, (category, sector, detection, scores) in enumerate(PUBLISHED):
        cluster_id = add_cluster(engine, ["bbc.co.uk", "theverge.com"], title=f"Incident {n + 1}")
        population, harm, failure, response = scores
        incident = claim_and_verify(
            engine, cluster_id, category=category, sector=sector, detection_mechanism=detection, piss_population=population,
            piss_harm=harm, piss_detection=failure, piss_response=response, notable=str(n == 4).lower(),
        )
        ids.append(incident.id)
    return ids


def correct(engine: Engine, incident_id: str, changes: dict[str, Any], reason: str = "new evidence") -> list[dict[str, str]]:
    with session_scope(engine) as session:
        return review.correct(session, incident_id, "carol", changes, reason, at=T0)


def test_a_correction_is_logged_field_by_field_with_score_and_band_following(engine: Engine) -> None:
    incident_id = claim_and_verify(engine, add_cluster(engine, ["bbc.co.uk", "theverge.com"])).id
    errata = correct(engine, incident_id, {"piss_population": "3.0", "deployer": "Example Air Ltd"}, "court filing gives 2M users")
    assert [(e["field"], e["before"], e["after"]) for e in errata] == [
        ("deployer", "Example Air", "Example Air Ltd"),
        ("piss_population", "1.0", "3.0"),
        ("piss_composite", "5.75", "7.75"),
        ("piss_band", "Medium", "High"),
    ]
    assert {(e["by"], e["reason"], e["at"]) for e in errata} == {("carol", "court filing gives 2M users", T0.isoformat())}
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and (incident.piss_composite, incident.piss_band) == (7.75, "High")
        assert incident.errata == errata
        (entry,) = review.audit_log(session, f"incident:{incident_id}")
    assert (entry.action, entry.actor, entry.reason) == ("correct", "carol", "court filing gives 2M users")
    assert entry.before == {"deployer": "Example Air", "piss_population": 1.0, "piss_composite": 5.75, "piss_band": "Medium"}
    assert entry.after["piss_band"] == "High"

    more = correct(engine, incident_id, {"status": "withdrawn"}, "turned out to be a hoax")
    assert [(e["field"], e["before"], e["after"]) for e in more] == [("status", "published", "withdrawn")]
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and len(incident.errata) == 5


def test_corrections_are_validated_and_need_a_reason(engine: Engine) -> None:
    incident_id = claim_and_verify(engine, add_cluster(engine, ["bbc.co.uk", "theverge.com"])).id
    with pytest.raises(ReviewError, match="needs a reason"):
        correct(engine, incident_id, {"sector": "legal"}, reason=" ")
    with pytest.raises(DraftError) as caught:
        correct(engine, incident_id, {"sector": "space", "piss_composite": 9, "status": "gone"})
    assert caught.value.problems == {"piss_composite": "not a correctable field"}
    with pytest.raises(DraftError, match="sector: unknown sector 'space'"):
        correct(engine, incident_id, {"sector": "space"})
    with pytest.raises(DraftError, match="status: 'gone' is not one of published, withdrawn"):
        correct(engine, incident_id, {"status": "gone"})
    with pytest.raises(ReviewError, match="changes nothing"):
        correct(engine, incident_id, {"sector": "Customer service"})
    with pytest.raises(review.NotFound):
        correct(engine, "LPI-2025-0099", {"sector": "legal"})


def test_export_writes_one_row_per_incident_as_csv_and_json(engine: Engine, tmp_path: Path) -> None:
    first = claim_and_verify(engine, add_cluster(engine, ["bbc.co.uk", "theverge.com"]), notable="true").id
    claim_and_verify(engine, add_cluster(engine, ["wired.com", "ft.com"], title="Second"))
    correct(engine, first, {"jurisdiction": "Canada"}, "more precise")
    with session_scope(engine) as session:
        assert review.write_csv(session, tmp_path / "incident-database.csv") == 2
        assert review.write_json(session, tmp_path / "incident-database.json") == 2
    with (tmp_path / "incident-database.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == review.COLUMNS
        rows = list(reader)
    assert [r["id"] for r in rows] == ["LPI-2025-0001", "LPI-2025-0002"]
    row = rows[0]
    assert (row["piss_composite"], row["piss_band"], row["notable"], row["jurisdiction"]) == ("5.75", "Medium", "true", "Canada")
    assert (row["category"], row["model_name"], row["model_version"], row["incident_date"]) == (
        "Hallucination causing user harm", "GPT-4", "", "2025-02-20"
    )
    assert [s["publisher"] for s in json.loads(row["sources"])] == ["bbc.co.uk", "theverge.com"]
    assert [(e["field"], e["after"]) for e in json.loads(row["errata"])] == [("jurisdiction", "Canada")]
    assert rows[1]["notable"] == "false" and json.loads(rows[1]["errata"]) == []

    exported = json.loads((tmp_path / "incident-database.json").read_text(encoding="utf-8"))
    assert list(exported[0]) == list(review.COLUMNS)
    assert exported[0]["notable"] is True and exported[0]["piss_composite"] == 5.75 and exported[0]["model_version"] is None
    assert exported[0]["sources"] == json.loads(row["sources"]) and exported[0]["errata"][0]["reason"] == "more precise"
    assert not list(tmp_path.glob(".*.partial"))


def test_report_tables_from_a_small_published_set(engine: Engine) -> None:
    ids = publish_set(engine)
    correct(engine, ids[-1], {"status": "withdrawn"}, "not an LLM after all")
    with session_scope(engine) as session:
        report = review.render_report(session)
    lines = report.splitlines()
    assert "5 published incidents, incident dates 2025-02-20 to 2025-02-20." in lines
    category = lines[lines.index("## Distribution by category (n=5)") + 3:][:5]
    assert category == [
        "|---|---:|---:|---:|",
        "| Fabricated citations / sources | 2 | 40.0% | 5.9 |",
        "| Hallucination causing user harm | 1 | 20.0% | 5.8 |",
        "| Sensitive data exposure | 1 | 20.0% | 5.3 |",
        "| Cross-user data leakage | 1 | 20.0% | 8.5 |",
    ]
    assert "| Discriminatory output | 0 | 0.0% | — |" in lines
    assert "| Legal | 2 | 40.0% | 5.9 |" in lines and "| Retail / e-commerce | 0 | 0.0% | — |" in lines
    assert "| External researcher / journalist | 2 | 40.0% |" in lines
    assert "| Internal review (post-harm) | 0 | 0.0% |" in lines
    assert "Detected by people outside the deploying organization: 4 of 5 (80.0%)." in lines
    bands = lines[lines.index("## PISS bands") + 4:][:4]
    assert bands == [
        "| Critical | 8.0–10.0 | 1 | 20.0% |",
        "| High | 6.0–7.9 | 1 | 20.0% |",
        "| Medium | 3.0–5.9 | 3 | 60.0% |",
        "| Low | 0.1–2.9 | 0 | 0.0% |",
    ]


def test_report_with_nothing_published(engine: Engine) -> None:
    with session_scope(engine) as session:
        report = review.render_report(session)
    assert "No published incidents yet." in report and "| Critical | 8.0–10.0 | 0 | — |" in report
