"""Incident values as JSON and as text, the same way in audit entries, errata and exports."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any


def to_json(value: Any) -> Any:
    """Dates and times as ISO 8601; everything else as it is."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def to_text(value: Any) -> str:
    """One cell of text: empty for None, true/false, ISO dates, JSON for lists and mappings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(to_json(value))


def json_fields(columns: Mapping[str, Any]) -> dict[str, Any]:
    return {name: to_json(value) for name, value in columns.items()}
