"""The polite fetcher against a real loopback server: validators, conditional GET, redirects,
size and time limits, errors with their status and Retry-After, and compressed bodies."""

from __future__ import annotations

import gzip
import time
import tracemalloc
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from lpi.config import ConfigError, load_config
from sources.base import Request
from sources.fetch import Fetcher, FetchError, FetchPolicy
from tests.conftest import PAYLOADS
from tests.replay import LAST_MODIFIED, ReplayServer, Route

FEED = "/feeds/ars-technica.xml"
CAP = 1_000_000


def policy(**overrides: float) -> FetchPolicy:
    """Limits for loopback tests; no interval between requests (tests/sources/test_hostgate.py has those)."""
    settings = {"connect_timeout": 2, "read_timeout": 2, "deadline": 2, "max_bytes": CAP, "max_redirects": 3, "host_interval": 0}
    return FetchPolicy(user_agent="lpi-intake-tests/1 (loopback)", **settings | overrides)  # type: ignore[arg-type]


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(policy()) as fetcher:
        yield fetcher


@cache
def gzip_bomb() -> bytes:
    return gzip.compress(bytes(50_000_000))  # 50 MB of zeros in ~49 KB


def fails(fetcher: Fetcher, url: str) -> tuple[FetchError, float]:
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)
    return caught.value, time.monotonic() - started


def test_200_returns_the_body_and_captures_etag_and_last_modified(fetcher: Fetcher, replay: ReplayServer) -> None:
    response = fetcher.get(replay.url(FEED))

    assert response.status == 200 and not response.not_modified
    assert response.body == (PAYLOADS / FEED.lstrip("/")).read_bytes()
    assert response.etag and response.etag.startswith('"')
    assert response.last_modified == LAST_MODIFIED
    assert response.content_type == "application/rss+xml; charset=utf-8"
    assert response.final_url == response.url == replay.url(FEED) and response.redirects == []


def test_conditional_get_with_the_saved_etag_is_not_modified(fetcher: Fetcher, replay: ReplayServer) -> None:
    first = fetcher.get(replay.url(FEED))

    again = fetcher.get(replay.url(FEED), etag=first.etag, last_modified=first.last_modified)

    assert again.not_modified and again.status == 304 and again.body == b""
    assert fetcher.get(replay.url(FEED), etag='"stale"').status == 200  # a different validator: full body
    assert replay.requests[FEED] == 3


def test_redirect_chain_is_kept_and_the_final_url_reported(fetcher: Fetcher, replay: ReplayServer) -> None:
    replay.routes["/old"] = Route(301, headers={"Location": replay.url("/moved")})
    replay.routes["/moved"] = Route(302, headers={"Location": "feeds/ars-technica.xml"})  # relative

    response = fetcher.get(replay.url("/old"))

    assert response.status == 200 and response.body.startswith(b"<?xml")
    assert response.redirects == [replay.url("/old"), replay.url("/moved")]
    assert response.url == replay.url("/old") and response.final_url == replay.url(FEED)


@pytest.mark.parametrize("hops", [["/a", "/a"], ["/a", "/b", "/a"]], ids=["self", "two-step"])
def test_redirect_loop_raises(fetcher: Fetcher, replay: ReplayServer, hops: list[str]) -> None:
    for here, there in zip(hops, hops[1:]):
        replay.routes[here] = Route(302, headers={"Location": there})

    error, _ = fails(fetcher, replay.url(hops[0]))

    assert "redirect loop" in str(error) and error.status == 302
    assert max(replay.requests.values()) == 1  # detected, not followed round again


def test_more_than_max_redirects_raises(replay: ReplayServer) -> None:
    for n in range(1, 5):  # /r1 -> /r2 -> /r3 -> /r4 -> the feed: four redirects
        target = f"/r{n + 1}" if n < 4 else FEED
        replay.routes[f"/r{n}"] = Route(302, headers={"Location": target})

    with Fetcher(policy(max_redirects=3)) as fetcher:
        error, _ = fails(fetcher, replay.url("/r1"))
        assert "more than 3 redirects" in str(error)
        assert fetcher.get(replay.url("/r2")).redirects == [replay.url(f"/r{n}") for n in (2, 3, 4)]  # exactly 3: fine


