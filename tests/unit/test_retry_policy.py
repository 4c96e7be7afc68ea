"""The one wait policy both connectors share (connectors/retry.py) and the page guard."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.paging import PageGuard
from connectors.retry import WaitPolicy, Waits, describe
from tracker.errors import RateLimited, UpstreamError

NOW = datetime(2026, 4, 1, tzinfo=UTC)


class Elapsed:
    """Seconds since an arbitrary start, moved by the test (and by every sleep)."""

    def __init__(self) -> None:
        self.at = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += seconds


def waits(elapsed: Elapsed, **policy: float) -> Waits:
    return Waits(
        WaitPolicy(**policy),  # type: ignore[arg-type]
        "Jira at https://x",
        sleep=elapsed.sleep,
        now=lambda: NOW,
        elapsed=elapsed,
    )


def test_waits_within_max_wait_are_slept() -> None:
    elapsed = Elapsed()
    waits(elapsed, max_wait=60).sleep(60, "the search", "HTTP 429")
    assert elapsed.slept == [60]


def test_a_wait_beyond_max_wait_is_refused_without_sleeping() -> None:
    elapsed = Elapsed()
    with pytest.raises(RateLimited, match=r"asks to wait 24.0 h before the search \(HTTP 429\)"):
        waits(elapsed, max_wait=300).sleep(86_400, "the search", "HTTP 429")
    assert elapsed.slept == []


def test_waits_add_up_to_the_sync_deadline_then_stop() -> None:
    elapsed = Elapsed()
    w = waits(elapsed, max_wait=300, sync_timeout=700)
    w.check_deadline("the first request")  # the sync's clock starts here
    w.sleep(300, "a", "HTTP 503")
    w.sleep(300, "b", "HTTP 503")
    with pytest.raises(UpstreamError, match=r"would pass `sync_timeout`"):
        w.sleep(300, "c", "HTTP 503")
    elapsed.at += 200
    with pytest.raises(UpstreamError, match=r"stopped before d, .*the next sync continues"):
        w.check_deadline("d")


def test_the_sync_clock_starts_with_the_first_request_not_with_construction() -> None:
    elapsed = Elapsed()
    w = waits(elapsed, sync_timeout=10)
    elapsed.at += 3600  # built long before its sync begins (e.g. the second source)
    w.check_deadline("first")
    assert w.left() == 10


@pytest.mark.parametrize(
    ("seconds", "text"), [(45, "45 s"), (900, "15 min"), (86_400, "24.0 h"), (10**8, "1157 days")]
)
def test_waits_are_described_as_a_person_reads_them(seconds: float, text: str) -> None:
    assert describe(seconds) == text


def test_a_page_guard_caps_pages_by_the_promised_total() -> None:
    guard = PageGuard("Jira at https://x", "the comments of PAY-1")
    guard.more(["1"], total=2)
    guard.more(["2"], total=2)
    with pytest.raises(UpstreamError, match=r"promised 2 items but kept sending pages"):
        guard.more(["3"], total=2)


def test_a_page_guard_stops_a_repeated_cursor_and_a_page_with_nothing_new() -> None:
    guard = PageGuard("Linear at https://x", "the cycles")
    guard.more(["a"], "c1")
    with pytest.raises(UpstreamError, match=r"page cursor it had sent before"):
        guard.more(["b"], "c1")
    fresh = PageGuard("Linear at https://x", "the cycles")
    fresh.more(["a"], "c1")
    with pytest.raises(UpstreamError, match=r"nothing new on it for the cycles \(after 2"):
        fresh.more(["a"], "c2")
