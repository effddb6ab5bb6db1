"""The fields a reviewer fills to publish an incident, and their validation.

One list of fields (:data:`FIELDS`) serves every way in: command-line options, a YAML/JSON file, a
web form, a correction. Values may arrive as text; :func:`parse_draft` converts and checks them all
and reports every problem at once. Composite score and band are never input: they are computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from dedup.entities import UNDISCLOSED_MODEL
from dedup.scope import SCOPE_START
from review import piss
from review.errors import DraftError
from review.vocabulary import CATEGORIES, DETECTION_MECHANISMS, SECTORS, Vocabulary

MAX_TITLE = 300


@dataclass(frozen=True)
class FieldSpec:
    name: str
    help: str
    required: bool = True


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", "Incident title (default: the cluster's title)."),
    FieldSpec("summary", "What happened, in concrete terms."),
    FieldSpec("incident_date", "When it happened (YYYY-MM-DD, January 2024 or later)."),
    FieldSpec("category", f"Category: {', '.join(CATEGORIES.slugs)}."),
    FieldSpec("sector", f"Sector: {', '.join(SECTORS.slugs)}."),
    FieldSpec("model_vendor", "Model vendor (e.g. OpenAI).", required=False),
    FieldSpec("model_name", f"Model (default: {UNDISCLOSED_MODEL}).", required=False),
    FieldSpec("model_version", "Model version, when the evidence states it.", required=False),
    FieldSpec("deployer", "The organization that deployed the model.", required=False),
    FieldSpec("jurisdiction", "Where it happened (e.g. US, EU member state).", required=False),
    FieldSpec("piss_population", "PISS affected population, 0-3 in steps of 0.5."),
    FieldSpec("piss_harm", "PISS harm severity, 0-3 in steps of 0.5."),
    FieldSpec("piss_detection", "PISS detection failure, 0.5-3 in steps of 0.5."),
    FieldSpec("piss_response", "PISS vendor/deployer response, 0-1 in steps of 0.25."),
    FieldSpec("detection_mechanism", f"How it was detected: {', '.join(DETECTION_MECHANISMS.slugs)}."),
    FieldSpec("lesson", "The defensive lesson."),
    FieldSpec("mitigation", "The mitigation it points to."),
    FieldSpec("recommendation", "What defenders should do differently."),
    FieldSpec("detection_gap", "The detection gap it exposed."),
    FieldSpec("notable", "Flag as notable (true/false; default false).", required=False),
    FieldSpec("aiid_id", "AI Incident Database id (default: the cluster's cross-reference).", required=False),
)
FIELD_NAMES = frozenset(spec.name for spec in FIELDS)
_VOCABULARIES: dict[str, Vocabulary] = {
    "category": CATEGORIES,
    "sector": SECTORS,
    "detection_mechanism": DETECTION_MECHANISMS,
}
_SCORES = {sub.field: sub for sub in piss.SUB_SCORES}
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


@dataclass(frozen=True)
class IncidentDraft:
    """Validated incident fields; vocabulary fields hold the methodology's labels."""

    title: str
    summary: str
    incident_date: date
    category: str
    sector: str
    model_vendor: str | None
    model_name: str
    model_version: str | None
    deployer: str | None
    jurisdiction: str | None
    piss_population: float
    piss_harm: float
    piss_detection: float
    piss_response: float
    detection_mechanism: str
    lesson: str
    mitigation: str
    recommendation: str
    detection_gap: str
    notable: bool
    aiid_id: str | None

    @property
    def piss_composite(self) -> float:
        return piss.composite(self.piss_population, self.piss_harm, self.piss_detection, self.piss_response)

    @property
    def piss_band(self) -> str:
        band = piss.band(self.piss_composite)
        assert band is not None  # detection failure is at least 0.5, so the composite always has a band
        return band

    def columns(self) -> dict[str, Any]:
        """Every incident column this draft sets, the computed ones included."""
        return {**asdict(self), "piss_composite": self.piss_composite, "piss_band": self.piss_band}


def parse_draft(values: Mapping[str, Any], *, today: date) -> IncidentDraft:
    """Convert and check ``values`` (field name → value, text or typed); DraftError lists every problem."""
    problems: dict[str, str] = {name: "not an incident field" for name in values if name not in FIELD_NAMES}
    parsed: dict[str, Any] = {}
    for spec in FIELDS:
        try:
            parsed[spec.name] = _convert(spec, values.get(spec.name), today)
        except ValueError as exc:
            problems[spec.name] = str(exc)
    if not problems:
        problems.update(_cross_checks(parsed))
    if problems:
        raise DraftError(problems)
    return IncidentDraft(**parsed)


def _convert(spec: FieldSpec, raw: Any, today: date) -> Any:
    text = raw.strip() if isinstance(raw, str) else raw
    if text is None or text == "":
        if spec.required:
            raise ValueError("required")
        return {"model_name": UNDISCLOSED_MODEL, "notable": False}.get(spec.name)
    if spec.name in _VOCABULARIES:
        return _VOCABULARIES[spec.name].resolve(str(text)).label
    if spec.name in _SCORES:
        return _score(spec.name, text)
    if spec.name == "incident_date":
        return _date(text, today)
    if spec.name == "notable":
        return _flag(text)
    if spec.name == "aiid_id":
        if not str(text).isdigit():
            raise ValueError(f"{text!r} is not an AIID incident number")
        return str(int(text))
    if spec.name == "title" and len(str(text)) > MAX_TITLE:
        raise ValueError(f"longer than {MAX_TITLE} characters")
    return str(text)


def _score(field: str, raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{raw!r} is not a number") from None
    if problem := _SCORES[field].check(value):
        raise ValueError(problem)
    if field == piss.DETECTION.field and value == 0:
        raise ValueError("0.0 means caught in pre-deployment testing: not a production incident (reject it instead)")
    return value


def _date(raw: Any, today: date) -> date:
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw))
        except ValueError:
            raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)") from None
    if value < SCOPE_START:
        raise ValueError(f"{value} is before {SCOPE_START}: out of the tracker's scope")
    if value > today:
        raise ValueError(f"{value} is in the future")
    return value


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).casefold()
    if word in _TRUE | _FALSE:
        return word in _TRUE
    raise ValueError(f"{raw!r} is not true or false")


def _cross_checks(parsed: Mapping[str, Any]) -> dict[str, str]:
    if parsed["model_name"].casefold() == UNDISCLOSED_MODEL and parsed["model_version"]:
        return {"model_version": f"a version needs a named model, not {UNDISCLOSED_MODEL!r}"}
    return {}
