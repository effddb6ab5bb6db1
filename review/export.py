"""The public database: ``incident-database.csv`` and the same rows as JSON."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sqlmodel import Session

from review.values import to_json, to_text
from store import Incident, repo

COLUMNS = (
    "id", "title", "summary", "incident_date", "category", "sector",
    "model_vendor", "model_name", "model_version", "deployer", "jurisdiction",
    "piss_population", "piss_harm", "piss_detection", "piss_response", "piss_composite", "piss_band",
    "detection_mechanism", "lesson", "mitigation", "recommendation", "detection_gap",
    "sources", "aiid_id", "notable", "status", "errata", "published_at",
)  # fmt: skip


def record(incident: Incident) -> dict[str, Any]:
    """One incident as a JSON object, in column order."""
    return {name: to_json(getattr(incident, name)) for name in COLUMNS}


def records(session: Session) -> list[dict[str, Any]]:
    """Every incident, in publication order (withdrawn ones too, with their status)."""
    return [record(incident) for incident in repo.incidents(session)]


def write_csv(session: Session, path: Path) -> int:
    """Write incident-database.csv (lists as JSON in their cell); return the number of rows."""
    rows = records(session)

    def write(out: TextIO) -> None:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({name: to_text(value) for name, value in row.items()} for row in rows)

    _replace(path, write)
    return len(rows)


def write_json(session: Session, path: Path) -> int:
    """Write the same rows as a JSON array; return the number of rows."""
    rows = records(session)
    _replace(path, lambda out: json.dump(rows, out, ensure_ascii=False, indent=2))
    return len(rows)


def _replace(path: Path, write: Callable[[TextIO], None]) -> None:
    """Write beside ``path`` and rename over it, so a reader never sees half a file."""
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        write(out)
    os.replace(partial, path)
