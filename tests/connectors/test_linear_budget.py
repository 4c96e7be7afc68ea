"""Pacing by Linear's hourly budgets, against the simulator enforcing them.

The simulator's buckets refill by the tracker's clock; here that clock only moves when the
client sleeps (``MovingClock.sleep`` is the injected ``sleep``), so an hour of waiting takes no
time and every wait is exact. A query the budget cannot pay must be held back, not sent and
rejected: ``sim.rate_limited`` stays empty.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from benchmarks.linear_scale import LinearScaleSpec, build_linear_scale_workspace
from connectors.linear import LinearSource, queries
from connectors.linear.client import HOUR_MS, LinearClient, RateLimitState
from connectors.linear.complexity import price
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from tracker import clock
from tracker.config import LinearSourceConfig
from tracker.domain import IssueBundle

KEY = LINEAR_DEMO.api_key
T0 = datetime(2026, 3, 10, 12, tzinfo=UTC)
TEAMS = {"keys": ["ENG"], "first": queries.TEAM_PAGE}


@dataclass
class MovingClock:
    """The tracker's clock, moved only by the client's sleeps."""

    at: datetime
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def moving() -> Iterator[MovingClock]:
    now = MovingClock(T0)
    clock.set_clock(now)
    yield now
    clock.reset_clock()


def client_for(url: str, now: MovingClock) -> LinearClient:
    # A budget of a few requests an hour refills one in minutes: longer than `max_wait`.
    return LinearClient(
        url, SecretStr(KEY), "LINEAR_API_KEY", timeout=5, max_wait=3600, sleep=now.sleep
    )


def test_a_query_the_points_cannot_pay_waits_for_the_refill(
    moving: MovingClock, caplog: pytest.LogCaptureFixture
) -> None:
    teams = price(queries.TEAMS, "Teams", TEAMS)
    assert teams == 70
    with LinearSimulator(build_demo_linear_workspace(), KEY, complexity_per_hour=200) as sim:
        client = client_for(sim.url, moving)
        for _ in range(2):
            client.execute(queries.TEAMS, "Teams", TEAMS)
        assert moving.slept == [] and client.rate_limit.complexity_remaining == 60
        with caplog.at_level(logging.WARNING, logger="connectors.linear.client"):
            client.execute(queries.TEAMS, "Teams", TEAMS)
    # 10 points short at 200 an hour: 180 s, plus a second for the headers' rounding.
    assert moving.slept == client.pauses == [181.0]
    assert sim.rate_limited == {} and sim.requests["Teams"] == 3
    (line,) = caplog.messages
    assert "60 of 200 complexity points" in line and "waiting 181 s" in line
    assert "before Teams (about 70 points)" in line


def test_no_request_left_waits_for_one_to_refill(moving: MovingClock) -> None:
    with LinearSimulator(build_demo_linear_workspace(), KEY, requests_per_hour=10) as sim:
        client = client_for(sim.url, moving)
        for _ in range(11):
            client.execute(queries.VIEWER, "Viewer")
    assert moving.slept == [HOUR_MS / 10 / 1000 + 1]  # one request refills in 6 minutes
    assert sim.rate_limited == {} and sim.requests["Viewer"] == 11


def test_a_full_sync_under_a_tight_budget_loses_nothing_and_is_never_rejected(
    moving: MovingClock,
) -> None:
    spec = LinearScaleSpec.sized(150, seed=3)

    def fetch(budget: int) -> tuple[list[IssueBundle], LinearSource, LinearSimulator]:
        ws, facts = build_linear_scale_workspace(spec)
        with LinearSimulator(ws, facts.api_key, complexity_per_hour=budget) as sim:
            config = LinearSourceConfig(name="scale", type="linear", url=sim.url,
                                        token_env="LINEAR_API_KEY", teams=[facts.team],
                                        token=SecretStr(facts.api_key),
                                        max_wait=3600, sync_timeout=86400)  # fmt: skip
            source = LinearSource(config, sleep=moving.sleep)
            sprints = source.fetch_sprints()
            bundles = [b for page in source.fetch_issues(sprints, None) for b in page]
            source.close()
        return bundles, source, sim

    roomy, _, unpaced = fetch(3_000_000)
    assert moving.slept == [] and len(roomy) == 150
    # Less than the sync needs, so it must wait; more than its dearest query, so it can.
    budget = price(queries.ISSUES_PAGE, "IssuesPage", {"filter": {}, "last": queries.ISSUE_PAGE})
    budget += 500
    assert unpaced.complexity > 2 * budget
    moving.at = T0
    tight, source, sim = fetch(budget)
    assert tight == roomy and sim.complexity == unpaced.complexity
    assert sim.rate_limited == {} and source.client.pauses == moving.slept != []
    # It waited about as long as the budget takes to refill what the sync spent beyond it.
    refill = (unpaced.complexity - budget) * 3600 / budget
    assert refill <= sum(moving.slept) <= refill + 3600 * 500 / budget + len(moving.slept)


@pytest.mark.parametrize(
    ("state", "points", "seconds"),
    [
        (RateLimitState(), 10, 0.0),  # nothing known yet: send
        (RateLimitState(complexity_remaining=5, seen_ms=0), 10, 0.0),  # no limit, no reset
        (RateLimitState(complexity_remaining=5, complexity_reset_ms=60_000, seen_ms=0), 10, 60),
        # 3,600 an hour refill one a second: 5 short is 5 s, or what is left of it later on.
        (RateLimitState(complexity_limit=3600, complexity_remaining=5, seen_ms=0), 10, 5.0),
        (RateLimitState(complexity_limit=3600, complexity_remaining=5, seen_ms=-2000), 10, 3.0),
        # ... but never past the reset, when the bucket is full.
        (
            RateLimitState(
                complexity_limit=3600,
                complexity_remaining=5,
                complexity_reset_ms=1000,
                seen_ms=0,
            ),
            10,
            1.0,
        ),
        # More than the whole budget: wait for the reset, then let Linear answer.
        (RateLimitState(complexity_limit=5, complexity_remaining=5, seen_ms=0), 10, 0.0),
        (RateLimitState(requests_limit=3600, requests_remaining=0, seen_ms=0), 1, 1.0),
    ],
)
def test_wait_before_reads_the_buckets(state: RateLimitState, points: int, seconds: float) -> None:
    assert state.wait_before(points, now_ms=0) == pytest.approx(seconds)
