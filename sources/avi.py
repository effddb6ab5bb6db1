"""The sister AVI (AI vulnerability) tracker's reproductions, from its export at a path or URL.

Two forms are read, told apart by the document itself:

``lpi-avi-export/1`` (defined in ``avi_export.schema.json``, described in docs/avi-export.md)::

    {"schema": "lpi-avi-export/1", "generated_at": "<RFC 3339>",
     "tracker": {"name": ..., "url": ...},                                   # optional
     "reproductions": [{"id", "title", "summary", "url", "status", "reproduced_at",
                        "first_reported_at", "category", "deployer",
                        "models": [{"vendor", "model", "version"}],           # at least one
                        "references": [{"url", "type", "title"}],             # at least one
                        "cves": [...], "avid_ids": [...], "aiid_ids": [...],
                        "severity": {"rating", "scheme", "score", "vector"} | null}]}

and AVID reports and vulnerabilities (``data_type: "AVID"``): one object, a list, or JSON lines.

A reproduction that is ``reproduced``, ``partially-reproduced`` or ``mitigated`` is a hit at its own
page (else its first reference), dated when it was reproduced; ``not-reproduced`` and ``withdrawn``
ones confirm nothing and yield none. An AVID record is a hit at its AVID database page. Entities
are what the record states: ``cves``, ``avid_ids``, ``aiid_ids`` and the reproduced ``models``.
A record that breaks the schema is skipped with a warning naming its index; a document that is
neither form is a ParseError. The export is a full snapshot: known records merge by URL downstream.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from jsonschema import Draft202012Validator, ValidationError

from sources.base import GetAdapter, Hit, Parsed, ParseError, Payload, SourceSpec
from sources.jsonlist import dig, load_json, parse_time, shape, text

SCHEMA_ID = "lpi-avi-export/1"
SCHEMA = json.loads(Path(__file__).with_name("avi_export.schema.json").read_text(encoding="utf-8"))
_VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
CONFIRMING_STATUSES = frozenset({"reproduced", "partially-reproduced", "mitigated"})
AVID_PAGE = "https://avidml.org/database/"
_AVID_ID = re.compile(r"^AVID-\d{4}-[RV]\d{3,}$")
_CVE = re.compile(r"\bCVE-\d{4}-\d{4,}\b", re.IGNORECASE)
_EXPECTED = "an AVI export or AVID records"


class AviExportAdapter(GetAdapter):
    """``avi-export``: GETs the export at ``spec.url`` (http(s) or file://) and reads it whole."""

    kind: ClassVar[str] = "avi-export"

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        document, warnings = _decode(payload)
        if isinstance(document, Mapping) and "schema" in document:
            parsed = _export(document)
        else:
            parsed = _avid_records(document if isinstance(document, list) else [document])
        return Parsed(parsed.hits, warnings + parsed.warnings)


def _decode(payload: Payload) -> tuple[Any, list[str]]:
    """One JSON document, or the values of JSON lines (a line that is not JSON is a warning)."""
    try:
        return load_json(payload), []
    except ParseError as exc:
        cause = exc.__cause__
        if not isinstance(cause, json.JSONDecodeError) or cause.msg != "Extra data":
            raise ParseError(f"not {_EXPECTED}: {exc}") from exc
    values, warnings = [], []
    for number, line in enumerate(payload.body.splitlines(), 1):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except ValueError as error:
            warnings.append(f"line {number} skipped: not JSON ({error})")
    if not values:
        raise ParseError(f"not {_EXPECTED}: several JSON values, but no line holds one whole")
    return values, warnings


def _export(document: Mapping[str, Any]) -> Parsed:
    if document.get("schema") != SCHEMA_ID:
        raise ParseError(f"unsupported export schema {document.get('schema')!r}: this adapter reads {SCHEMA_ID}")
    errors = list(_VALIDATOR.iter_errors(document))
    general = [e for e in errors if _record_index(e) is None]
    if general:
        worst = min(general, key=lambda e: len(e.absolute_path))
        raise ParseError(f"AVI export does not match {SCHEMA_ID}: {_pointer(list(worst.absolute_path), 'the document')}: {worst.message}")
    broken: dict[int, list[str]] = {}
    for error in errors:
        path = list(error.absolute_path)
        broken.setdefault(path[1], []).append(f"{_pointer(path[2:], 'the record')}: {error.message}")
    hits, warnings = [], []
    for index, record in enumerate(document["reproductions"]):
        if index in broken:
            name = text(dig(record, "id")) or "without an id"
            warnings.append(f"reproduction {index} ({name}) skipped: {'; '.join(broken[index])}")
        elif record["status"] in CONFIRMING_STATUSES:
            hits.append(_reproduction_hit(record))
    return Parsed(hits, warnings)


def _reproduction_hit(record: Mapping[str, Any]) -> Hit:
    entities: dict[str, Any] = {key: list(record[key]) for key in ("cves", "avid_ids", "aiid_ids") if record.get(key)}
    entities["models"] = [{"vendor": m["vendor"], "model": m["model"], "version": m.get("version")} for m in record["models"]]
    reproduced = parse_time(record["reproduced_at"])
    return Hit(
        url=record.get("url") or record["references"][0]["url"],
        title=record["title"],
        summary=_reproduction_summary(record, reproduced),
        published=reproduced,
        guid=record["id"],
        entities=entities,
    )


def _reproduction_summary(record: Mapping[str, Any], reproduced: datetime | None) -> str:
    """The tracker's summary, then its verdict, the models, severity, class and deployer in one line."""
    when = f" on {reproduced:%Y-%m-%d}" if reproduced else ""
    facts = [f"AVI tracker status: {record['status']}{when}.", f"Models: {', '.join(map(_model_name, record['models']))}."]
    severity = record.get("severity")
    if severity:
        score = " ".join(text(severity.get(k)) for k in ("scheme", "score") if text(severity.get(k)))
        facts.append(f"Severity: {severity['rating']}{f' ({score})' if score else ''}.")
    for label, key in (("Category", "category"), ("Deployer", "deployer")):
        if text(record.get(key)):
            facts.append(f"{label}: {record[key]}.")
    return "\n\n".join(filter(None, (text(record.get("summary")), " ".join(facts))))


def _model_name(model: Mapping[str, Any]) -> str:
    """``OpenAI GPT-4o 2024-08-06``; the vendor is not repeated when the model name starts with it."""
    vendor, name = model["vendor"], model["model"]
    named = name if name.lower().startswith(vendor.lower()) else f"{vendor} {name}"
    return f"{named} {model['version']}" if model.get("version") else named


def _avid_records(values: list[Any]) -> Parsed:
    if not any(isinstance(v, Mapping) and v.get("data_type") == "AVID" for v in values):
        raise ParseError(f"not {_EXPECTED} (the JSON is {shape(values[0] if len(values) == 1 else values)}, no AVID record)")
    hits, warnings = [], []
    for index, value in enumerate(values):
        hit = _avid_hit(value) if isinstance(value, Mapping) and value.get("data_type") == "AVID" else None
        if isinstance(hit, Hit):
            hits.append(hit)
        else:
            warnings.append(f"record {index} skipped: {hit or 'not an AVID record (data_type is not AVID)'}")
    return Parsed(hits, warnings)


def _avid_hit(record: Mapping[str, Any]) -> Hit | str:
    """The record's hit, or why it has none."""
    ident = text(dig(record, "metadata.report_id")) or text(dig(record, "metadata.vuln_id"))
    if not _AVID_ID.match(ident):
        return f"metadata has no AVID report_id or vuln_id (found {ident or 'none'!r})"
    description = text(dig(record, "description.value"))
    title = text(dig(record, "problemtype.description.value")) or description.split("\n", 1)[0].strip()
    if not title:
        return f"{ident} has neither problemtype.description.value nor description.value"
    return Hit(
        url=f"{AVID_PAGE}{ident.lower()}/",
        title=title,
        summary=_avid_summary(record, description),
        published=parse_time(record.get("reported_date")) or parse_time(record.get("published_date")),
        guid=ident,
        entities=_avid_entities(record, ident, title),
    )


def _avid_summary(record: Mapping[str, Any], description: str) -> str:
    facts = []
    for role in ("developer", "deployer"):
        names = ", ".join(text(n) for n in dig(record, f"affects.{role}") or () if text(n))
        if names:
            facts.append(f"{role.capitalize()}: {names}.")
    artifacts = ", ".join(text(dig(a, "name")) for a in dig(record, "affects.artifacts") or () if text(dig(a, "name")))
    if artifacts:
        facts.append(f"Artifacts: {artifacts}.")
    kind = " / ".join(v for v in (text(dig(record, "problemtype.classof")), text(dig(record, "problemtype.type"))) if v)
    if kind:
        facts.append(f"AVID class: {kind}.")
    return "\n\n".join(filter(None, (description, " ".join(facts))))


def _avid_entities(record: Mapping[str, Any], ident: str, title: str) -> dict[str, list[str]]:
    """AVID ids it states (itself, its vulnerability, its reports) and CVE ids in its title and references."""
    linked = [ident, text(dig(record, "metadata.vuln_id")), text(dig(record, "impact.avid.vuln_id"))]
    linked += [text(dig(r, "report_id")) for r in record.get("reports") or ()]
    avid_ids = list(dict.fromkeys(i for i in linked if _AVID_ID.match(i)))
    sources = [title] + [f"{text(dig(r, 'label'))} {text(dig(r, 'url'))}" for r in record.get("references") or ()]
    cves = sorted({m.upper() for s in sources for m in _CVE.findall(s)})
    return {"avid_ids": avid_ids, "cves": cves} if cves else {"avid_ids": avid_ids}


def _record_index(error: ValidationError) -> int | None:
    """The index of the reproduction a schema error is in, or None for an error about the document."""
    path = list(error.absolute_path)
    return path[1] if len(path) >= 2 and path[0] == "reproductions" and isinstance(path[1], int) else None


def _pointer(path: list[Any], whole: str) -> str:
    """A JSON pointer to the bad member, or ``whole`` when the error is about the object itself."""
    return "/" + "/".join(map(str, path)) if path else whole
