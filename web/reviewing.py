"""The reviewers' pages: sign-in, the queue, one item with its evidence, claim and release, the
verify form with its PISS calculator, the reject form, published incidents (corrected by
maintainers) and the aggregate report. Every rule is the ``review`` package's; pages only call it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from review import (
    CATEGORIES,
    DETECTION_MECHANISMS,
    FIELDS,
    REJECT_REASONS,
    SECTORS,
    DraftError,
    NotFound,
    Order,
    QueueFilter,
    ReviewError,
    Section,
    claim,
    correct,
    evidence,
    list_queue,
    mark_in_scope,
    merge,
    not_same,
    piss,
    reject,
    release,
    render_report,
    split,
    suggested_fields,
    verify,
)
from review.errata import CORRECTABLE
from review.export import record
from review.values import to_text
from store import Incident, QueueState, repo, session_scope
from web.accounts import authenticate
from web.pagekit import (
    engine_of,
    form_values,
    maintainer,
    render,
    settings_of,
    signed_in,
)
from web.report_view import BAR_WIDTH, read_report
from web.signin import COOKIE, LIFETIME, Reviewer, session_token

router = APIRouter()
Me = Annotated[Reviewer, Depends(signed_in)]
Maintainer = Annotated[Reviewer, Depends(maintainer)]
Posted = Annotated[dict[str, str], Depends(form_values)]

SECTION_STATES = {Section.VERIFICATION: QueueState.PROMOTED, Section.ANOTHER_LOOK: QueueState.REJECTED,
                  Section.WATCHED: QueueState.WATCHED, Section.OUT_OF_SCOPE: QueueState.EXCLUDED}
QUEUE_SECTIONS = [s for s in Section if SECTION_STATES[s] in QueueFilter.states]  # shown unless one is chosen
CHOICES = {"category": CATEGORIES, "sector": SECTORS, "detection_mechanism": DETECTION_MECHANISMS}
LONG_TEXT = {"summary", "lesson", "mitigation", "recommendation", "detection_gap"}
SCORES = {sub.field: sub for sub in piss.SUB_SCORES}
CONFLICT = 409
UNPROCESSABLE = 422


# --- signing in ---------------------------------------------------------------------------------


@router.get("/signin")
def signin_page(request: Request, next: str = "/review") -> Response:
    return render(request, "signin.html", {"next": _local(next), "error": None})


@router.post("/signin")
def signin(request: Request, values: Posted) -> Response:
    with session_scope(engine_of(request)) as session:
        account = authenticate(session, values.get("name", ""), values.get("password", ""))
    target = _local(values.get("next", "/review"))
    if account is None:
        return render(request, "signin.html", {"next": target, "error": "Unknown name or wrong password."}, status=401)
    response = RedirectResponse(target, status_code=303)
    token = session_token(settings_of(request).secret, account.name)
    response.set_cookie(COOKIE, token, max_age=LIFETIME, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/signout")
def signout(request: Request, checked: Posted) -> Response:
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _local(target: str) -> str:
    """Only a path on this site: never another origin (``//host`` or ``/\\host``)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/review"


# --- the queue and one item ----------------------------------------------------------------------


@router.get("/review")
def queue_page(request: Request, me: Me, section: str = "", stream: str = "", category: str = "",
               min_independent: str = "", unclaimed: str = "", order: str = Order.INDEPENDENT.value) -> Response:
    shown = [s for s in Section if s.value == section] or QUEUE_SECTIONS
    error = None
    try:
        wanted = QueueFilter(
            states=tuple(SECTION_STATES[s] for s in shown),
            streams=(stream,) if stream else (),
            category=category or None,
            min_independent=int(min_independent) if min_independent.isdigit() else None,
            unclaimed=bool(unclaimed),
            order=Order(order) if order in set(Order) else Order.INDEPENDENT,
        )
        with session_scope(engine_of(request)) as session:
            items = list_queue(session, wanted)
    except ValueError as exc:
        items, error = [], str(exc)
    grouped = {s: [i for i in items if i.section is s] for s in shown}
    filters = {"section": section, "stream": stream, "category": category, "min_independent": min_independent,
               "unclaimed": unclaimed, "order": order}
    context = {"grouped": grouped, "filters": filters, "sections": list(Section), "orders": list(Order),
               "parked_hidden": Section.OUT_OF_SCOPE not in shown,
               "categories": CATEGORIES.terms, "error": error}
    return render(request, "queue.html", context, me=me)


@router.get("/review/{cluster_id}")
def item_page(request: Request, cluster_id: int, me: Me) -> Response:
    return _item(request, cluster_id, me)


@router.post("/review/{cluster_id}/claim")
def claim_item(request: Request, cluster_id: int, me: Me, values: Posted) -> Response:
    return _act(request, cluster_id, me, lambda session: claim(session, cluster_id, me.name))


@router.post("/review/{cluster_id}/release")
def release_item(request: Request, cluster_id: int, me: Me, values: Posted) -> Response:
    return _act(request, cluster_id, me, lambda session: release(session, cluster_id, me.name))


@router.post("/review/{cluster_id}/in-scope")
def in_scope_item(request: Request, cluster_id: int, me: Me, values: Posted) -> Response:
    """Bring a cluster parked out of scope back: in scope after all (a decision later runs respect)."""
    return _act(request, cluster_id, me, lambda session: mark_in_scope(session, cluster_id, me.name, note=values.get("note") or None))


# --- regroup: merge, split, not the same ------------------------------------------------------------


@router.post("/review/{cluster_id}/merge")
def merge_item(request: Request, cluster_id: int, me: Me, values: Posted) -> Response:
    """Absorb another cluster into this one (refused when a reviewer said they differ)."""
    return _with_other_cluster(request, cluster_id, me, values, merge)


@router.post("/review/{cluster_id}/split")
def split_item(request: Request, cluster_id: int, me: Me, values: Posted) -> Response:
    """Move the ticked members out into a cluster of their own."""
    chosen = [int(name.removeprefix("member-")) for name in values if name.startswith("member-") and name[7:].isdigit()]
    if not chosen:
        return _item(request, cluster_id, me, error="tick the members to split off", status=UNPROCESSABLE)
    return _act(request, cluster_id, me, lambda session: split(session, cluster_id, chosen, me.name, note=values.get("note") or None))


@router.post("/review/{cluster_id}/not-same")
def not_same_item(request: Request, cluster_id: int, me: Me, values: Posted) -> Response:
    """Record that this cluster and another are different incidents: matching never joins them."""
    return _with_other_cluster(request, cluster_id, me, values, not_same)


def _with_other_cluster(
    request: Request, cluster_id: int, me: Reviewer, values: dict[str, str], decide: Callable[..., object]
) -> Response:
    other = _cluster_number(values.get("other", ""))
    if other is None:
        return _item(request, cluster_id, me, error="give the number of the other cluster", status=UNPROCESSABLE)
    return _act(request, cluster_id, me, lambda session: decide(session, cluster_id, other, me.name, note=values.get("note") or None))


def _cluster_number(text: str) -> int | None:
    text = text.strip().lstrip("#")
    return int(text) if text.isdigit() else None


def _act(request: Request, cluster_id: int, me: Reviewer, action: Callable[[Session], object]) -> Response:
    try:
        with session_scope(engine_of(request)) as session:
            action(session)
    except NotFound:
        raise
    except ReviewError as exc:
        return _item(request, cluster_id, me, error=str(exc), status=CONFLICT)
    return RedirectResponse(f"/review/{cluster_id}", status_code=303)


def _item(request: Request, cluster_id: int, me: Reviewer, *, error: str | None = None, status: int = 200) -> Response:
    with session_scope(engine_of(request)) as session:
        found = evidence(session, cluster_id)
    return render(request, "item.html", {"found": found, "error": error}, status=status, me=me)


# --- verify and reject ---------------------------------------------------------------------------


@router.get("/review/{cluster_id}/verify")
def verify_page(request: Request, cluster_id: int, me: Me) -> Response:
    with session_scope(engine_of(request)) as session:
        found = evidence(session, cluster_id)
    values = {name: to_text(value) for name, value in suggested_fields(found).items()}
    return _verify_form(request, me, found, values, {})


@router.post("/review/{cluster_id}/verify")
def verify_item(request: Request, cluster_id: int, me: Me, values: Posted) -> Response:
    action = values.pop("action", "publish")
    fields = {spec.name: values.get(spec.name) or None for spec in FIELDS}
    with session_scope(engine_of(request)) as session:
        found = evidence(session, cluster_id)
    if action == "preview":
        return _verify_form(request, me, found, values, {})
    try:
        with session_scope(engine_of(request)) as session:
            incident = verify(session, cluster_id, me.name, fields)
    except DraftError as exc:
        return _verify_form(request, me, found, values, exc.problems, status=422)
    except ReviewError as exc:
        return _verify_form(request, me, found, values, {"": str(exc)}, status=CONFLICT)
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)


