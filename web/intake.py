"""Accepting one report, apart from HTTP: rate limit, validation, then store or fold."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from store import now, repo, session_scope
from store.models import Submission
from web.settings import WebSettings
from web.validation import Report, validate

log = logging.getLogger(__name__)


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many submissions from your address; try again in {retry_after} seconds")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Accepted:
    id: int
    times_submitted: int
    report: Report

    @property
    def folded(self) -> bool:
        return self.times_submitted > 1


def accept(engine: Engine, settings: WebSettings, client_hash: str, raw: Mapping[str, object]) -> Accepted:
    """Store the report in ``raw`` (or fold it into an identical one).

    Every attempt counts toward the client's limit, invalid ones too: each costs a name lookup.
    Raises :class:`RateLimited` or :class:`web.validation.Invalid`.
    """
    at = now()
    with session_scope(engine) as session:
        wait = repo.take_submission_slot(session, client_hash, at, settings.rate_limit, timedelta(seconds=settings.rate_window))
    if wait is not None:
        raise RateLimited(math.ceil(wait))
    report = validate(raw, dns_timeout=settings.dns_timeout)
    submission = Submission(
        url=report.url,
        canonical_url=report.canonical_url,
        title=report.title,
        description=report.description,
        contact=report.contact,
        digest=report.digest,
        client_hash=client_hash,
        first_submitted_at=at,
        last_submitted_at=at,
    )
    with session_scope(engine) as session:
        row_id, times = repo.save_submission(session, submission)
    log.info("submission %d: %s (times submitted: %d)", row_id, report.canonical_url, times)
    return Accepted(row_id, times, report)
