"""JiraSource's overlapping requests: the bound on requests in flight, the same pages in
the same order at any concurrency, a 429 pausing every thread, and a clean early stop."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

import connectors.jira._history as jira_history
import connectors.jira.source as jira_source
from benchmarks.jira_scale import ScaleFacts, ScaleSpec, build_scale_workspace
from connectors.jira import JiraSource
from connectors.jira._pipeline import prefetch
from connectors.sim.jira import JiraSimulator, JiraWorkspace
from tracker.config import JiraSourceConfig
from tracker.domain import IssueBundle
from tracker.errors import UpstreamError

NOW = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def site() -> tuple[JiraWorkspace, ScaleFacts]:
    return build_scale_workspace(ScaleSpec.sized(300, seed=3))


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scale site's proportions in miniature: 15 search pages of 20 issues, 60
    issues a bulk changelog call, so the three request chains have room to overlap."""
    monkeypatch.setattr(jira_source, "_SEARCH_PAGE", 20)
    monkeypatch.setattr(jira_source, "BULK_MAX_ISSUES", 60)
    monkeypatch.setattr(jira_source, "_AHEAD_ISSUES", 120)
    monkeypatch.setattr(jira_history, "BULK_MAX_ISSUES", 60)


def make_source(
    sim: JiraSimulator,
    facts: ScaleFacts,
    concurrency: int,
    sleep: Callable[[float], None] = lambda _: None,
) -> JiraSource:
    config = JiraSourceConfig(
        name="scale", type="jira", url=sim.url, token_env="SCALE_JIRA_TOKEN",
        email=facts.email if sim.flavour == "cloud" else None, boards=list(facts.boards),
        concurrency=concurrency, max_retries=2, token=SecretStr(facts.token),
    )  # fmt: skip
    return JiraSource(config, clock=lambda: NOW, sleep=sleep)


def full_sync(sim: JiraSimulator, facts: ScaleFacts, concurrency: int) -> list[list[IssueBundle]]:
    source = make_source(sim, facts, concurrency)
    try:
        return list(source.fetch_issues(source.fetch_sprints(), None))
    finally:
        source.close()


def jira_threads() -> list[str]:
    """The source's own threads (the prefetch test names its thread alike)."""
    prefixes = ("jira-search", "jira-histories", "jira-details", "jira-test")
    return [t.name for t in threading.enumerate() if t.name.startswith(prefixes)]


@pytest.mark.parametrize("concurrency", [1, 2, 4])
def test_requests_in_flight_never_exceed_concurrency(
    site: tuple[JiraWorkspace, ScaleFacts], concurrency: int
) -> None:
    ws, facts = site
    with JiraSimulator(ws, email=facts.email, token=facts.token, latency=0.01) as sim:
        pages = full_sync(sim, facts, concurrency)
        assert sum(len(p) for p in pages) == 300
        assert sim.max_in_flight <= concurrency
        if concurrency > 1:  # the chains did overlap
            assert sim.max_in_flight > 1


@pytest.mark.parametrize("flavour", ["cloud", "server"])
def test_same_pages_in_the_same_order_and_requests_at_concurrency_1_and_4(
    site: tuple[JiraWorkspace, ScaleFacts], flavour: str
) -> None:
    ws, facts = site
    runs = []
    with JiraSimulator(ws, flavour, email=facts.email, token=facts.token) as sim:  # type: ignore[arg-type]
        for concurrency in (1, 4):
            sim.reset_counts()
            runs.append((full_sync(sim, facts, concurrency), sim.requests.copy()))
    (alone, alone_requests), (overlapped, overlapped_requests) = runs
    assert [len(p) for p in alone] == [20] * 15
    assert overlapped == alone
    assert overlapped_requests == alone_requests


