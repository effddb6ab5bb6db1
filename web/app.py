"""The web app: one FastAPI application whose pages and APIs are routers included here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from starlette.staticfiles import StaticFiles

from review import NotFound
from web import reviewing, submissions
from web.middleware import BodyLimit, SecurityHeaders
from web.pagekit import BadToken, render
from web.settings import WebSettings
from web.signin import Forbidden, SignInRequired

STATIC = Path(__file__).parent / "static"


def create_app(engine: Engine, settings: WebSettings) -> FastAPI:
    """The app over ``engine``; routers reach both through ``request.app.state``."""
    app = FastAPI(title="LLM Production Incident Tracker", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.settings = settings
    app.include_router(submissions.router)
    app.include_router(reviewing.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(Forbidden, _refused("Your role does not allow this: maintainers only.", 403))
    app.add_exception_handler(BadToken, _refused("This form has expired or was not sent from this site. Go back, reload it and send it again.", 403))
    app.add_exception_handler(NotFound, _not_found)
    app.add_middleware(BodyLimit, limit=settings.max_body)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: the 413s get the headers too
    return app


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    if request.method == "GET":
        return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)
    return render(request, "signin.html", {"next": "/review", "error": "Please sign in first."}, status=401)


def _refused(message: str, status: int) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handler(request: Request, exc: Exception) -> Response:
        return render(request, "problem.html", {"message": message}, status=status)

    return handler


async def _not_found(request: Request, exc: Exception) -> Response:
    return render(request, "problem.html", {"message": str(exc)}, status=404)


def server_config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    """How the app is served. uvicorn's own X-Forwarded-For handling is off: by default it trusts
    any loopback peer, which would let a local client pick its rate-limit identity; the app
    trusts only ``WebSettings.trusted_proxies``."""
    return uvicorn.Config(app, host=host, port=port, proxy_headers=False, server_header=False, log_level="info")
