"""What can go wrong in a review, as exceptions whose message is what the reviewer should read."""

from __future__ import annotations

from collections.abc import Mapping


class ReviewError(Exception):
    """A review operation refused: the message says why."""


class NotFound(ReviewError):
    """No such cluster, candidate or incident."""


class LeaseError(ReviewError):
    """The item is claimed by someone else, or the caller does not hold the claim a decision needs."""


class StateError(ReviewError):
    """The item is not in a state that allows the operation (already published, not enough sources...)."""


class ConflictError(ReviewError):
    """The operation contradicts an earlier reviewer decision; repeat it with ``override`` to overrule."""


class DraftError(ReviewError):
    """Incident fields that do not validate: every problem at once, by field."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("\n".join(f"{field}: {problem}" for field, problem in self.problems.items()))
