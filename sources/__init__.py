"""Sources: one adapter per kind of endpoint, the polite fetcher, and the twelve streams."""

from sources.base import Adapter, Hit, Parsed, ParseError, Payload, SourceSpec
from sources.fetch import Fetcher, FetchError, FetchPolicy, Response
from sources.registry import ADAPTERS, UnknownKind, adapter_for
from sources.streams import STREAMS, Role, Stream

__all__ = [
    "ADAPTERS",
    "STREAMS",
    "Adapter",
    "FetchError",
    "FetchPolicy",
    "Fetcher",
    "Hit",
    "ParseError",
    "Parsed",
    "Payload",
    "Response",
    "Role",
    "SourceSpec",
    "Stream",
    "UnknownKind",
    "adapter_for",
]
