"""Source kinds and the adapter that handles each; the one place an operator registers a new kind."""

from __future__ import annotations

from sources.base import Adapter
from sources.feeds import FeedAdapter

ADAPTERS: dict[str, Adapter] = {adapter.kind: adapter for adapter in (FeedAdapter(),)}


class UnknownKind(LookupError):
    pass


def adapter_for(kind: str) -> Adapter:
    try:
        return ADAPTERS[kind]
    except KeyError:
        raise UnknownKind(f"no adapter handles sources of kind {kind!r} yet") from None
