"""Bounded waits, against real servers on loopback: a cron job never hangs.

Each case is a server that would once have kept a sync alive for hours or for ever: a
``Retry-After`` of a day, a reset header years ahead, one byte a second in the body or in
the headers, a search that repeats its page token, a Linear cursor that never ends. Each
now ends with one clear line well within a minute. Both connectors share one policy
(``connectors.retry``), so each case runs against both where it applies. The elapsed-time
bounds below are correctness limits (minutes would be a hung job), not speed claims.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from hostile import FaultProxy
from pydantic import SecretStr

from connectors.jira import JiraSource
from connectors.linear import LinearSource
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from tracker import clock
from tracker.config import JiraSourceConfig, LinearSourceConfig
from tracker.errors import RateLimited, SourceError, UpstreamError

NOW = datetime(2026, 3, 20, tzinfo=UTC)
Source = JiraSource | LinearSource


@pytest.fixture(scope="module")
def jira_sim() -> Iterator[JiraSimulator]:
    with JiraSimulator(build_demo_workspace(), flavour="cloud") as sim:
        yield sim


@pytest.fixture(scope="module")
def linear_sim() -> Iterator[LinearSimulator]:
    with LinearSimulator(build_demo_linear_workspace(), api_key=LINEAR_DEMO.api_key) as sim:
        yield sim


@pytest.fixture(params=["jira", "linear"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def proxy(kind: str, jira_sim: JiraSimulator, linear_sim: LinearSimulator) -> Iterator[FaultProxy]:
    upstream = jira_sim.url if kind == "jira" else linear_sim.url
    with FaultProxy(upstream) as running:
        yield running


def jira_source(url: str, slept: list[float], **overrides: Any) -> JiraSource:
    values: dict[str, Any] = {
        "name": "acme", "type": "jira", "url": url, "token_env": "JIRA_API_TOKEN",
        "email": DEMO.email, "boards": list(DEMO.boards), "token": SecretStr(DEMO.token),
        "max_retries": 2,
    }  # fmt: skip
    values.update(overrides)
    return JiraSource(
        JiraSourceConfig.model_validate(values), clock=lambda: NOW, sleep=slept.append
    )


def linear_source(url: str, slept: list[float], **overrides: Any) -> LinearSource:
    values: dict[str, Any] = {
        "name": "acme-linear", "type": "linear", "url": url, "token_env": "LINEAR_API_KEY",
        "teams": [LINEAR_DEMO.team_key], "token": SecretStr(LINEAR_DEMO.api_key),
        "max_retries": 2,
    }  # fmt: skip
    values.update(overrides)
    return LinearSource(LinearSourceConfig.model_validate(values), sleep=slept.append)


def source_for(kind: str, proxy: FaultProxy, slept: list[float], **overrides: Any) -> Source:
    if kind == "jira":
        return jira_source(proxy.url, slept, **overrides)
    return linear_source(f"{proxy.url}/graphql", slept, **overrides)


def sprint_path(kind: str) -> str:
    return "/sprint" if kind == "jira" else "/graphql"


def timed(fn: Callable[[], object]) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        fn()
    return info.value, time.monotonic() - started


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[None]:
    clock.set_clock(lambda: NOW)
    yield
    clock.reset_clock()


# -- what the server asks for ---------------------------------------------------------------


def test_both_connectors_wait_as_retry_after_says(kind: str, proxy: FaultProxy) -> None:
    slept: list[float] = []
    source = source_for(kind, proxy, slept)
    proxy.on(sprint_path(kind), status=429, body=b"{}", headers={"Retry-After": "7"}, count=1)
    assert source.fetch_sprints()
    assert slept == [7.0]


def test_both_connectors_read_an_http_date_retry_after(kind: str, proxy: FaultProxy) -> None:
    slept: list[float] = []
    source = source_for(kind, proxy, slept)
    when = format_datetime(NOW + timedelta(seconds=42), usegmt=True)
    proxy.on(sprint_path(kind), status=429, body=b"{}", headers={"Retry-After": when}, count=1)
    assert source.fetch_sprints()
    assert slept == [42.0]


def test_a_retry_after_of_a_day_ends_at_once_with_one_line(kind: str, proxy: FaultProxy) -> None:
    slept: list[float] = []
    source = source_for(kind, proxy, slept)
    proxy.on(sprint_path(kind), status=429, body=b"{}", headers={"Retry-After": "86400"})
    error, elapsed = timed(source.fetch_sprints)
    assert isinstance(error, RateLimited)
    assert "asks to wait 24.0 h" in str(error) and "`max_wait`" in str(error)
    assert slept == [] and elapsed < 30 and "\n" not in str(error)


def test_a_reset_header_years_ahead_ends_at_once(kind: str, proxy: FaultProxy) -> None:
    slept: list[float] = []
    source = source_for(kind, proxy, slept)
    years = NOW + timedelta(days=3 * 365)
    headers = (
        {"X-RateLimit-Reset": years.strftime("%Y-%m-%dT%H:%MZ")}
        if kind == "jira"
        else {"X-RateLimit-Requests-Reset": str(int(years.timestamp() * 1000))}
    )
    body = json.dumps(
        {"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]}
    ).encode()
    proxy.on(sprint_path(kind), status=429, body=body, headers=headers)
    error, elapsed = timed(source.fetch_sprints)
    assert isinstance(error, RateLimited) and "1095 days" in str(error)
    assert slept == [] and elapsed < 30


def test_a_max_wait_of_a_day_is_honoured_when_configured(kind: str, proxy: FaultProxy) -> None:
    slept: list[float] = []
    source = source_for(kind, proxy, slept, max_wait=86400)
    proxy.on(sprint_path(kind), status=429, body=b"{}", headers={"Retry-After": "3600"}, count=1)
    assert source.fetch_sprints()
    assert slept == [3600.0]


# -- servers that trickle -------------------------------------------------------------------


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_server_sending_a_byte_a_second_ends_within_the_timeout(
    kind: str, proxy: FaultProxy, in_headers: bool
) -> None:
    slept: list[float] = []
    source = source_for(kind, proxy, slept, timeout=2, max_retries=1)
    proxy.on(sprint_path(kind), trickle=0.5, in_headers=in_headers)
    error, elapsed = timed(source.fetch_sprints)
    assert isinstance(error, UpstreamError)
    assert "no complete answer" in str(error) and "within 2s" in str(error)
    # Two attempts of 2 s each and one backoff (slept, not waited): far from a hung job.
    assert slept == [1.0] and elapsed < 20


def test_the_sync_deadline_cuts_a_request_short(kind: str, proxy: FaultProxy) -> None:
    slept: list[float] = []
    source = source_for(kind, proxy, slept, timeout=30, sync_timeout=2, max_retries=3)
    proxy.on(sprint_path(kind), trickle=0.5)
    error, elapsed = timed(source.fetch_sprints)
    assert "`sync_timeout`" in str(error) or "within 2s" in str(error)
    assert elapsed < 20


# -- pagination without end ----------------------------------------------------------------


def test_a_search_repeating_its_page_token_stops_on_the_second_page(
    jira_sim: JiraSimulator,
) -> None:
    first: list[Any] = []

    def same_page(answer: Any, path: str) -> Any:
        if not first:
            first.append({**answer, "nextPageToken": "again", "isLast": False})
        return first[0]

    with FaultProxy(jira_sim.url) as proxy:
        slept: list[float] = []
        source = jira_source(proxy.url, slept)
        sprints = source.fetch_sprints()
        proxy.on("/search/jql", transform=same_page)
        with pytest.raises(UpstreamError, match=r"page cursor it had sent before") as info:
            list(source.fetch_issues(sprints, None))
        searches = [r for r in proxy.requests if "/search/jql" in r]
    assert len(searches) == 2 and "the issue search (after 2 pages)" in str(info.value)


def test_a_sprint_list_that_ignores_start_at_and_never_says_last_stops(
    jira_sim: JiraSimulator,
) -> None:
    first: list[Any] = []

    def never_last(answer: Any, path: str) -> Any:
        if not first:
            first.append({**answer, "isLast": False})
        return first[0]

    with FaultProxy(jira_sim.url) as proxy:
        source = jira_source(proxy.url, [])
        proxy.on("/sprint", transform=never_last)
        with pytest.raises(UpstreamError, match=r"sprints of board \d+"):
            source.fetch_sprints()
        pages = [r for r in proxy.requests if "/sprint" in r]
    assert len(pages) <= 4


def replay_cycles(cursor: Callable[[], str]) -> Callable[[Any, str], Any]:
    """The first Cycles page again and again, each time with ``cursor()`` as next cursor."""
    first: list[Any] = []

    def transform(answer: Any, path: str) -> Any:
        if not first:
            first.append(answer)
        page = json.loads(json.dumps(first[0]))
        page["data"]["cycles"]["pageInfo"] = {"hasNextPage": True, "endCursor": cursor()}
        return page

    return transform


def test_a_linear_cursor_that_never_ends_stops(linear_sim: LinearSimulator) -> None:
    turn = iter(range(1_000_000))
    with FaultProxy(linear_sim.url) as proxy:
        source = linear_source(f"{proxy.url}/graphql", [])
        endless = replay_cycles(lambda: f"c{next(turn)}")
        proxy.on("/graphql", body_contains='"operationName":"Cycles"', transform=endless)
        with pytest.raises(UpstreamError, match=r"nothing new on it for the cycles"):
            source.fetch_sprints()
    assert len(proxy.requests) == 2


def test_a_linear_cursor_repeated_stops(linear_sim: LinearSimulator) -> None:
    with FaultProxy(linear_sim.url) as proxy:
        source = linear_source(f"{proxy.url}/graphql", [])
        same = replay_cycles(lambda: "same")
        proxy.on("/graphql", body_contains='"operationName":"Cycles"', transform=same)
        with pytest.raises(UpstreamError, match=r"for the cycles \(after 2 pages\)"):
            source.fetch_sprints()


# -- Linear: wait for the budget that ran out ------------------------------------------------


@pytest.mark.parametrize(
    ("requests_left", "points_left", "waited"),
    [(0, 2_000_000, 2.0), (2_000, 0, 40.0)],
    ids=["requests-ran-out", "points-ran-out"],
)
def test_linear_waits_for_the_reset_of_the_budget_that_ran_out(
    linear_sim: LinearSimulator, requests_left: int, points_left: int, waited: float
) -> None:
    # It used to wait for the later of the two resets (up to 900 s) even when only the
    # requests budget was spent and refilled in two seconds.
    now_ms = int(NOW.timestamp() * 1000)
    headers = {
        "X-RateLimit-Requests-Limit": "5000",
        "X-RateLimit-Requests-Remaining": str(requests_left),
        "X-RateLimit-Requests-Reset": str(now_ms + 2_000),
        "X-RateLimit-Complexity-Limit": "3000000",
        "X-RateLimit-Complexity-Remaining": str(points_left),
        "X-RateLimit-Complexity-Reset": str(now_ms + 40_000),
    }
    body = json.dumps(
        {"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]}
    ).encode()
    with FaultProxy(linear_sim.url) as proxy:
        slept: list[float] = []
        source = linear_source(f"{proxy.url}/graphql", slept)
        proxy.on("/graphql", status=400, body=body, headers=headers, count=1)
        assert source.fetch_sprints()
    assert slept == [waited]
