"""Reviewer accounts: scrypt password hashes (stdlib), and adding and checking accounts."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from enum import StrEnum

from sqlmodel import Session

from store import now, repo
from store.models import ReviewerAccount

_N, _R, _P = 2**14, 8, 1  # scrypt cost: about 50 ms and 16 MiB per check
MIN_PASSWORD = 12
MAX_NAME = 64


class Role(StrEnum):
    REVIEWER = "reviewer"
    MAINTAINER = "maintainer"  # may also correct published incidents


class AccountError(ValueError):
    """An account that cannot be added: the message says why."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "$".join(("scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def password_matches(password: str, stored: str) -> bool:
    scheme, n, r, p, salt, digest = (stored.split("$") + [""] * 6)[:6]
    if scheme != "scrypt":
        return False
    found = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(found, base64.b64decode(digest))


@functools.cache
def _decoy() -> str:
    """A hash checked for unknown names, so the time taken does not reveal which names exist."""
    return hash_password(secrets.token_urlsafe(16))


def add_account(session: Session, name: str, role: Role, password: str) -> ReviewerAccount:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable() or "$" in name:
        raise AccountError(f"a name is 1 to {MAX_NAME} printable characters")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    account = ReviewerAccount(name=name, role=role.value, password_hash=hash_password(password), created_at=now())
    if not repo.add_reviewer_account(session, account):
        raise AccountError(f"there is already an account named {name!r}")
    return account


def authenticate(session: Session, name: str, password: str) -> ReviewerAccount | None:
    """The account when ``password`` is its password; None otherwise, after the same work either way."""
    account = repo.reviewer_account(session, name.strip())
    matches = password_matches(password, account.password_hash if account else _decoy())
    return account if account and matches else None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
