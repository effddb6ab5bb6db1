"""Who is asking: the client's address (through trusted proxies only) and its keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from web.settings import ProxyNetwork


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[ProxyNetwork, ...]) -> str:
    """The peer's address, or, when the peer is a trusted proxy, the nearest X-Forwarded-For hop
    that is not one: anything further left was written by the client and proves nothing."""
    address = peer or "unknown"
    if not forwarded_for or not is_trusted(address, trusted):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if hop and not is_trusted(hop, trusted):
            return hop
    return address


def client_hash(secret: bytes, address: str) -> str:
    """HMAC-SHA256 of the address under the install secret: stable per install, useless elsewhere."""
    return hmac.new(secret, b"client-address:" + address.encode(), hashlib.sha256).hexdigest()


def is_trusted(address: str, trusted: tuple[ProxyNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
