"""User-submitted reports: ``POST /api/submissions`` (JSON) and the form at ``/submit``.

A report is a lead: it may open a cluster but never counts as a confirming source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from web import csrf
from web.clients import client_address, client_hash
from web.intake import Accepted, RateLimited, accept
from web.settings import WebSettings
from web.templating import templates
from web.validation import MAX_CHARS, FieldError, Invalid

router = APIRouter()


@router.post("/api/submissions")
async def submit_json(request: Request) -> Response:
    if _media_type(request) != "application/json":
        return _json_error(415, "send the report as JSON, with Content-Type: application/json")
    try:
        raw = json.loads(await request.body())
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser follows
        return _json_error(400, "the body is not valid JSON")
    if not isinstance(raw, dict):
        return _json_error(400, "the body must be a JSON object, e.g. {\"url\": \"https://...\"}")
    try:
        accepted = await _accept(request, raw)
    except RateLimited as exc:
        return _json_error(429, str(exc), headers={"Retry-After": str(exc.retry_after)})
    except Invalid as exc:
        return _json_error(422, exc.errors[0].message, field=exc.errors[0].field)
    body = {"id": accepted.id, "times_submitted": accepted.times_submitted, "folded": accepted.folded, "message": _thanks(accepted)}
    return JSONResponse(body, status_code=200 if accepted.folded else 201)


@router.get("/submit")
async def submit_page(request: Request) -> Response:
    return _form(request, {}, [])


@router.post("/submit")
async def submit_form(request: Request) -> Response:
    form = await request.form()
    values = {name: value for name in MAX_CHARS if isinstance(value := form.get(name), str)}
    settings = _settings(request)
    token = form.get(csrf.FIELD)
    if not csrf.check(settings.secret, request.cookies.get(csrf.COOKIE), token if isinstance(token, str) else None):
        problem = "This form has expired or was not sent from this site. Please check it and send it again."
        return _form(request, values, [FieldError(None, problem)], status=403)
    try:
        accepted = await _accept(request, values)
    except RateLimited as exc:
        return _form(request, values, [FieldError(None, str(exc))], status=429, headers={"Retry-After": str(exc.retry_after)})
    except Invalid as exc:
        return _form(request, values, exc.errors, status=422)
    context = {"accepted": accepted, "message": _thanks(accepted)}
    return templates.TemplateResponse(request, "submitted.html", context, status_code=200 if accepted.folded else 201)


async def _accept(request: Request, raw: Mapping[str, object]) -> Accepted:
    settings = _settings(request)
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    address = client_address(request.client.host if request.client else None, forwarded, settings.trusted_proxies)
    return await run_in_threadpool(accept, request.app.state.engine, settings, client_hash(settings.secret, address), raw)


def _form(
    request: Request, values: Mapping[str, str], errors: list[FieldError], *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """The form, with ``errors`` and the input as sent (escaped by the template), and a token."""
    secret = _settings(request).secret
    token = request.cookies.get(csrf.COOKIE)
    if not csrf.is_signed(secret, token):
        token = csrf.new_token(secret)
    context: dict[str, Any] = {
        "values": {name: values.get(name, "") for name in MAX_CHARS},
        "errors": errors,
        "invalid": {name: any(e.field == name for e in errors) for name in MAX_CHARS},
        "fields": MAX_CHARS,
        "limits": MAX_CHARS,
        "csrf_field": csrf.FIELD,
        "csrf_token": token,
    }
    response = templates.TemplateResponse(request, "submit.html", context, status_code=status, headers=dict(headers or {}))
    response.set_cookie(csrf.COOKIE, str(token), httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
    return response


def _thanks(accepted: Accepted) -> str:
    if accepted.folded:
        return f"This report was already submitted: counted again on report {accepted.id} (submitted {accepted.times_submitted} times)."
    return f"Thank you: report {accepted.id} received. Reviewers will look for independent sources that confirm it."


def _json_error(status: int, message: str, *, field: str | None = None, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse({"error": message, "field": field}, status_code=status, headers=dict(headers or {}))


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings
