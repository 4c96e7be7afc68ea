"""One wait policy and one clock for both connectors: retries, rate-limit waits, deadlines.

Every wait a connector makes goes through a :class:`Waits`, built from the source's config
(``timeout``, ``max_retries``, ``max_wait``, ``sync_timeout``) with the tracker's clock
(``tracker.clock.now``, which the demo and the tests move: it reads the dates servers send)
and an injectable ``sleep``. Deadlines are measured in elapsed time (``time.monotonic``),
never by the wall clock, which the demo rewrites and NTP may step:

- **a request** gets ``timeout`` seconds in all, however its bytes arrive: the HTTP
  libraries' own timeouts are per read, so a server that trickles one byte a second would
  keep a cron job alive for ever. :meth:`Waits.bounded` runs the request in a daemon thread
  and gives up on it when its time is up (the thread dies with the process);
- **a sync** gets ``sync_timeout`` seconds in all: past it no request is sent and no wait
  begins (what was stored so far is kept; the next sync continues from its cursor);
- **a wait** the server asks for (``Retry-After`` in seconds or as an HTTP date, a reset
  time) longer than ``max_wait``, or one that would pass the sync's deadline, is not
  waited: the source fails at once with one line, so a ``Retry-After: 86400`` or a reset
  header years ahead never hangs a cron job;
- **backoff** after a failure that said nothing is 1, 2, 4, … seconds, capped at 60.

Errors: ``RateLimited`` for a wait refused, ``UpstreamError`` for a deadline passed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from tracker import clock
from tracker.errors import RateLimited, UpstreamError

log = logging.getLogger(__name__)

T = TypeVar("T")

BACKOFF_CAP = 60.0


@dataclass(frozen=True, slots=True)
class WaitPolicy:
    """The four numbers of a source's config that bound its waits (seconds)."""

    timeout: float = 30.0
    max_retries: int = 4
    max_wait: float = 300.0
    sync_timeout: float = 7200.0

    @classmethod
    def of(cls, config: Any) -> WaitPolicy:
        """From a source's config (both source types carry the same four keys)."""
        return cls(
            timeout=float(config.timeout),
            max_retries=int(config.max_retries),
            max_wait=float(config.max_wait),
            sync_timeout=float(config.sync_timeout),
        )


class RequestDeadline(UpstreamError):
    """A request did not finish within ``timeout``; retried like a network timeout."""


def backoff(attempt: int) -> float:
    """Seconds before retry ``attempt`` (0-based) when the server said nothing."""
    return float(min(BACKOFF_CAP, 2.0**attempt))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` is delta-seconds or an HTTP date (RFC 9110 §10.2.3); None if neither."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, (clock.ensure_utc(when) - now).total_seconds())


def parse_reset_time(value: str | None, now: datetime) -> float | None:
    """Seconds until a reset header's time: ISO 8601 (Jira's ``X-RateLimit-Reset``) or
    epoch milliseconds (Linear's ``X-RateLimit-*-Reset``); None if neither."""
    if not value or not value.strip():
        return None
    try:
        when = clock.parse_time(value.strip())
    except (ValueError, OverflowError, OSError):
        return None
    return None if when is None else max(0.0, (when - now).total_seconds())


def describe(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3.0 h``, ``412 days``: a wait as a person reads it."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"


class Waits:
    """The waits of one source's sync: where the deadline is, what may be slept."""

    def __init__(
        self,
        policy: WaitPolicy,
        service: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = clock.now,
        elapsed: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self.service = service  # "Jira at https://acme.atlassian.net"
        self.now = now
        self._sleep = sleep
        self._elapsed = elapsed
        self._started: float | None = None  # the sync starts with its first request

    @property
    def max_retries(self) -> int:
        return self.policy.max_retries

    def left(self) -> float:
        """Seconds left before the sync's deadline (may be negative)."""
        if self._started is None:
            self._started = self._elapsed()
        return self.policy.sync_timeout - (self._elapsed() - self._started)

    def check_deadline(self, what: str) -> None:
        """Refuse to start ``what`` once the sync's deadline has passed."""
        if self.left() <= 0:
            raise UpstreamError(
                f"{self.service}: stopped before {what}, the sync has run for "
                f"{describe(self.policy.sync_timeout)} (`sync_timeout`); what was stored is "
                "kept and the next sync continues from there"
            )

    def sleep(self, seconds: float, what: str, why: str) -> None:
        """Wait ``seconds`` before ``what``, or fail now if that is too long."""
        self.refuse_long(seconds, what, why)
        if seconds > 0:
            self._sleep(seconds)

    def refuse_long(self, seconds: float, what: str, why: str) -> None:
        """Raise if a wait of ``seconds`` is longer than ``max_wait`` or the sync has left."""
        if seconds > self.policy.max_wait:
            raise RateLimited(
                f"{self.service} asks to wait {describe(seconds)} before {what} ({why}), more "
                f"than `max_wait` ({describe(self.policy.max_wait)}): run the sync again later"
            )
        if seconds > self.left():
            raise UpstreamError(
                f"{self.service}: waiting {describe(seconds)} before {what} ({why}) would pass "
                f"`sync_timeout` ({describe(self.policy.sync_timeout)}); what was stored is "
                "kept and the next sync continues from there"
            )

    def bounded(self, fn: Callable[[], T], what: str) -> T:
        """``fn()`` (one HTTP request), given ``timeout`` seconds in all (less when the
        sync's deadline is nearer); ``RequestDeadline`` when it has not finished by then.

        The request runs in a daemon thread: the HTTP libraries cannot be interrupted
        mid-read, so a request that overruns is abandoned, and its thread ends when its
        socket does, or with the process."""
        self.check_deadline(what)
        budget = min(self.policy.timeout, max(0.0, self.left()))
        outcome: list[Any] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append((True, fn()))
            except BaseException as exc:  # handed to the caller's thread below
                outcome.append((False, exc))
            finally:
                done.set()

        worker = threading.Thread(target=run, name="tracker-request", daemon=True)
        worker.start()
        if not done.wait(budget):
            log.debug("%s: abandoned %s after %.1f s", self.service, what, budget)
            raise RequestDeadline(
                f"{self.service} gave no complete answer to {what} within {budget:g}s "
                "(`timeout` is for the whole answer): check the network, or raise `timeout`"
            )
        ok, value = outcome[0]
        if not ok:
            raise value
        result: T = value
        return result


def server_wait(headers: Mapping[str, str], now: datetime) -> float | None:
    """What a 429/503 asked for: ``Retry-After`` first, else ``X-RateLimit-Reset``."""
    told = parse_retry_after(headers.get("Retry-After"), now)
    if told is None:
        told = parse_reset_time(headers.get("X-RateLimit-Reset"), now)
    return told