def test_announced_content_length_over_the_cap_raises_before_reading(replay: ReplayServer) -> None:
    # 3 KB announced; reading it would take ~4 s of drip, refusing it takes none.
    replay.routes["/big"] = Route(200, b"x" * 600, chunks=5, chunk_delay=1.0)

    with Fetcher(policy(max_bytes=1000, deadline=10, read_timeout=5)) as fetcher:
        error, elapsed = fails(fetcher, replay.url("/big"))

    assert "3,000 bytes announced" in str(error) and "1,000-byte cap" in str(error)
    assert elapsed < 0.9


def test_body_over_the_cap_without_content_length_is_cut_while_reading(replay: ReplayServer) -> None:
    replay.routes["/unbounded"] = Route(200, b"x" * 400, chunks=50, chunk_delay=0.05, announce_length=False)

    with Fetcher(policy(max_bytes=1000)) as fetcher:
        error, elapsed = fails(fetcher, replay.url("/unbounded"))

    assert "exceeded the 1,000-byte cap" in str(error)
    assert elapsed < 1.5  # cut after a few chunks, not after the whole 2.5 s body


def test_body_without_content_length_under_the_cap_is_read_to_the_end(fetcher: Fetcher, replay: ReplayServer) -> None:
    replay.routes["/unannounced"] = Route(200, b"y" * 1000, chunks=3, announce_length=False)

    response = fetcher.get(replay.url("/unannounced"))

    assert "content-length" not in response.headers and response.body == b"y" * 3000


def test_slow_drip_body_gives_up_at_the_deadline(fetcher: Fetcher, replay: ReplayServer) -> None:
    replay.routes["/drip"] = Route(200, b"<", chunk_delay=0.2, chunks=100)  # 20 s of one byte at a time

    error, elapsed = fails(fetcher, replay.url("/drip"))

    assert "2s deadline" in str(error)
    assert 1.9 <= elapsed < fetcher.policy.deadline + 2


def test_a_stalled_body_still_ends_within_the_deadline(replay: ReplayServer) -> None:
    replay.routes["/stall"] = Route(200, b"<rss>", chunk_delay=3.5, chunks=2)  # silent for 3.5 s

    with Fetcher(policy(deadline=0.5, read_timeout=10)) as fetcher:
        _, elapsed = fails(fetcher, replay.url("/stall"))

    assert elapsed < 0.5 + 2


@pytest.mark.parametrize(
    ("status", "retry_after"), [(500, "120"), (429, "Wed, 21 Oct 2026 07:28:00 GMT"), (404, None)]
)
def test_error_status_raises_with_status_and_retry_after(
    fetcher: Fetcher, replay: ReplayServer, status: int, retry_after: str | None
) -> None:
    replay.routes["/err"] = Route(status, b"upstream says no", {"Retry-After": retry_after} if retry_after else {})

    error, _ = fails(fetcher, replay.url("/err"))

    assert error.status == status and error.retry_after == retry_after
    assert str(error) == f"HTTP {status} from {replay.url('/err')}"


def test_connection_refused_raises_fetch_error_without_status(fetcher: Fetcher) -> None:
    error, _ = fails(fetcher, "http://127.0.0.1:9/feed.xml")

    assert "ConnectError" in str(error) and error.status is None


def test_gzip_body_is_decoded(fetcher: Fetcher, replay: ReplayServer) -> None:
    plain = (PAYLOADS / FEED.lstrip("/")).read_bytes()
    replay.routes["/gz"] = Route(200, gzip.compress(plain), {"Content-Encoding": "gzip"})

    response = fetcher.get(replay.url("/gz"))

    assert response.body == plain
    assert int(response.headers["content-length"]) < len(plain)  # it really travelled compressed


