"""Retry policy, endpoint labels and the search query: pure parts of the client."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from connectors.base import RequestStats
from connectors.jira._jql import build_issue_jql, jql_since
from connectors.jira.client import JiraClient, endpoint_label
from connectors.retry import backoff, parse_reset_time, parse_retry_after
from tracker.config import JiraSourceConfig
from tracker.errors import UpstreamError

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("7", NOW) == 7.0
    assert parse_retry_after("Sat, 01 Mar 2025 12:00:30 GMT", NOW) == 30.0
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", NOW) == 0.0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_rate_limit_reset_iso_minutes() -> None:
    assert parse_reset_time("2025-03-01T12:02Z", NOW) == 120.0
    assert parse_reset_time("garbage", NOW) is None


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n) for n in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff(30) == 60.0


@pytest.mark.parametrize(
    ("method", "url", "label"),
    [
        (
            "GET",
            "http://h:1/rest/api/2/issue/PAY-7/comment?startAt=0",
            "GET /rest/api/2/issue/{key}/comment",
        ),
        (
            "GET",
            "http://h:1/rest/api/2/issue/PAY-7?expand=changelog",
            "GET /rest/api/2/issue/{key}",
        ),
        (
            "GET",
            "https://acme.atlassian.net/rest/agile/1.0/board/7/sprint",
            "GET /rest/agile/1.0/board/{id}/sprint",
        ),
        ("post", "http://h/rest/api/2/changelog/bulkfetch", "POST /rest/api/2/changelog/bulkfetch"),
        ("GET", "http://h/rest/api/2/search/jql?jql=x", "GET /rest/api/2/search/jql"),
    ],
)
def test_endpoint_labels(method: str, url: str, label: str) -> None:
    assert endpoint_label(method, url) == label


def test_jql_full_with_removed_issue_clause() -> None:
    now = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    jql = build_issue_jql(
        ["41", "42"], ["PAY", "my-proj"], datetime(2025, 3, 3, 9, 30, tzinfo=UTC), None, now
    )
    assert jql == (
        '(sprint in (41, 42) OR (project in (PAY, "my-proj") AND updated >= "-1442m"))'
        " ORDER BY updated ASC, key ASC"
    )


def test_jql_incremental_bound_is_relative_to_the_servers_clock_in_whole_minutes() -> None:
    since = datetime(2025, 3, 10, 8, 15, 59, tzinfo=UTC)
    now = datetime(2025, 3, 10, 9, 45, 0, tzinfo=UTC)
    jql = build_issue_jql(["42"], [], None, since, now)
    # 89 min 1 s back, plus 2 min of slack for clock skew, rounded up to whole minutes:
    # no time zone is involved, and the bound never falls after `since`.
    assert jql == 'sprint in (42) AND updated >= "-92m" ORDER BY updated ASC, key ASC'
    assert jql_since(since, since) == '"-2m"'
    assert jql_since(now, since) == '"-0m"'  # a cursor ahead of the clock reads from now


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_url_retries_then_says_check_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    config = JiraSourceConfig(
        name="j",
        type="jira",
        url=url,
        email="a@b.c",
        token_env="JIRA_API_TOKEN",
        boards=[7],
        token=SecretStr("s3cret-value"),
        max_retries=2,
        timeout=2,
    )
    slept: list[float] = []
    stats = RequestStats()
    client = JiraClient(config, stats, sleep=slept.append, now=lambda: NOW)
    with pytest.raises(UpstreamError) as info:
        client.deployment()
    message = str(info.value)
    assert message.startswith(f"cannot reach {url}: connection refused")
    assert "check `url`" in message and "s3cret" not in message
    assert slept == [1.0, 2.0]
    assert stats.by_endpoint["GET /rest/api/2/serverInfo"] == 3


def test_every_request_has_the_configured_timeout() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        config = JiraSourceConfig(
            name="j", type="jira", url=url, token_env="JIRA_API_TOKEN", boards=[7],
            token=SecretStr("pat"), max_retries=1, timeout=0.2,
        )  # fmt: skip
        slept: list[float] = []
        client = JiraClient(config, RequestStats(), sleep=slept.append, now=lambda: NOW)
        # The read timeout or the whole-answer deadline, whichever fires first.
        with pytest.raises(UpstreamError, match=r"no (complete )?answer .*within 0.2s"):
            client.get("myself")
    assert slept == [1.0]
