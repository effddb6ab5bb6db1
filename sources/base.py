"""The adapter contract: what a source is configured with, what it yields, how it fails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol


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
    publisher: str | None = None  # set when the entry names its own publisher
    language: str | None = None


@dataclass(frozen=True)
class Parsed:
    hits: list[Hit]
    warnings: list[str] = field(default_factory=list)


class ParseError(Exception):
    """The payload is not what the source should serve; the message says what it was instead."""


class Adapter(Protocol):
    """Turns a fetched payload of one ``kind`` of source into hits."""

    kind: ClassVar[str]

    def parse(self, spec: SourceSpec, payload: Payload) -> Parsed:
        """Parse one payload; raise :class:`ParseError` if it holds nothing usable."""
        ...