def test_without_bulkfetch_batches_fall_back_after_one_404(
    site: tuple[JiraWorkspace, ScaleFacts], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, facts = site
    fetcher = jira_history.HistoryFetcher
    fetch, bulkfetch = fetcher.fetch, fetcher._bulkfetch
    entered: list[int] = []
    two_batches = threading.Event()

    def counting_fetch(self: Any, issues: Any, field_ids: Any = ()) -> Any:
        entered.append(len(issues))
        if len(entered) >= 2:
            two_batches.set()
        return fetch(self, issues, field_ids)

    def late_bulkfetch(self: Any, issues: Any, field_ids: Any) -> Any:
        two_batches.wait(5)  # the first bulk call is answered once a second batch is due
        return bulkfetch(self, issues, field_ids)

    with JiraSimulator(ws, email=facts.email, token=facts.token) as sim:
        expected = full_sync(sim, facts, 4)
        sim.reset_counts()
        sim.fail_next(status=404, retry_after=None, count=1, path_contains="bulkfetch")
        monkeypatch.setattr(fetcher, "fetch", counting_fetch)
        monkeypatch.setattr(fetcher, "_bulkfetch", late_bulkfetch)
        pages = full_sync(sim, facts, 4)
        assert two_batches.is_set()
        # the second batch waited for the first one's 404 instead of asking again
        assert sim.requests["POST /rest/api/2/changelog/bulkfetch"] == 1
        assert sim.requests["GET /rest/api/2/issue/{key}/changelog"] >= 300
    # Per issue, every history comes anyway, so links of issues whose AC never changed in
    # a sprint are dated too (the bulk route leaves them undated: nothing is judged there).
    assert [[_undated(b) for b in p] for p in pages] == [[_undated(b) for b in p] for p in expected]


def _undated(bundle: IssueBundle) -> IssueBundle:
    links = tuple(dataclasses.replace(x, added_at=None, added_by=None) for x in bundle.links)
    return dataclasses.replace(bundle, links=links)


def test_a_failing_search_page_ends_the_sync_after_the_pages_before_it(
    site: tuple[JiraWorkspace, ScaleFacts], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jira_source, "BULK_MAX_ISSUES", 20)  # a batch is one page
    ws, facts = site
    with JiraSimulator(ws, email=facts.email, token=facts.token) as sim:
        source = make_source(sim, facts, 4)
        sprints = source.fetch_sprints()
        sim.fail_next(status=500, retry_after=None, count=10, path_contains="nextPageToken")
        pages = []
        with pytest.raises(UpstreamError, match="issue search"):
            for page in source.fetch_issues(sprints, None):
                pages.append(page)
        source.close()
    assert [len(p) for p in pages] == [20]  # the first page, then the search's error
    assert not jira_threads()


def test_leaving_early_stops_every_thread_and_request(
    site: tuple[JiraWorkspace, ScaleFacts],
) -> None:
    ws, facts = site
    with JiraSimulator(ws, email=facts.email, token=facts.token, latency=0.005) as sim:
        source = make_source(sim, facts, 4)
        pages = source.fetch_issues(source.fetch_sprints(), None)
        assert isinstance(pages, Generator)  # so that it can be closed half-read
        assert len(next(pages)) == 20
        pages.close()
        assert not jira_threads()
        made = sum(sim.requests.values())
        # the search stopped within the batch being read, the two waiting (120 issues
        # ahead) and the one its thread held: 4 batches of 3 pages
        assert sim.requests["GET /rest/api/2/search/jql"] <= (60 + 120 + 60) // 20
        source.close()
        assert sum(sim.requests.values()) == made


def test_a_429_holds_back_the_other_threads_until_its_wait_is_over(
    site: tuple[JiraWorkspace, ScaleFacts],
) -> None:
    ws, facts = site
    asleep, wake = threading.Event(), threading.Event()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        asleep.set()
        wake.wait(10)

    with JiraSimulator(ws, email=facts.email, token=facts.token) as sim:
        source = make_source(sim, facts, 4, sleep)
        sim.fail_next(status=429, retry_after=5, count=1, path_contains="/myself")
        first = threading.Thread(target=source.client.get, args=("myself",))
        first.start()
        assert asleep.wait(10)
        other = threading.Thread(target=source.client.deployment)
        other.start()
        other.join(0.3)
        assert other.is_alive() and sim.requests["GET /rest/api/2/serverInfo"] == 0
        wake.set()
        first.join(10)
        other.join(10)
        assert sim.requests["GET /rest/api/2/serverInfo"] == 1
        assert sim.requests["GET /rest/api/2/myself"] == 2
        assert slept == [5.0]
        source.close()


def test_the_simulator_counts_requests_in_flight(site: tuple[JiraWorkspace, ScaleFacts]) -> None:
    ws, facts = site
    with JiraSimulator(ws, email=facts.email, token=facts.token, latency=0.3) as sim:
        source = make_source(sim, facts, 3)
        threads = [threading.Thread(target=source.client.deployment) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert sim.max_in_flight == 3
        for _ in range(200):  # a handler counts itself out just after its answer is sent
            if not sim.in_flight:
                break
            threading.Event().wait(0.01)
        sim.reset_counts()
        assert sim.in_flight == sim.max_in_flight == 0 and not sim.requests
        source.close()


# -- prefetch -------------------------------------------------------------------------------


def counted(limit: int, produced: list[int], fail_at: int | None = None) -> Iterator[int]:
    for n in range(limit):
        if n == fail_at:
            raise ValueError(f"item {n}")
        produced.append(n)
        yield n


def test_prefetch_keeps_order_and_raises_in_place() -> None:
    produced: list[int] = []
    got = []
    with (
        pytest.raises(ValueError, match="item 5"),
        prefetch(counted(10, produced, fail_at=5), 2) as items,
    ):
        for item in items:
            got.append(item)
    assert got == [0, 1, 2, 3, 4]


def test_prefetch_runs_at_most_ahead_then_stops_when_left() -> None:
    produced: list[int] = []
    with prefetch(counted(1000, produced), 3, "jira-test") as items:
        assert next(items) == 0
        for _ in range(100):
            if len(produced) >= 5:
                break
            threading.Event().wait(0.01)
        # the one taken, three waiting, one more the thread holds while it waits
        assert len(produced) <= 5
    assert len(produced) <= 5 and not jira_threads()
