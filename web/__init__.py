"""The web side: the public submission form and API, and the reviewers' pages, one FastAPI app."""

from web.app import create_app, server_config
from web.settings import WebSettings

__all__ = ["WebSettings", "create_app", "server_config"]
