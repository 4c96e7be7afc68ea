"""The Linear client's auth, rate-limit and error handling.

Against the simulator wherever it can produce the wire shape; ``httpx.MockTransport`` only for
what a well-behaved server does not send (5xx, HTML bodies, bare 401s, timeouts)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.linear import queries
from connectors.linear.client import LinearClient, RateLimitState, authorization_header
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from tracker import clock
from tracker.errors import AuthError, RateLimited, UpstreamError

KEY = LINEAR_DEMO.api_key
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    clock.set_clock(lambda: NOW)
    yield
    clock.reset_clock()


@pytest.fixture
def sim() -> Iterator[LinearSimulator]:
    with LinearSimulator(build_demo_linear_workspace(), api_key=KEY) as server:
        yield server


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(url: str, token: str = KEY, *, transport: httpx.BaseTransport | None = None,
               sleep: Callable[[float], None] | None = None, retries: int = 3) -> LinearClient:  # fmt: skip
    return LinearClient(url, SecretStr(token), "LINEAR_API_KEY", timeout=5, max_retries=retries,
                        transport=transport, sleep=sleep if sleep is not None else Sleeps())  # fmt: skip


def viewer(client: LinearClient) -> dict[str, Any]:
    return client.execute(queries.VIEWER, "Viewer")


def test_authorization_header_forms() -> None:
    assert authorization_header("lin_api_abc") == "lin_api_abc"  # personal key: no Bearer
    assert authorization_header("lin_oauth_abc") == "Bearer lin_oauth_abc"
    assert authorization_header("Bearer lin_oauth_abc") == "Bearer lin_oauth_abc"


def test_personal_key_sent_raw(sim: LinearSimulator) -> None:
    assert viewer(client_for(sim.url))["viewer"]["email"] == "priya@acme.com"


def test_oauth_token_sent_with_bearer() -> None:
    with LinearSimulator(build_demo_linear_workspace(), api_key=KEY, oauth_token="tok123") as sim:
        assert viewer(client_for(sim.url, "tok123"))["viewer"]["name"] == "Priya Nair"


def test_rejected_key_is_auth_error_without_the_token(sim: LinearSimulator) -> None:
    with pytest.raises(AuthError) as caught:
        viewer(client_for(sim.url, "lin_api_wrongwrongwrong"))
    assert caught.value.message == (
        f"Linear rejected the API key for {sim.url}: check LINEAR_API_KEY"
    )
    assert "wrongwrong" not in str(caught.value)


def test_rate_limit_headers_read_on_every_response(sim: LinearSimulator) -> None:
    client = client_for(sim.url)
    client.execute(queries.TEAMS, "Teams", {"keys": ["ENG"], "first": 50})
    state = client.rate_limit
    assert state.requests_limit == 2500 and state.requests_remaining == 2499
    assert state.complexity == 70 and state.complexity_limit == 3_000_000
    assert state.requests_reset_ms is not None and state.requests_reset_ms > 10**12  # epoch ms
    assert client.stats.complexity == sim.complexity == 70
    assert client.stats.by_endpoint == {"POST graphql Teams": 1}


@pytest.mark.parametrize("kind", ["ratelimited", "http429"])
def test_rate_limited_waits_until_reset_then_retries(sim: LinearSimulator, kind: str) -> None:
    sleeps = Sleeps()
    sim.fail_next(kind)
    assert viewer(client_for(sim.url, sleep=sleeps))["viewer"]["id"]
    # The simulator says: reset in 2 s (epoch-ms header) or Retry-After: 2; plus <1 s jitter.
    assert len(sleeps) == 1 and 2.0 <= sleeps[0] < 3.0
    assert sim.requests["Viewer"] == 2


def test_still_rate_limited_after_retries(sim: LinearSimulator) -> None:
    sleeps = Sleeps()
    sim.fail_next("ratelimited", count=5)
    with pytest.raises(RateLimited, match="still rate limited after 2 waits"):
        viewer(client_for(sim.url, sleep=sleeps, retries=2))
    assert len(sleeps) == 2 and sim.requests["Viewer"] == 3


def test_a_budget_of_one_request_an_hour_fails_at_once_instead_of_pacing_an_hour() -> None:
    # "limit 1, remaining 0" used to pace 3,600 s before every query: a cron job hung for
    # hours. Past `max_wait` the source now fails with one line, having slept nothing.
    ws = build_demo_linear_workspace()
    with LinearSimulator(ws, api_key=KEY, requests_per_hour=1) as sim:
        sleeps = Sleeps()
        client = client_for(sim.url, sleep=sleeps, retries=1)
        viewer(client)
        with pytest.raises(RateLimited, match=r"asks to wait 60 min before Viewer.*`max_wait`"):
            viewer(client)
        assert list(sleeps) == [] and sim.rate_limited == {} and sim.requests["Viewer"] == 1


def test_graphql_errors_on_http_200_are_upstream_errors(sim: LinearSimulator) -> None:
    sim.fail_next("graphql_error")
    with pytest.raises(UpstreamError, match=r"Linear returned an error for Viewer at .*Internal"):
        viewer(client_for(sim.url))


def test_invalid_document_message_is_shown(sim: LinearSimulator) -> None:
    with pytest.raises(UpstreamError, match="Cannot query field 'nope'"):
        client_for(sim.url).execute("query Bad { viewer { nope } }", "Bad")


def test_missing_entity_error_names_the_path(sim: LinearSimulator) -> None:
    with pytest.raises(UpstreamError, match=r"Could not find referenced Issue\. \(at issue\)"):
        client_for(sim.url).execute(
            queries.ISSUE_HISTORY_PAGE, "IssueHistoryPage", {"id": "ENG-999", "first": 5}
        )


def test_unreachable_url_names_it() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/graphql"
    with pytest.raises(UpstreamError, match=f"cannot reach Linear at {url}"):
        viewer(client_for(url))


def test_token_never_logged(sim: LinearSimulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sim.fail_next("ratelimited")
    viewer(client_for(sim.url))
    assert "linear Viewer" in caplog.text
    assert KEY not in caplog.text


# -- shapes the simulator does not send --------------------------------------------------------


def mock(*responses: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handler), seen


URL = "https://api.linear.app/graphql"
OK = httpx.Response(200, json={"data": {"viewer": {"id": "u1"}}}, headers={"X-Complexity": "2"})


def test_server_errors_are_retried_with_backoff() -> None:
    transport, seen = mock(httpx.Response(502, text="Bad gateway"), OK)
    sleeps = Sleeps()
    assert viewer(client_for(URL, transport=transport, sleep=sleeps)) == {"viewer": {"id": "u1"}}
    assert len(seen) == 2 and len(sleeps) == 1
    assert seen[0].headers["Authorization"] == KEY


def test_persistent_server_errors_give_up() -> None:
    transport, _ = mock(*[httpx.Response(503) for _ in range(3)])
    with pytest.raises(UpstreamError, match="kept failing \\(HTTP 503\\)"):
        viewer(client_for(URL, transport=transport, retries=2))


def test_timeouts_are_retried_then_reported() -> None:
    transport, _ = mock(httpx.ReadTimeout("timed out"), OK)
    assert viewer(client_for(URL, transport=transport))["viewer"]["id"] == "u1"
    transport, _ = mock(*[httpx.ReadTimeout("timed out") for _ in range(2)])
    with pytest.raises(UpstreamError, match="did not answer Viewer"):
        viewer(client_for(URL, transport=transport, retries=1))


def test_html_body_is_an_upstream_error() -> None:
    transport, _ = mock(httpx.Response(200, text="<html>captive portal</html>"))
    with pytest.raises(UpstreamError, match="no GraphQL data: check the url"):
        viewer(client_for(URL, transport=transport))


def test_bare_401_is_auth_error() -> None:
    transport, _ = mock(httpx.Response(401, text=""))
    with pytest.raises(AuthError, match="check LINEAR_API_KEY"):
        viewer(client_for(URL, transport=transport))


def test_ratelimited_by_extension_type_only() -> None:
    limited = httpx.Response(
        400,
        json={"errors": [{"message": "slow down", "extensions": {"type": "ratelimited"}}]},
        headers={"X-RateLimit-Requests-Reset": str(int(NOW.timestamp() * 1000) + 30_000)},
    )
    transport, _ = mock(limited, OK)
    sleeps = Sleeps()
    viewer(client_for(URL, transport=transport, sleep=sleeps))
    assert 30.0 <= sleeps[0] < 31.0


def test_a_reset_far_away_fails_at_once_with_one_line() -> None:
    headers = {"X-RateLimit-Complexity-Reset": str(int(NOW.timestamp() * 1000) + 7_200_000)}
    limited = httpx.Response(429, json={"errors": [{"message": "x"}]}, headers=headers)
    transport, seen = mock(limited, OK)
    sleeps = Sleeps()
    with pytest.raises(RateLimited, match=r"asks to wait 2.0 h before Viewer") as info:
        viewer(client_for(URL, transport=transport, sleep=sleeps))
    assert list(sleeps) == [] and len(seen) == 1 and "\n" not in str(info.value)


def test_rate_limit_state_parses_headers() -> None:
    state = RateLimitState.from_headers(
        httpx.Headers({"x-complexity": "2", "x-ratelimit-requests-reset": "1787794489969",
                       "x-ratelimit-complexity-reset": "1787794400000", "x-ratelimit-requests-limit": "junk"})
    )  # fmt: skip
    assert state.complexity == 2 and state.requests_limit is None
    assert state.latest_reset_ms() == 1787794489969
