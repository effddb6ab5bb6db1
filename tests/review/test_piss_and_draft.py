"""The severity score and the incident fields: rubric ranges and steps, composite and band by code,
and validation that names every problem at once."""

from __future__ import annotations

from datetime import date

import pytest

from dedup.entities import UNDISCLOSED_MODEL
from review import piss
from review.draft import parse_draft
from review.errors import DraftError
from tests.review.builders import FIELDS

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("scores", "composite", "band"),
    [
        ((3.0, 3.0, 3.0, 1.0), 10.0, "Critical"),
        ((3.0, 2.5, 2.5, 0.0), 8.0, "Critical"),
        ((2.5, 2.5, 2.0, 0.75), 7.75, "High"),
        ((2.0, 2.0, 2.0, 0.0), 6.0, "High"),
        ((1.0, 1.5, 2.5, 0.75), 5.75, "Medium"),
        ((1.0, 1.0, 1.0, 0.0), 3.0, "Medium"),
        ((0.5, 0.5, 1.5, 0.25), 2.75, "Low"),
        ((0.0, 0.0, 0.5, 0.0), 0.5, "Low"),
    ],
)
def test_composite_is_the_sum_and_its_band_follows_the_methodology(
    scores: tuple[float, float, float, float], composite: float, band: str
) -> None:
    assert piss.composite(*scores) == composite
    assert piss.band(composite) == band


def test_a_zero_composite_has_no_band() -> None:
    assert piss.band(0.0) is None


def test_sub_scores_keep_their_range_and_step() -> None:
    assert piss.POPULATION.check(2.5) is None and piss.RESPONSE.check(0.75) is None
    assert "steps of 0.5" in (piss.HARM.check(1.25) or "")
    assert "0 to 3.0" in (piss.DETECTION.check(3.5) or "")
    assert "steps of 0.25" in (piss.RESPONSE.check(0.3) or "")
    assert piss.RESPONSE.check(1.25) is not None and piss.POPULATION.check(-0.5) is not None


def test_each_score_reads_as_its_rubric_criterion() -> None:
    assert piss.POPULATION.criterion(2.0).startswith("10K–100K people")
    assert piss.HARM.criterion(3.0).startswith("Death")
    assert piss.DETECTION.criterion(2.5) == "Detected by external researcher, customer complaint, or end user"
    assert piss.RESPONSE.criterion(0.25) == "Rapid acknowledgment, mitigation shipped within 7 days"


def test_a_complete_draft_resolves_slugs_to_labels_and_computes_the_score() -> None:
    draft = parse_draft({"title": "Airline chatbot", **FIELDS, "notable": "yes"}, today=TODAY)
    assert draft.category == "Hallucination causing user harm"
    assert draft.sector == "Customer service"
    assert draft.detection_mechanism == "End user reported it publicly"
    assert draft.incident_date == date(2025, 2, 20)
    assert (draft.piss_composite, draft.piss_band) == (5.75, "Medium")
    assert draft.notable is True
    assert draft.columns()["piss_band"] == "Medium"


def test_labels_are_accepted_as_well_as_slugs() -> None:
    values = {"title": "t", **FIELDS, "category": "fabricated citations / SOURCES", "sector": "Legal"}
    draft = parse_draft(values, today=TODAY)
    assert (draft.category, draft.sector) == ("Fabricated citations / sources", "Legal")


def test_every_problem_is_reported_at_once_by_field() -> None:
    values = {
        **FIELDS,
        "title": "",
        "incident_date": "2023-12-31",
        "category": "robots",
        "piss_harm": "1.25",
        "piss_detection": "0",
        "notable": "perhaps",
        "severity": "high",
    }
    values.pop("lesson")
    with pytest.raises(DraftError) as caught:
        parse_draft(values, today=TODAY)
    problems = caught.value.problems
    assert problems["title"] == "required" and problems["lesson"] == "required"
    assert "before 2024-01-01" in problems["incident_date"]
    assert "unknown category 'robots'" in problems["category"] and "hallucination" in problems["category"]
    assert "steps of 0.5" in problems["piss_harm"]
    assert "not a production incident" in problems["piss_detection"]
    assert "not true or false" in problems["notable"]
    assert problems["severity"] == "not an incident field"
    assert str(caught.value).count("\n") == len(problems) - 1


def test_future_dates_and_versions_of_an_undisclosed_model_are_refused() -> None:
    values = {"title": "t", **FIELDS, "incident_date": "2025-06-02", "model_name": "", "model_version": "4o"}
    with pytest.raises(DraftError) as caught:
        parse_draft(values, today=TODAY)
    assert "in the future" in caught.value.problems["incident_date"]
    values["incident_date"] = "2025-05-30"
    with pytest.raises(DraftError) as caught:
        parse_draft(values, today=TODAY)
    assert UNDISCLOSED_MODEL in caught.value.problems["model_version"]


def test_model_defaults_to_undisclosed() -> None:
    draft = parse_draft({"title": "t", **FIELDS, "model_vendor": None, "model_name": None}, today=TODAY)
    assert draft.model_name == UNDISCLOSED_MODEL and draft.model_vendor is None and draft.notable is False