def _verify_form(request: Request, me: Reviewer, found: Any, values: dict[str, str], problems: dict[str, str],
                 *, status: int = 200) -> Response:
    context = {
        "found": found,
        "fields": FIELDS,
        "values": {spec.name: values.get(spec.name) or "" for spec in FIELDS},
        "problems": problems,
        "choices": {name: vocabulary.terms for name, vocabulary in CHOICES.items()},
        "scores": {name: _score_options(sub) for name, sub in SCORES.items()},
        "long_text": LONG_TEXT,
        "preview": piss_preview(values),
        "bands": [[float(lowest), name] for lowest, name in piss.BANDS],
    }
    return render(request, "verify.html", context, status=status, me=me)


def _score_options(sub: piss.SubScore) -> list[tuple[str, str]]:
    """Every allowed score, lowest first, with the rubric's words for it."""
    steps = int(sub.maximum / sub.step)
    return [(str(float(sub.step * k)), sub.criterion(float(sub.step * k))) for k in range(steps + 1)]


def piss_preview(values: dict[str, str]) -> str | None:
    """The composite and band the server computes from the chosen sub-scores, when all four are valid."""
    try:
        scores = [float(values.get(name) or "") for name in SCORES]
    except ValueError:
        return None
    if any(sub.check(score) for sub, score in zip(SCORES.values(), scores, strict=True)):
        return None
    total = piss.composite(*scores)
    return f"{total} ({piss.band(total) or 'no band: not a production incident'})"


