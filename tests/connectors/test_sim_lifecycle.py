"""Both simulators share one life cycle (start/stop/url/requests) and one fault vocabulary."""

from __future__ import annotations

import httpx
import pytest

from connectors.sim._loopback import FAULTS
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace

JIRA_STATUS = {"rate_limited": 429, "unavailable": 503, "server_error": 500, "auth": 401}
LINEAR_STATUS = {"rate_limited": 400, "unavailable": 503, "server_error": 500, "auth": 400}


def jira() -> JiraSimulator:
    return JiraSimulator(build_demo_workspace(), email=DEMO.email, token=DEMO.token)


def linear() -> LinearSimulator:
    return LinearSimulator(build_demo_linear_workspace(), api_key=LINEAR_DEMO.api_key)


def ask_jira(sim: JiraSimulator) -> httpx.Response:
    return httpx.get(f"{sim.url}/rest/api/2/myself", auth=(DEMO.email, DEMO.token))


def ask_linear(sim: LinearSimulator) -> httpx.Response:
    body = {"query": "query Viewer { viewer { id } }", "operationName": "Viewer"}
    return httpx.post(sim.url, json=body, headers={"Authorization": LINEAR_DEMO.api_key})


@pytest.mark.parametrize("make", [jira, linear])
def test_start_stop_and_url_are_the_same_for_both(make: object) -> None:
    sim = make()  # type: ignore[operator]
    with pytest.raises(RuntimeError, match="not running"):
        _ = sim.url
    assert sim.start() is sim and sim.start() is sim  # starting twice is harmless
    assert sim.url.startswith("http://127.0.0.1:")
    sim.stop()
    with pytest.raises(RuntimeError, match="not running"):
        _ = sim.url
    with sim as running:
        assert running is sim and sim.url


@pytest.mark.parametrize("fault", FAULTS)
def test_every_shared_fault_fails_the_next_request_then_stops(fault: str) -> None:
    with jira() as j, linear() as lin:
        j.fail_next(fault, retry_after=1)
        lin.fail_next(fault)
        assert ask_jira(j).status_code == JIRA_STATUS[fault]
        assert ask_linear(lin).status_code == LINEAR_STATUS[fault]
        assert ask_jira(j).status_code == 200
        assert ask_linear(lin).status_code == 200
        assert sum(j.requests.values()) == sum(lin.requests.values()) == 2
        j.reset_counts()
        lin.reset_counts()
        assert not j.requests and not lin.requests


def test_an_unknown_fault_is_refused_by_both() -> None:
    with pytest.raises(ValueError, match="rate_limited"):
        jira().fail_next("flaky")
    with pytest.raises(ValueError, match="rate_limited"):
        linear().fail_next("flaky")
