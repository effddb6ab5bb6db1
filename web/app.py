"""The web app: one FastAPI application whose pages and APIs are routers included here."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from web import submissions
from web.middleware import BodyLimit, SecurityHeaders
from web.settings import WebSettings


def create_app(engine: Engine, settings: WebSettings) -> FastAPI:
    """The app over ``engine``; routers reach both through ``request.app.state``."""
    app = FastAPI(title="LLM Production Incident Tracker", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.settings = settings
    app.include_router(submissions.router)
    app.add_middleware(BodyLimit, limit=settings.max_body)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: the 413s get the headers too
    return app


def server_config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    """How the app is served. uvicorn's own X-Forwarded-For handling is off: by default it trusts
    any loopback peer, which would let a local client pick its rate-limit identity; the app
    trusts only ``WebSettings.trusted_proxies``."""
    return uvicorn.Config(app, host=host, port=port, proxy_headers=False, server_header=False, log_level="info")
