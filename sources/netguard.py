"""Refuses URLs that point into the host's own network, before anything fetches them.

A submitted URL is untrusted: fetching ``http://169.254.169.254/`` or ``http://2130706433/``
from the server would reach cloud metadata or loopback services (server-side request forgery).
The check here covers the URL as written and what its name resolves to; a fetcher should still
connect only to addresses this check passed, since DNS may answer differently a second time.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOCAL_NAMES = ("localhost",)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal")
DEFAULT_TIMEOUT = 2.0  # seconds for the name lookup; a slow or failing lookup is not a refusal
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_INET_ATON = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)  # the forms inet_aton reads: 0x7f.1, 2130706433


class RefusedAddress(ValueError):
    """The URL points at a loopback, private, link-local or otherwise non-public address."""


def refuse_private(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Raise :class:`RefusedAddress` unless ``url``'s host may be public.

    Refused: a host that is a non-public IP literal (any IPv4 spelling inet_aton accepts, IPv6,
    IPv4 embedded in IPv6), a local-only name, or a name that resolves only to non-public
    addresses. A name that does not resolve (in ``timeout``) passes: it cannot be fetched either.
    """
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError as exc:
        raise RefusedAddress(f"not a valid URL: {exc}") from None
    if not host:
        raise RefusedAddress("the URL has no host")
    host = host.rstrip(".").lower()
    literal = ip_literal(host)
    if literal is not None:
        if reason := non_public(literal):
            raise RefusedAddress(f"{host} is not a public address ({reason})")
        return
    if host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES):
        raise RefusedAddress(f"{host} is a local-only host name")
    addresses = _resolve(host, timeout)
    if not addresses:
        return
    reasons = [non_public(address) for address in addresses]
    if all(reasons):
        listed = ", ".join(f"{address} ({reason})" for address, reason in zip(addresses, reasons, strict=True))
        raise RefusedAddress(f"{host} resolves only to non-public addresses: {listed}")


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form a resolver would read as an address, else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _INET_ATON.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def non_public(address: IPAddress) -> str | None:
    """Why ``address`` must not be fetched (its kind), or None if it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d on a dual-stack socket
            return non_public(address.ipv4_mapped)
        tunnelled = _tunnelled_ipv4(address)
        if tunnelled is not None and (reason := non_public(tunnelled)):
            return reason
    for kind, flag in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    ):
        if flag:
            return kind
    return None


def _tunnelled_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a 6to4, Teredo or NAT64 address leads to."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _resolve(host: str, timeout: float) -> list[IPAddress]:
    """The addresses ``host`` resolves to; empty when the lookup fails or takes too long.

    ``getaddrinfo`` has no timeout of its own, so it runs in a daemon thread that is abandoned
    if it does not answer in time.
    """
    found: list[IPAddress] = []
    thread = threading.Thread(target=_lookup, args=(host, found), daemon=True, name="netguard-lookup")
    thread.start()
    thread.join(timeout)
    return [] if thread.is_alive() else found


def _lookup(host: str, into: list[IPAddress]) -> None:
    try:
        results = _addresses(host)
    except (OSError, UnicodeError):
        return
    into.extend(dict.fromkeys(results))


def _addresses(host: str) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
