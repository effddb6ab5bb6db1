"""The Production Incident Severity Score: four sub-scores scored against the methodology's rubric,
their sum, and the band it falls in. Reviewers choose sub-scores; composite and band are computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SubScore:
    """One rubric table: the field it fills, its range and step, and the criterion of each score."""

    field: str
    title: str
    step: Decimal
    criteria: dict[Decimal, str]

    @property
    def maximum(self) -> Decimal:
        return max(self.criteria)

    def check(self, value: float) -> str | None:
        """Why ``value`` is not a score of this table, or None when it is."""
        exact = Decimal(str(value))
        if not Decimal(0) <= exact <= self.maximum or exact % self.step:
            return f"{value} is not a {self.title} score: 0 to {self.maximum} in steps of {self.step}"
        return None

    def criterion(self, value: float) -> str:
        """The rubric's wording for ``value`` (between two rows, the one below it)."""
        exact = Decimal(str(value))
        return self.criteria[max(score for score in self.criteria if score <= exact)]


def _table(field: str, title: str, step: str, rows: dict[str, str]) -> SubScore:
    return SubScore(field, title, Decimal(step), {Decimal(score): text for score, text in rows.items()})


POPULATION = _table("piss_population", "affected population", "0.5", {
    "3.0": "Confirmed impact on 1M+ people, or critical infrastructure",
    "2.5": "100K–1M people affected",
    "2.0": "10K–100K people, or single high-stakes population (e.g., children, patients)",
    "1.5": "1K–10K people",
    "1.0": "100–1K people",
    "0.5": "Fewer than 100, or one identifiable affected party",
    "0.0": "Near-miss with no confirmed affected parties",
})
HARM = _table("piss_harm", "harm severity", "0.5", {
    "3.0": "Death, serious physical injury, or comparable irreversible harm",
    "2.5": "Major financial loss (individual >$10K or organizational >$1M); legal jeopardy for affected party; "
           "significant ongoing psychological harm",
    "2.0": "Confirmed privacy violation involving sensitive PII; substantive financial or legal harm",
    "1.5": "Reputational harm; minor financial loss; service degradation affecting livelihoods",
    "1.0": "Misinformation reaching large audiences without confirmed downstream harm",
    "0.5": "Embarrassing or policy-violating output without measurable downstream harm",
    "0.0": "No confirmed harm beyond the incident itself",
})
DETECTION = _table("piss_detection", "detection failure", "0.5", {
    "3.0": "Detected only after media coverage or regulatory action; deployer was unaware",
    "2.5": "Detected by external researcher, customer complaint, or end user",
    "2.0": "Detected internally but only after substantial harm had occurred",
    "1.5": "Detected internally during routine review",
    "1.0": "Detected by automated monitoring within hours",
    "0.5": "Detected by monitoring before any user impact",
    "0.0": "Caught in pre-deployment testing (and therefore not actually a production incident)",
})
RESPONSE = _table("piss_response", "vendor/deployer response", "0.25", {
    "1.0": "No acknowledgment, denial, or hostile response to disclosure",
    "0.75": "Delayed acknowledgment (>30 days), partial mitigation",
    "0.5": "Acknowledged within 7–30 days, mitigation in progress",
    "0.25": "Rapid acknowledgment, mitigation shipped within 7 days",
    "0.0": "Detected and mitigated before disclosure became necessary",
})
SUB_SCORES = (POPULATION, HARM, DETECTION, RESPONSE)

# (lowest composite, band), highest first; a composite of 0.0 has no band: not a production incident.
BANDS = ((Decimal("8.0"), "Critical"), (Decimal("6.0"), "High"), (Decimal("3.0"), "Medium"), (Decimal("0.1"), "Low"))
BAND_RANGES = {"Critical": "8.0–10.0", "High": "6.0–7.9", "Medium": "3.0–5.9", "Low": "0.1–2.9"}


def composite(population: float, harm: float, detection: float, response: float) -> float:
    """The sum of the four sub-scores, exact to their steps."""
    return float(sum(Decimal(str(v)) for v in (population, harm, detection, response)))


def band(score: float) -> str | None:
    """The band of a composite score; None for 0.0, which the rubric leaves unbanded."""
    exact = Decimal(str(score))
    return next((name for lowest, name in BANDS if exact >= lowest), None)