def test_gzip_bomb_is_cut_at_the_decoded_cap(fetcher: Fetcher, replay: ReplayServer) -> None:
    replay.routes["/bomb"] = Route(200, gzip_bomb(), {"Content-Encoding": "gzip"})  # ~49 KB announced

    error, elapsed = fails(fetcher, replay.url("/bomb"))

    assert "exceeded the 1,000,000-byte cap (after decompression)" in str(error)
    assert elapsed < 2


def test_gzip_bomb_never_inflates_far_past_the_cap(fetcher: Fetcher, replay: ReplayServer) -> None:
    replay.routes["/bomb"] = Route(200, gzip_bomb(), {"Content-Encoding": "gzip"})

    tracemalloc.start()
    try:
        fails(fetcher, replay.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 10 * CAP


def test_double_gzip_bomb_is_cut_without_inflating_it(fetcher: Fetcher, replay: ReplayServer) -> None:
    replay.routes["/bomb2"] = Route(200, gzip.compress(gzip_bomb()), {"Content-Encoding": "gzip, gzip"})

    tracemalloc.start()
    try:
        error, _ = fails(fetcher, replay.url("/bomb2"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert "cap (after decompression)" in str(error)
    assert peak < 10 * CAP


def test_unrequested_content_encoding_is_refused(fetcher: Fetcher, replay: ReplayServer) -> None:
    replay.routes["/br"] = Route(200, b"\x1b\x00\x00", {"Content-Encoding": "br"})

    error, _ = fails(fetcher, replay.url("/br"))

    assert "unsupported Content-Encoding 'br'" in str(error)


def test_post_sends_its_body_and_headers(fetcher: Fetcher, replay: ReplayServer) -> None:
    body = b'{"query": "{ reports { url } }"}'
    response = fetcher.fetch(Request(replay.url(FEED), "POST", body, {"Content-Type": "application/json"}))

    assert response.status == 200 and response.body == (PAYLOADS / FEED.lstrip("/")).read_bytes()
    assert replay.bodies == [body]


def test_a_303_after_post_is_followed_with_get(fetcher: Fetcher, replay: ReplayServer) -> None:
    replay.routes["/submit"] = Route(303, headers={"Location": FEED})
    response = fetcher.fetch(Request(replay.url("/submit"), "POST", b"x=1"))

    assert response.final_url == replay.url(FEED) and response.redirects == [replay.url("/submit")]
    assert replay.bodies == [b"x=1"]  # the redirected request went without it


def test_file_urls_are_read_within_the_cap(tmp_path: Path) -> None:
    export = tmp_path / "export file.json"
    export.write_bytes(b'{"reproductions": []}')
    with Fetcher(policy()) as fetcher:
        response = fetcher.get(export.as_uri())
        assert response.body == b'{"reproductions": []}' and response.content_type == "application/json"
        with pytest.raises(FetchError, match="cannot read"):
            fetcher.get((tmp_path / "missing.json").as_uri())
    export.write_bytes(b"x" * 2_000)
    with Fetcher(policy(max_bytes=1_000)) as small, pytest.raises(FetchError, match="1,000-byte cap"):
        small.get(export.as_uri())


def test_mounted_schemes_and_unknown_schemes(tmp_path: Path) -> None:
    seen: list[str] = []

    def read(url: str) -> bytes:
        seen.append(url)
        return b'{"submissions": []}'

    with Fetcher(policy(), local={"lpi": read}) as fetcher:
        assert fetcher.get("lpi:submissions?after=3").body == b'{"submissions": []}'
        with pytest.raises(FetchError, match="scheme 'ftp' is not"):
            fetcher.get("ftp://example.org/feed.xml")
    assert seen == ["lpi:submissions?after=3"]


def test_the_fetch_section_of_the_configuration_sets_the_policy(tmp_path: Path) -> None:
    config = tmp_path / "lpi.yaml"
    config.write_text("fetch:\n  host_interval: 2.5\n  host_wait: 10\n", encoding="utf-8")
    assert (load_config(config).fetch.host_interval, load_config(config).fetch.host_wait) == (2.5, 10)

    for bad in ('"fast"', "-1", "true"):
        config.write_text(f"fetch:\n  host_interval: {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="fetch.host_interval must be a number, at least 0"):
            load_config(config)
