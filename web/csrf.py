"""Signed double-submit tokens for the HTML form: the same token in a cookie and a hidden field.

A cross-site page can make a browser post the form but can neither read the cookie nor mint a
token of its own, since tokens are signed with the install secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE = "lpi_csrf"
FIELD = "csrf_token"


def new_token(secret: bytes) -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_sign(secret, nonce)}"


def is_signed(secret: bytes, token: str | None) -> bool:
    nonce, _, signature = (token or "").partition(".")
    return bool(nonce) and hmac.compare_digest(signature, _sign(secret, nonce))


def check(secret: bytes, cookie: str | None, field: str | None) -> bool:
    """The posted field matches the cookie, and the token is one this install signed."""
    if not cookie or not field:
        return False
    return hmac.compare_digest(cookie.encode(), field.encode()) and is_signed(secret, field)


def _sign(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()
