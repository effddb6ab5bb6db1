"""The methodology's aggregate tables, computed from the published incidents, as Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session

from review import piss
from review.vocabulary import CATEGORIES, DETECTION_MECHANISMS, SECTORS, Vocabulary
from store import Incident, repo

EXTERNAL_DETECTION = ("end-user", "external-researcher", "regulator-court")  # detected outside the deployer


def render_report(session: Session) -> str:
    """Counts, shares and average PISS by category, sector, detection mechanism and PISS band."""
    published = [i for i in repo.incidents(session) if i.status == "published"]
    n = len(published)
    lines = ["# LLM production incidents: aggregate findings", ""]
    if published:
        dates = sorted(i.incident_date for i in published if i.incident_date)
        span = f", incident dates {dates[0]} to {dates[-1]}" if dates else ""
        lines += [f"{n} published incidents{span}.", ""]
    else:
        lines += ["No published incidents yet.", ""]
    lines += _by_term(f"Distribution by category (n={n})", "Category", CATEGORIES, published, lambda i: i.category)
    lines += _by_term("Distribution by sector", "Sector", SECTORS, published, lambda i: i.sector)
    lines += _by_term(
        "Distribution by detection mechanism", "Detection mechanism", DETECTION_MECHANISMS, published,
        lambda i: i.detection_mechanism, with_average=False,
    )
    external = sum(1 for i in published if i.detection_mechanism in _labels(DETECTION_MECHANISMS, EXTERNAL_DETECTION))
    lines += [f"Detected by people outside the deploying organization: {external} of {n} ({_share(external, n)}).", ""]
    lines += _bands(published)
    return "\n".join(lines)


def _by_term(
    title: str,
    heading: str,
    vocabulary: Vocabulary,
    incidents: Sequence[Incident],
    key: Callable[[Incident], str],
    *,
    with_average: bool = True,
) -> list[str]:
    groups = {label: [i for i in incidents if key(i) == label] for label in vocabulary.labels}
    ranked = sorted(groups.items(), key=lambda item: -len(item[1]))  # stable: methodology order among ties
    header = f"| {heading} | Count | % of Total |" + (" Avg. PISS |" if with_average else "")
    rule = "|---|---:|---:|" + ("---:|" if with_average else "")
    rows = [
        f"| {label} | {len(group)} | {_share(len(group), len(incidents))} |" + (f" {_average(group)} |" if with_average else "")
        for label, group in ranked
    ]
    return [f"## {title}", "", header, rule, *rows, ""]


def _bands(incidents: Sequence[Incident]) -> list[str]:
    rows = []
    for band, score_range in piss.BAND_RANGES.items():
        count = sum(1 for i in incidents if i.piss_band == band)
        rows.append(f"| {band} | {score_range} | {count} | {_share(count, len(incidents))} |")
    return ["## PISS bands", "", "| Band | PISS | Count | % of Total |", "|---|---|---:|---:|", *rows, ""]


def _labels(vocabulary: Vocabulary, slugs: Sequence[str]) -> set[str]:
    return {vocabulary.resolve(slug).label for slug in slugs}


def _share(count: int, total: int) -> str:
    return f"{_one_decimal(Decimal(100 * count) / total)}%" if total else "—"


def _average(incidents: Sequence[Incident]) -> str:
    if not incidents:
        return "—"
    return str(_one_decimal(sum((Decimal(str(i.piss_composite)) for i in incidents), Decimal(0)) / len(incidents)))


def _one_decimal(value: Decimal) -> Decimal:
    """Rounded half up, as a reader rounds (5.25 → 5.3), not half to even."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
