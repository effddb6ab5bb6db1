"""Per-host politeness that holds across threads and processes: one request at a time per host, and
a minimum interval between the starts of two requests to one host.

Each host has a lock file under the data directory: ``flock`` on it is the turn, and the file holds
the time the last request to that host began. Every flow, ``lpi run --plain`` and any other process
sharing the data directory read the same files, so the limit is the equivalent of a strict global
concurrency limit of one per host with a decay, without needing a Prefect server.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RETRY_LOCK = 0.02  # seconds between tries for a host's lock while another request holds it


class HostBusy(Exception):
    """No turn at the host within the time a request may wait for one."""


class HostGate:
    """Turns at hosts, recorded in lock files under ``folder``; ``wait`` bounds the wait for one turn."""

    def __init__(self, folder: Path, wait: float):
        self.folder = folder
        self.wait = wait

    @contextmanager
    def turn(self, host: str, interval: float) -> Iterator[None]:
        """Hold ``host`` for one request, once nobody else holds it and ``interval`` seconds have
        passed since the last request to it began; raise :class:`HostBusy` rather than wait longer
        than allowed. The lock is not held while waiting out the interval, so waiters take turns."""
        give_up_at = time.monotonic() + self.wait
        self.folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.folder / f"{lock_name(host)}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                if _try_lock(descriptor):
                    pause = _pause(descriptor, interval)
                    if pause <= 0:
                        _record_start(descriptor)
                        break
                    fcntl.flock(descriptor, fcntl.LOCK_UN)
                    if time.monotonic() + pause > give_up_at:
                        raise HostBusy(
                            f"no turn at {host} within {self.wait:g}s: {host} asks for {interval:g}s between"
                            f" requests; the next turn is {pause:.0f}s away"
                        )
                else:
                    remaining = give_up_at - time.monotonic()
                    if remaining <= 0:
                        raise HostBusy(f"no turn at {host} within {self.wait:g}s: {host} stayed busy with other requests")
                    pause = min(RETRY_LOCK, remaining)
                time.sleep(pause)
            yield
        finally:
            os.close(descriptor)  # releases the lock


def lock_name(host: str) -> str:
    """A file name for ``host``; characters outside host names become ``_``."""
    return re.sub(r"[^a-z0-9.-]", "_", host.lower()) or "_"


def _try_lock(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _last_start(descriptor: int) -> float:
    try:
        return float(os.pread(descriptor, 64, 0).decode("ascii").strip() or 0)
    except (UnicodeDecodeError, ValueError):
        return 0.0  # a damaged file: no request on record


def _pause(descriptor: int, interval: float) -> float:
    """Seconds until ``interval`` has passed since the last request began. A start in the future
    (the clock went back) is moved to now: the wait is one interval, not until the clock catches up."""
    elapsed = time.time() - _last_start(descriptor)
    if elapsed < 0:
        _record_start(descriptor)
        return interval
    return interval - elapsed


def _record_start(descriptor: int) -> None:
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{time.time():.6f}\n".encode("ascii"), 0)
