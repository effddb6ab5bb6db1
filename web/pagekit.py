"""What every reviewer page shares: rendering with a fresh CSRF token, reading a posted form only
when its token checks out, and the signed-in reviewer as a dependency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Engine

from store import session_scope
from web import csrf
from web.settings import WebSettings
from web.signin import Forbidden, Reviewer, reviewer_of
from web.templating import templates


class BadToken(Exception):
    """A form posted without this site's CSRF token."""


def settings_of(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def render(request: Request, template: str, context: Mapping[str, Any], *, status: int = 200,
           me: Reviewer | None = None) -> Response:
    """The page, with the CSRF token its forms carry (the cookie's, or a new one) and who is signed in."""
    secret = settings_of(request).secret
    token = request.cookies.get(csrf.COOKIE)
    if not csrf.is_signed(secret, token):
        token = csrf.new_token(secret)
    full = {**context, "csrf_field": csrf.FIELD, "csrf_token": token, "me": me}
    response = templates.TemplateResponse(request, template, full, status_code=status)
    response.set_cookie(csrf.COOKIE, str(token), httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
    return response


async def form_values(request: Request) -> dict[str, str]:
    """The posted text fields (the last of repeated names); BadToken unless the CSRF token checks out."""
    form = await request.form()
    values = {name: value for name, value in form.multi_items() if isinstance(value, str)}
    if not csrf.check(settings_of(request).secret, request.cookies.get(csrf.COOKIE), values.pop(csrf.FIELD, None)):
        raise BadToken
    return values


def signed_in(request: Request) -> Reviewer:
    with session_scope(engine_of(request)) as session:
        return reviewer_of(request, session)


def maintainer(request: Request) -> Reviewer:
    me = signed_in(request)
    if not me.is_maintainer:
        raise Forbidden
    return me
