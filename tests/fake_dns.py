"""Name resolution from a fixed table instead of the network (there is none in tests)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping, Sequence

import pytest

from sources import netguard


def resolve_from(monkeypatch: pytest.MonkeyPatch, table: Mapping[str, Sequence[str]]) -> None:
    """Make netguard resolve names through ``table``; any other name does not resolve."""

    def addresses(host: str) -> list[netguard.IPAddress]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(a) for a in table[host]]

    monkeypatch.setattr(netguard, "_addresses", addresses)
