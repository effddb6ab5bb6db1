"""Corrections to published incidents. Each changed field becomes an erratum on the incident (what
changed, when, why, by whom), and the correction is audited. Composite score and band follow the
sub-scores; id, cluster, sources and publication time never change."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from review import audit
from review.draft import FIELD_NAMES, parse_draft
from review.errors import DraftError, NotFound, ReviewError
from review.values import json_fields, to_text
from review.vocabulary import INCIDENT_STATUSES
from store import Incident, now, repo

CORRECTABLE = FIELD_NAMES | {"status"}


def correct(
    session: Session,
    incident_id: str,
    reviewer: str,
    changes: Mapping[str, Any],
    reason: str,
    *,
    at: datetime | None = None,
) -> list[dict[str, str]]:
    """Apply ``changes`` (field → new value, as for publishing; ``status`` may become "withdrawn")
    and return the errata entries written. Every field is validated again as a whole."""
    at = at or now()
    if not reason.strip():
        raise ReviewError("a correction needs a reason")
    if unknown := sorted(set(changes) - CORRECTABLE):
        raise DraftError(dict.fromkeys(unknown, "not a correctable field"))
    incident = repo.incident_for_update(session, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    wanted = _new_columns(incident, changes, at)
    changed = {name: (getattr(incident, name), value) for name, value in wanted.items() if getattr(incident, name) != value}
    if not changed:
        raise ReviewError(f"the correction changes nothing in {incident_id}")
    errata = [
        {"at": at.isoformat(), "by": reviewer, "field": name, "before": to_text(old), "after": to_text(new), "reason": reason}
        for name, (old, new) in changed.items()
    ]
    for name, (_, new) in changed.items():
        setattr(incident, name, new)
    incident.errata = [*incident.errata, *errata]  # a new list, so the JSON column is written
    audit.record(session, actor=reviewer, action="correct", subject=audit.incident_subject(incident_id), at=at,
                 before=json_fields({n: old for n, (old, _) in changed.items()}),
                 after=json_fields({n: new for n, (_, new) in changed.items()}), reason=reason)
    return errata


def _new_columns(incident: Incident, changes: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    given = {name: value for name, value in changes.items() if value is not None}
    status = str(given.pop("status", incident.status)).strip()
    if status not in INCIDENT_STATUSES:
        raise DraftError({"status": f"{status!r} is not one of {', '.join(INCIDENT_STATUSES)}"})
    current = {name: getattr(incident, name) for name in FIELD_NAMES}
    return {**parse_draft({**current, **given}, today=at.date()).columns(), "status": status}