@router.get("/review/{cluster_id}/reject")
def reject_page(request: Request, cluster_id: int, me: Me) -> Response:
    return _reject_form(request, me, cluster_id, {}, None)


@router.post("/review/{cluster_id}/reject")
def reject_item(request: Request, cluster_id: int, me: Me, values: Posted) -> Response:
    try:
        with session_scope(engine_of(request)) as session:
            reject(session, cluster_id, me.name, values.get("reason", ""), note=values.get("note"),
                   duplicate_of=values.get("duplicate_of") or None)
    except NotFound:
        raise
    except ReviewError as exc:
        return _reject_form(request, me, cluster_id, values, str(exc), status=CONFLICT)
    return RedirectResponse("/review", status_code=303)


def _reject_form(request: Request, me: Reviewer, cluster_id: int, values: dict[str, str], error: str | None,
                 *, status: int = 200) -> Response:
    with session_scope(engine_of(request)) as session:
        found = evidence(session, cluster_id)
    shown = {name: values.get(name, "") for name in ("reason", "note", "duplicate_of")}
    context = {"found": found, "reasons": REJECT_REASONS.terms, "values": shown, "error": error}
    return render(request, "reject.html", context, status=status, me=me)


# --- published incidents and the report ----------------------------------------------------------


@router.get("/incidents")
def incidents_page(request: Request, me: Me) -> Response:
    with session_scope(engine_of(request)) as session:
        rows = [record(incident) for incident in repo.incidents(session)]
    return render(request, "incidents.html", {"rows": rows}, me=me)


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, incident_id: str, me: Me) -> Response:
    return _incident(request, incident_id, me)


@router.post("/incidents/{incident_id}/correct")
def correct_incident(request: Request, incident_id: str, me: Maintainer, values: Posted) -> Response:
    changes = {values.get("field", ""): values.get("value", "")}
    try:
        with session_scope(engine_of(request)) as session:
            correct(session, incident_id, me.name, changes, values.get("reason", ""))
    except NotFound:
        raise
    except ReviewError as exc:
        return _incident(request, incident_id, me, error=str(exc), status=422)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


def _incident(request: Request, incident_id: str, me: Reviewer, *, error: str | None = None, status: int = 200) -> Response:
    with session_scope(engine_of(request)) as session:
        incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    shown = {name: to_text(value) for name, value in record(incident).items() if name not in {"sources", "errata"}}
    criteria = [(sub.title, getattr(incident, sub.field), sub.criterion(getattr(incident, sub.field))) for sub in piss.SUB_SCORES]
    context = {"incident": incident, "shown": shown, "criteria": criteria, "correctable": sorted(CORRECTABLE), "error": error}
    return render(request, "incident.html", context, status=status, me=me)


@router.get("/report")
def report_page(request: Request, me: Me) -> Response:
    with session_scope(engine_of(request)) as session:
        title, sections = read_report(render_report(session))
    return render(request, "report.html", {"title": title, "sections": sections, "bar_width": BAR_WIDTH}, me=me)

