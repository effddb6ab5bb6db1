"""An entry without a date is dated by its URL where the URL's path carries a full date: the
publisher's own date counts for the scope's "2024 on", and matching looks near it; without one,
the fetch time stands in and proves nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dedup.normalize import normalize
from dedup.urls import url_date
from sources.base import Hit, SourceSpec

SPEC = SourceSpec(stream="user-submissions", name="form", kind="submissions", url="lpi:submissions")
FETCHED = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://www.theguardian.com/technology/2016/sep/26/google-self-driving-car", date(2016, 9, 26)),
        ("https://www.recode.net/2016/2/29/11588346/googles-self-driving-car", date(2016, 2, 29)),
        ("https://www.theverge.com/2022/3/31/23004326/facebook-news-feed-bug", date(2022, 3, 31)),
        ("https://www.reuters.com/article/us-autos-selfdriving-nearmiss-idUSKBN0P601T20150626", date(2015, 6, 26)),
        ("https://news.example/ai/2025-01-14-chatbot-refund", date(2025, 1, 14)),
        ("https://www.wired.com/story/gms-cruise-recalls-self-driving-software/", None),
        ("https://www.businessinsider.com.au/robotic-mall-cop-injury-2016-7", None),  # a month is not a day
        ("https://example.org/archive/2018/06/", None),  # an archive's folder
        ("https://example.org/2019/02/30/no-such-day", None),
        ("https://insideevs.com/news/596827/gm-cruise-crash", None),
        ("https://example.org/search?from=2020/01/01", None),  # the query is not the path
    ],
)
def test_a_full_date_in_the_path_is_read(url: str, day: date | None) -> None:
    assert url_date(url) == day


def test_an_undated_entry_takes_the_date_in_its_url_and_the_scope_counts_it() -> None:
    hit = Hit(url="https://www.theguardian.com/technology/2023/jun/22/lawyers-chatgpt-fake-cases", title="Lawyers fined over fake cases from ChatGPT")

    candidate = normalize(hit, SPEC, "lead", FETCHED, "0" * 64)

    assert candidate.published_at == datetime(2023, 6, 22, tzinfo=UTC) and candidate.published_is_fallback
    assert not candidate.in_scope
    assert any("published 2023-06-22 (the date in its URL), before the tracker's scope" in r for r in candidate.scope_reasons)


def test_a_recent_date_in_the_url_is_said_to_come_from_there() -> None:
    hit = Hit(url="https://news.example/2025/03/04/chatgpt-agent-leaks-files", title="ChatGPT agent leaked customer files")

    candidate = normalize(hit, SPEC, "lead", FETCHED, "0" * 64)

    assert candidate.published_at == datetime(2025, 3, 4, tzinfo=UTC)
    assert "no publication date in the entry: the date in its URL is used" in candidate.scope_reasons


def test_the_entrys_own_date_wins_and_a_url_date_after_the_fetch_is_no_date() -> None:
    stated = datetime(2025, 3, 5, 14, 0, tzinfo=UTC)
    dated = normalize(Hit(url="https://news.example/2025/03/04/x-y", title="ChatGPT leak", published=stated), SPEC, "lead", FETCHED, "0" * 64)
    future = normalize(Hit(url="https://news.example/2027/01/01/x-y", title="ChatGPT leak"), SPEC, "lead", FETCHED, "0" * 64)

    assert (dated.published_at, dated.published_is_fallback) == (stated, False)
    assert (future.published_at, future.published_is_fallback) == (FETCHED, True)
    assert any("fetch time used" in r for r in future.scope_reasons)
