"""Backoff of a failing source: exponential, capped, jittered, and a longer Retry-After wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from lpi.pipeline import BACKOFF_BASE, BACKOFF_CAP, backoff

AT = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def bounds(delay: timedelta) -> tuple[timedelta, timedelta]:
    return delay * 0.8, delay * 1.2


@pytest.mark.parametrize("failures", range(1, 7))
def test_grows_exponentially_with_failures_within_jitter(failures: int) -> None:
    low, high = bounds(BACKOFF_BASE * 2 ** (failures - 1))

    delays = [backoff(failures, None, AT) for _ in range(50)]

    assert all(low <= d <= high for d in delays)
    assert len(set(delays)) > 1  # jittered, so failing sources do not retry in lockstep


def test_each_failure_waits_longer_than_the_one_before() -> None:
    delays = [backoff(n, None, AT) for n in range(1, 7)]  # 0.8 x 2 > 1.2: strictly increasing despite jitter

    assert delays == sorted(delays) and len(set(delays)) == len(delays)


@pytest.mark.parametrize("failures", [8, 10, 20, 39])
def test_capped_at_backoff_cap_plus_jitter(failures: int) -> None:
    low, high = bounds(BACKOFF_CAP)

    assert all(low <= backoff(failures, None, AT) <= high for _ in range(20))


def test_a_source_failing_for_weeks_is_still_capped() -> None:
    assert backoff(40, None, AT) <= BACKOFF_CAP * 1.2


@pytest.mark.parametrize("retry_after", ["3600", format_datetime(AT + timedelta(hours=1), usegmt=True)], ids=["seconds", "http-date"])
def test_longer_retry_after_is_honoured(retry_after: str) -> None:
    assert backoff(1, retry_after, AT) == timedelta(hours=1)


@pytest.mark.parametrize(
    "retry_after", ["10", format_datetime(AT - timedelta(hours=1), usegmt=True), "soon", ""],
    ids=["shorter", "date-in-the-past", "garbage", "empty"],
)
def test_shorter_or_unusable_retry_after_leaves_the_backoff(retry_after: str) -> None:
    low, high = bounds(BACKOFF_BASE * 4)

    assert low <= backoff(3, retry_after, AT) <= high


def test_retry_after_is_capped_too() -> None:
    assert backoff(1, str(7 * 24 * 3600), AT) == BACKOFF_CAP  # a week asked; retried within the cap anyway


def test_absurd_retry_after_is_capped_not_fatal() -> None:
    assert backoff(1, "99999999999999", AT) == BACKOFF_CAP
