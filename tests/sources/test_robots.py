"""robots.txt against a real loopback server: rules for our product token, what 4xx, 5xx and silence
mean (RFC 9309), Crawl-delay as the host's interval, one read per origin, and the ``robots: ignore``
source option in a real cycle."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest

from lpi.config import load_config
from lpi.pipeline import run_cycle
from sources import robots
from sources.fetch import Fetcher, FetchError
from sources.robots import RobotsCache, Rules, product_token, robots_url
from tests.conftest import NEWS_KEYWORDS, feed, write_config
from tests.replay import ROBOTS, ReplayServer, Route
from tests.sources.test_fetch import FEED, policy

RULES = b"""User-agent: *
Disallow: /feeds/

User-agent: lpi-intake-tests
Disallow: /feeds/private
Allow: /feeds/
"""


@pytest.fixture(autouse=True)
def _no_earlier_visits(replay: ReplayServer) -> None:
    replay.clear_visits()


def robots_reads(replay: ReplayServer) -> int:
    return sum(visit.path == ROBOTS for visit in replay.visits)


def refusal(fetcher: Fetcher, url: str) -> str:
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)
    return str(caught.value)


def test_our_group_decides_and_robots_txt_is_read_once_per_origin(replay: ReplayServer) -> None:
    replay.routes[ROBOTS] = Route(200, RULES, {"Content-Type": "text/plain"})
    private = replay.url("/feeds/private.xml")

    with Fetcher(policy()) as fetcher:
        assert fetcher.get(replay.url(FEED)).status == 200  # "*" disallows /feeds/, our group allows it
        assert refusal(fetcher, private) == f"robots.txt disallows {private} for lpi-intake-tests ({replay.url(ROBOTS)})"
        fetcher.get(replay.url(FEED))

    assert robots_reads(replay) == 1
    assert replay.requests == {FEED: 2}  # the disallowed URL was never requested


def test_a_4xx_robots_txt_allows_everything(replay: ReplayServer) -> None:
    replay.routes[ROBOTS] = Route(403, b"forbidden")

    with Fetcher(policy()) as fetcher:
        assert fetcher.get(replay.url(FEED)).status == 200


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_5xx_or_429_robots_txt_disallows_everything_for_now(replay: ReplayServer, status: int) -> None:
    replay.routes[ROBOTS] = Route(status, b"try later")

    with Fetcher(policy()) as fetcher:
        first = refusal(fetcher, replay.url(FEED))
        assert refusal(fetcher, replay.url("/feeds/other.xml")) == first  # the verdict is kept a while

    assert first.startswith(f"robots.txt answered HTTP {status} ({replay.url(ROBOTS)}): rules unknown")
    assert robots_reads(replay) == 1 and not replay.requests


def test_an_unreachable_robots_txt_fails_with_the_network_error_first() -> None:
    # The message starts like any fetch that reached no server, so a network outage still reads as one.
    with Fetcher(policy()) as fetcher:
        message = refusal(fetcher, "http://127.0.0.1:9/feed.xml")

    assert message.startswith("ConnectError:")
    assert "(reading http://127.0.0.1:9/robots.txt: rules unknown" in message


def test_a_robots_txt_lost_in_redirects_counts_as_unavailable(replay: ReplayServer) -> None:
    replay.routes[ROBOTS] = Route(302, headers={"Location": ROBOTS})

    with Fetcher(policy()) as fetcher:
        assert fetcher.get(replay.url(FEED)).status == 200


def test_crawl_delay_is_the_least_interval_between_requests_to_the_host(replay: ReplayServer) -> None:
    replay.routes[ROBOTS] = Route(200, b"User-agent: *\nCrawl-delay: 0.6\n")

    with Fetcher(policy()) as fetcher:  # host_interval 0: only the Crawl-delay spaces them
        for _ in range(3):
            fetcher.get(replay.url(FEED))

    assert [visit.path for visit in replay.visits] == [ROBOTS, FEED, FEED, FEED]
    feed_arrivals = [visit.arrived for visit in replay.visits[1:]]
    assert all(later - earlier >= 0.59 for earlier, later in itertools.pairwise(feed_arrivals))


def test_a_redirect_into_a_disallowed_path_is_not_followed(replay: ReplayServer) -> None:
    replay.routes[ROBOTS] = Route(200, b"User-agent: *\nDisallow: /private/\n")
    replay.routes["/open"] = Route(302, headers={"Location": "/private/feed.xml"})

    with Fetcher(policy()) as fetcher:
        assert refusal(fetcher, replay.url("/open")).startswith(f"robots.txt disallows {replay.url('/private/feed.xml')}")

    assert replay.requests == {"/open": 1}


def test_ignoring_robots_fetches_what_robots_txt_disallows_and_never_reads_it(replay: ReplayServer) -> None:
    replay.routes[ROBOTS] = Route(200, b"User-agent: *\nDisallow: /\n")

    with Fetcher(policy()) as fetcher:
        assert fetcher.ignoring_robots().get(replay.url(FEED)).status == 200
        assert refusal(fetcher, replay.url(FEED)).startswith("robots.txt disallows")  # the original still obeys

    assert robots_reads(replay) == 1


def test_local_schemes_have_no_robots_txt(tmp_path: Path, replay: ReplayServer) -> None:
    export = tmp_path / "export.json"
    export.write_bytes(b"[]")

    with Fetcher(policy(), local={"lpi": lambda _url: b"[]"}) as fetcher:
        assert fetcher.get(export.as_uri()).body == fetcher.get("lpi:submissions").body == b"[]"

    assert replay.visits == []


def test_the_product_token_and_the_robots_url() -> None:
    assert product_token("lpi-intake/0.1.0 (LLM Production Incident Tracker intake)") == "lpi-intake"
    assert product_token("  My_Bot (+https://example.org)") == "My_Bot"
    assert robots_url("https://user:pw@Example.ORG:8443/a/b?c=d") == "https://example.org:8443/robots.txt"


def test_one_read_per_origin_however_many_threads_ask_at_once() -> None:
    reads: list[str] = []

    def slow_read(url: str) -> Rules:
        reads.append(url)
        time.sleep(0.2)
        return Rules(url)

    cache = RobotsCache(slow_read)
    threads = [threading.Thread(target=cache.rules, args=(f"https://example.org/feed{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cache.rules("https://other.example.org/feed")

    assert reads == ["https://example.org/robots.txt", "https://other.example.org/robots.txt"]


def test_an_unreachable_verdict_expires_and_the_file_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(robots, "UNREACHABLE_TTL", 0.1)
    answers = iter([Rules.from_answer("u", 503, b""), Rules.from_answer("u", 200, b"User-agent: *\nAllow: /\n")])
    cache = RobotsCache(lambda _url: next(answers))

    assert cache.rules("https://example.org/x").refusal
    assert cache.rules("https://example.org/y").refusal  # kept
    time.sleep(0.15)
    assert cache.rules("https://example.org/x").refuses("https://example.org/x", "lpi") is None


def test_a_source_marked_robots_ignore_is_read_and_the_others_fail_clearly(
    tmp_path: Path, replay: ReplayServer, database_url: str, engine  # type: ignore[no-untyped-def]
) -> None:
    replay.routes[ROBOTS] = Route(200, b"User-agent: *\nDisallow: /\n")
    streams = {
        "tech-press": {
            "keywords": NEWS_KEYWORDS,
            "sources": [
                feed("ars-technica", "ars-technica.xml", robots="ignore"),  # an API we have permission for
                feed("the-register", "the-register.xml"),
            ],
        }
    }
    config = load_config(write_config(tmp_path / "lpi.yaml", replay, database_url, streams, fetch={"host_interval": 0}))

    summary = run_cycle(config, engine)

    by_id = {s.source_id: s for s in summary.sources}
    assert by_id["tech-press/ars-technica"].status == "fetched" and by_id["tech-press/ars-technica"].new_hits == 3
    register = by_id["tech-press/the-register"]
    assert register.status == "error"
    assert register.message == f"robots.txt disallows {replay.url('/feeds/the-register.xml')} for lpi-intake-tests ({replay.url(ROBOTS)})"
    assert replay.requests == {"/feeds/ars-technica.xml": 1}
