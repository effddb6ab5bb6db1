"""Who the reviewer is: a session cookie signed with the install secret, or the user a trusted
proxy names in ``X-Forwarded-User`` (believed only from ``LPI_TRUSTED_PROXIES``). Either way the
name must be an account in the ``reviewer`` table, whose role is read on every request."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from fastapi import Request
from sqlmodel import Session

from store import repo
from web.accounts import Role
from web.clients import is_trusted
from web.settings import WebSettings

COOKIE = "lpi_session"
PROXY_HEADER = "x-forwarded-user"
LIFETIME = 12 * 3600  # seconds a sign-in lasts


@dataclass(frozen=True)
class Reviewer:
    name: str
    role: Role

    @property
    def is_maintainer(self) -> bool:
        return self.role is Role.MAINTAINER


class SignInRequired(Exception):
    """No (valid) session: the page answers with the sign-in form."""


class Forbidden(Exception):
    """Signed in, but the role does not allow this."""


def session_token(secret: bytes, name: str, *, at: float | None = None) -> str:
    expires = int((at or time.time()) + LIFETIME)
    payload = f"{name.encode().hex()}.{expires}"
    return f"{payload}.{_sign(secret, payload)}"


def name_in_token(secret: bytes, token: str | None, *, at: float | None = None) -> str | None:
    """The signed-in name, or None for a missing, forged or expired token."""
    payload, _, signature = (token or "").rpartition(".")
    if not payload or not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    name_hex, _, expires = payload.partition(".")
    if not expires.isdigit() or int(expires) < (at or time.time()):
        return None
    return bytes.fromhex(name_hex).decode()


def reviewer_of(request: Request, session: Session) -> Reviewer:
    """The reviewer making ``request``; SignInRequired when there is none."""
    settings: WebSettings = request.app.state.settings
    peer = request.client.host if request.client else ""
    proxied = request.headers.get(PROXY_HEADER)
    if proxied and is_trusted(peer, settings.trusted_proxies):
        name: str | None = proxied.strip()
    else:
        name = name_in_token(settings.secret, request.cookies.get(COOKIE))
    account = repo.reviewer_account(session, name) if name else None
    if account is None:
        raise SignInRequired
    return Reviewer(account.name, Role(account.role))


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, b"session:" + payload.encode(), hashlib.sha256).hexdigest()
