"""The adapter contract: what a source is configured with, what it yields, how it fails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


@dataclass(frozen=True)
class SourceSpec:
    """One configured endpoint of a stream (an entry under ``streams.<name>.sources``)."""

    stream: str
    name: str
    kind: str
    url: str | None = None
    keywords: tuple[str, ...] = ()
    publisher: str | None = None  # override when the URL's host is not the publisher
    options: Mapping[str, Any] = field(default_factory=dict)  # kind-specific: query, ...

    @property
    def source_id(self) -> str:
        return f"{self.stream}/{self.name}"

    @property
    def endpoint(self) -> str:
        """The configured URL (the pipeline never polls a source without one)."""
        if not self.url:
            raise ValueError(f"{self.source_id}: no url configured")
        return self.url


@dataclass(frozen=True)
class Request:
    """One request an adapter asks the fetcher to make (GraphQL sources POST a JSON body)."""

    url: str
    method: str = "GET"
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


Cursor = Mapping[str, Any]  # an adapter's own polling state (high-water marks), stored as JSON


@dataclass(frozen=True)
class Payload:
    """Bytes as fetched (or read back from the raw archive), with what parsing needs to know."""

    body: bytes
    url: str
    content_type: str | None = None


@dataclass(frozen=True)
class Hit:
    """One entry as the source states it, before normalization."""

    url: str
    title: str
    summary: str = ""
    published: datetime | None = None
    guid: str | None = None
    content: str = ""  # the entry's full content beside its summary (Atom <content>): read for its links only
    publisher: str | None = None  # set when the entry names its own publisher
    language: str | None = None
    role: str | None = None  # overrides the stream's role: an article an HN post links is confirming
    via: str | None = None  # the aggregator or discovery entry this article was found through
    entities: Mapping[str, Any] = field(default_factory=dict)  # stated by the source: docket, AIID id, ...


@dataclass(frozen=True)
class Parsed:
    hits: list[Hit]
    warnings: list[str] = field(default_factory=list)
    cursor: Cursor | None = None  # new polling state to commit with the hits; None keeps the old one


class ParseError(Exception):
    """The payload is not what the source should serve; the message says what it was instead."""


class Adapter(Protocol):
    """Turns one ``kind`` of source into hits: which request to make, and what its answer holds."""

    kind: ClassVar[str]

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        """The first request of a poll, given the state the last successful poll left."""
        ...

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        """The next page to fetch in the same poll, or None when this page reaches known ground."""
        ...

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        """Parse one payload; raise :class:`ParseError` if it holds nothing usable."""
        ...


class GetAdapter:
    """Base for adapters that GET the configured URL as it is, one page per poll."""

    def request(self, spec: SourceSpec, cursor: Cursor) -> Request:
        return Request(spec.endpoint)

    def next_page(self, spec: SourceSpec, payload: Payload, cursor: Cursor) -> Request | None:
        return None


def with_params(url: str, **params: str | int | None) -> str:
    """``url`` with query parameters set (replacing same-named ones); None values are left out."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))
