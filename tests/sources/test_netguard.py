"""refuse_private: every spelling of a non-public address is refused, names are resolved (with a
timeout), and a name that does not resolve is not by itself a refusal."""

from __future__ import annotations

import ipaddress
import time

import pytest

from sources import netguard
from sources.netguard import RefusedAddress, ip_literal, non_public, refuse_private
from tests.fake_dns import resolve_from

FAKE_DNS = {
    "intranet.example.com": ["10.0.0.7"],
    "metadata.example.com": ["169.254.169.254", "fd00::1"],
    "dual.example.com": ["10.0.0.8", "93.184.215.14"],
    "www.theverge.com": ["151.101.1.52", "2a04:4e42::308"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    resolve_from(monkeypatch, FAKE_DNS)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is not a public address (loopback)"),
        ("http://127.8.9.10:8080/admin", "(loopback)"),
        ("http://10.1.2.3/", "10.1.2.3 is not a public address (private)"),
        ("http://172.16.0.1/", "(private)"),
        ("http://192.168.1.1/router", "(private)"),
        ("http://100.64.0.1/", "(non-public)"),  # carrier-grade NAT: neither private nor global
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is not a public address (link-local)"),
        ("http://0.0.0.0/", "(unspecified)"),
        ("http://224.0.0.251/", "(multicast)"),
        ("http://240.0.0.1/", "(reserved)"),
        ("http://[::1]/", "::1 is not a public address (loopback)"),
        ("http://[::]/", "(unspecified)"),
        ("http://[fe80::1]/", "(link-local)"),
        ("http://[fe80::1%25eth0]/", "(link-local)"),
        ("http://[fd12:3456::1]/", "(private)"),
        ("http://[ff02::1]/", "(multicast)"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is not a public address (loopback)"),
        ("http://[::ffff:a9fe:a9fe]/", "(link-local)"),  # IPv4-mapped 169.254.169.254, hex spelling
        ("http://[64:ff9b::a00:1]/", "(private)"),  # NAT64 of 10.0.0.1
        ("http://[2002:7f00:1::]/", "(loopback)"),  # 6to4 of 127.0.0.1
        ("http://2130706433/", "2130706433 is not a public address (loopback)"),  # decimal 127.0.0.1
        ("http://0x7f000001/", "(loopback)"),
        ("http://0x7f.1/", "(loopback)"),
        ("http://0177.0.0.1/", "(loopback)"),  # octal
        ("http://127.1/", "(loopback)"),
        ("http://3232235777/", "(private)"),  # 192.168.1.1
        ("http://localhost/", "localhost is a local-only host name"),
        ("http://LOCALHOST.:8000/", "localhost is a local-only host name"),
        ("http://api.localhost/", "local-only host name"),
        ("http://printer.local/", "printer.local is a local-only host name"),
        ("http://metadata.google.internal/computeMetadata/v1/", "local-only host name"),
        ("http://intranet.example.com/wiki", "intranet.example.com resolves only to non-public addresses: 10.0.0.7 (private)"),
        ("https://metadata.example.com/", "169.254.169.254 (link-local), fd00::1 (private)"),
    ],
)
def test_non_public_hosts_are_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(RefusedAddress) as refused:
        refuse_private(url)

    assert reason in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.theverge.com/2024/2/16/24075421/air-canada-chatbot-refund",  # resolves to public addresses
        "http://93.184.215.14/",
        "http://[2606:4700::1111]/",
        "https://dual.example.com/",  # one public address among private ones: reachable publicly
        "https://no-such-host.example.org/",  # does not resolve: not a refusal (nothing to fetch either)
        "https://localhost.example.com/",  # "localhost" only as a label, not the name
    ],
)
def test_public_and_unresolvable_hosts_pass(url: str) -> None:
    refuse_private(url)


def test_a_url_without_a_host_is_refused() -> None:
    with pytest.raises(RefusedAddress, match="has no host"):
        refuse_private("http:///etc/passwd")


def test_a_slow_lookup_passes_after_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(host: str) -> list[netguard.IPAddress]:
        time.sleep(2)
        return [ipaddress.ip_address("10.0.0.1")]

    monkeypatch.setattr(netguard, "_addresses", slow)
    started = time.monotonic()

    refuse_private("https://slow.example.com/", timeout=0.1)

    assert time.monotonic() - started < 1


def test_real_resolver_is_used_for_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the system resolver: "localhost" is refused by name, so ask for a loopback alias

    assert [str(a) for a in netguard._addresses("127.0.0.1")] == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("host", "address"),
    [("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("10.1", "10.0.0.1"), ("::ffff:1.2.3.4", "::ffff:102:304"), ("8.8.8.8", "8.8.8.8")],
)
def test_ip_literal_reads_every_resolver_spelling(host: str, address: str) -> None:
    assert str(ip_literal(host)) == address


@pytest.mark.parametrize("host", ["example.com", "deadbeef.com", "127.0.0.1 evil", "0x7f.0.0.1.example", ""])
def test_ip_literal_leaves_names_alone(host: str) -> None:
    assert ip_literal(host) is None


def test_public_unicast_has_no_reason() -> None:
    assert non_public(ipaddress.ip_address("151.101.1.52")) is None
    assert non_public(ipaddress.ip_address("2a04:4e42::308")) is None
