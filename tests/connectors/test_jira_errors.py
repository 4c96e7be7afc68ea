"""HTTP failures against the simulator: retries through the injected sleep, one clear error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_jira_source import make_source

from connectors.jira._history import HistoryFetcher
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from tracker.errors import AuthError, RateLimited, UpstreamError


@pytest.fixture(scope="module", params=["cloud", "server"])
def sim(request: pytest.FixtureRequest) -> Iterator[JiraSimulator]:
    with JiraSimulator(build_demo_workspace(), flavour=request.param) as running:
        yield running


def assert_clean(message: str) -> None:
    assert DEMO.token not in message and "Basic " not in message and "Bearer" not in message
    assert "\n" not in message


def test_401_names_the_url_and_the_token_variable(sim: JiraSimulator) -> None:
    source, slept = make_source(sim, token="wrong-token")
    with pytest.raises(AuthError) as info:
        source.fetch_sprints()
    assert (
        str(info.value) == f"Jira rejected the token for {sim.url} (HTTP 401): check JIRA_API_TOKEN"
    )
    assert slept == []  # a rejected token is not retried
    assert_clean(str(info.value))


def test_401_in_doctor_is_a_failed_check_with_the_fix(sim: JiraSimulator) -> None:
    source, _ = make_source(sim, token="wrong-token")
    checks = source.check()
    assert [c.ok for c in checks] == [True, False]
    assert checks[-1].fix == "check JIRA_API_TOKEN"


def test_403_says_which_board(sim: JiraSimulator) -> None:
    source, _ = make_source(sim)
    sim.fail_next(status=403, retry_after=None, path_contains="/board/7/sprint")
    with pytest.raises(AuthError, match=r"sprints of board 7 .*HTTP 403.*permission") as info:
        source.fetch_sprints()
    assert_clean(str(info.value))


def test_404_board_says_check_boards(sim: JiraSimulator) -> None:
    source, _ = make_source(sim, boards=[7, 404])
    with pytest.raises(UpstreamError, match=r"board 404 .*check `boards` in tracker.toml"):
        source.fetch_sprints()
    checks = {c.what: c for c in source.check()}
    assert not checks["board 404"].ok and "`boards`" in checks["board 404"].fix
    assert checks["board 7"].ok


def test_429_waits_as_told_then_succeeds(sim: JiraSimulator) -> None:
    source, slept = make_source(sim)
    sim.fail_next(status=429, retry_after=7, count=2, path_contains="/sprint")
    assert source.fetch_sprints()
    assert slept == [7.0, 7.0]
    assert source.stats.by_endpoint["GET /rest/agile/1.0/board/{id}/sprint"] == 4


def test_429_after_retries_is_rate_limited(sim: JiraSimulator) -> None:
    source, slept = make_source(sim, max_retries=2)
    sim.fail_next(status=429, retry_after=1, count=3, path_contains="/sprint")
    with pytest.raises(RateLimited, match="still rate limits") as info:
        source.fetch_sprints()
    assert slept == [1.0, 1.0]
    assert_clean(str(info.value))


def test_503_with_and_without_retry_after(sim: JiraSimulator) -> None:
    source, slept = make_source(sim)
    sim.fail_next(status=503, retry_after=3, count=1, path_contains="/field")
    sim.fail_next(status=503, retry_after=None, count=1, path_contains="/field")
    assert source.fields().text.name == "Acceptance Criteria"
    assert slept == [3.0, 2.0]  # told 3 s, then exponential backoff (attempt 2)


def test_5xx_after_retries_is_one_upstream_error(sim: JiraSimulator) -> None:
    source, slept = make_source(sim, max_retries=2)
    sim.fail_next(status=500, retry_after=None, count=3, path_contains="serverInfo")
    with pytest.raises(
        UpstreamError, match=r"failed serverInfo with HTTP 500 after 2 retries"
    ) as info:
        source.client.deployment()
    assert slept == [1.0, 2.0]
    assert source.stats.by_endpoint["GET /rest/api/2/serverInfo"] == 3
    assert_clean(str(info.value))


def test_transient_500_is_retried(sim: JiraSimulator) -> None:
    source, slept = make_source(sim)
    sim.fail_next(status=502, retry_after=None, count=1, path_contains="/search")
    sprints = source.fetch_sprints()
    pages = list(source.fetch_issues([s for s in sprints if s.id == "42"], None))
    assert pages and slept == [1.0]


def test_bulkfetch_unavailable_falls_back_to_paging_per_issue() -> None:
    with JiraSimulator(build_demo_workspace(), flavour="cloud") as sim:
        source, _ = make_source(sim)
        sim.fail_next(status=404, retry_after=None, path_contains="bulkfetch")
        sprints = [s for s in source.fetch_sprints() if s.id == "42"]
        bundles = {b.issue.key: b for page in source.fetch_issues(sprints, None) for b in page}
    stats = source.stats.by_endpoint
    assert stats["POST /rest/api/2/changelog/bulkfetch"] == 1  # tried once, not per page
    assert stats["GET /rest/api/2/issue/{key}/changelog"] > len(bundles)  # PAY-120 needs 2 pages
    assert len(bundles["PAY-120"].revisions) == 1


def test_server_rereads_a_truncated_inline_changelog() -> None:
    with JiraSimulator(build_demo_workspace(), flavour="server") as sim:
        source, _ = make_source(sim)
        fetcher = HistoryFetcher(source.client, cloud=False)
        truncated = {
            "id": "1",
            "key": "PAY-120",
            "changelog": {"startAt": 0, "maxResults": 1, "total": 999, "histories": []},
        }
        found, complete = fetcher.fetch([truncated])
    histories = found["1"]
    assert complete and len(histories) > 100
    assert source.stats.by_endpoint == {"GET /rest/api/2/issue/{key}": 1}
