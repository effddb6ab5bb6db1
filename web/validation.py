"""What a submitted report must look like, checked field by field with messages a person can act on.

Text is kept as given apart from control characters (stored verbatim, escaped when rendered).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from dedup.urls import canonical_url
from sources.netguard import RefusedAddress, ip_literal, refuse_private

MAX_CHARS = {"url": 2048, "title": 300, "description": 5000, "contact": 200}
MULTILINE = frozenset({"description"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")


@dataclass(frozen=True)
class FieldError:
    field: str | None
    message: str


class Invalid(ValueError):
    """The report cannot be accepted; ``errors`` says why, field by field, in form order."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Report:
    url: str
    title: str
    description: str
    contact: str

    @property
    def canonical_url(self) -> str:
        return canonical_url(self.url)

    @property
    def digest(self) -> str:
        """Identity for folding repeats: same page, same words, whatever the case and spacing."""
        key = [self.canonical_url, _fold(self.title), _fold(self.description)]
        return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


def validate(raw: Mapping[str, object], *, dns_timeout: float) -> Report:
    """The cleaned report, or :class:`Invalid` listing every problem found."""
    errors = [FieldError(name, f"unknown field {name!r}; expected {', '.join(MAX_CHARS)}") for name in raw if name not in MAX_CHARS]
    values: dict[str, str] = {}
    for name, limit in MAX_CHARS.items():
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            errors.append(FieldError(name, f"{name} must be a string"))
            continue
        text = clean_text(value or "", multiline=name in MULTILINE)
        if len(text) > limit:
            errors.append(FieldError(name, f"{name} is too long: {len(text)} characters, at most {limit}"))
        values[name] = text
    if not any(e.field == "url" for e in errors) and (problem := url_problem(values["url"], dns_timeout)):
        errors.append(FieldError("url", problem))
    if errors:
        raise Invalid(sorted(errors, key=_form_order))
    return Report(**values)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Without control, surrogate and bidirectional-override characters; line breaks kept only
    where ``multiline`` (as ``\\n``), elsewhere turned into spaces; outer whitespace trimmed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for char in value:
        if char in "\n\t":
            kept.append(char if multiline else " ")
        elif unicodedata.category(char) not in ("Cc", "Cs") and char not in _BIDI_CONTROLS:
            kept.append(char)
    return "".join(kept).strip()


def url_problem(url: str, dns_timeout: float) -> str | None:
    """Why ``url`` is not a public http(s) page address, or None."""
    if not url:
        return "url is required"
    if any(char.isspace() for char in url):
        return "url must not contain spaces"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError as exc:
        return f"url is not a valid URL: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        return "url must start with http:// or https://"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "url has no host name"
    if parts.username is not None or parts.password is not None:
        return "url must not contain a user name or password"
    try:
        refuse_private(url, timeout=dns_timeout)
    except RefusedAddress as exc:
        return f"url is refused: {exc}"
    if ip_literal(host) is None and not _is_domain_name(host):
        return f"url's host {host!r} is not a public domain name (like example.com)"
    return None


def _is_domain_name(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    return len(labels) >= 2 and all(_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit()


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _form_order(error: FieldError) -> int:
    return list(MAX_CHARS).index(error.field) if error.field in MAX_CHARS else len(MAX_CHARS)
