"""Sources: one adapter per kind of endpoint, the polite fetcher, and the twelve streams."""

from sources.base import (
    Adapter,
    Cursor,
    GetAdapter,
    Hit,
    Parsed,
    ParseError,
    Payload,
    Request,
    SourceSpec,
    with_params,
)
from sources.fetch import Fetcher, FetchError, FetchPolicy, Response
from sources.registry import ADAPTERS, UnknownKind, adapter_for
from sources.streams import STREAMS, Role, Stream

__all__ = [
    "ADAPTERS",
    "STREAMS",
    "Adapter",
    "Cursor",
    "GetAdapter",
    "FetchError",
    "FetchPolicy",
    "Fetcher",
    "Hit",
    "ParseError",
    "Parsed",
    "Payload",
    "Request",
    "Response",
    "Role",
    "SourceSpec",
    "Stream",
    "UnknownKind",
    "adapter_for",
    "with_params",
]
