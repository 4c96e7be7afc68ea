"""The request floor (benchmarks.floor) on hand-sized inputs, and two checks against the
simulator: a real sync never beats the floor, and the naive client's predicted request
count is what it really makes."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of scripts, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.floor import IssueShape, Limits, compute_floor, workspace_floor  # noqa: E402
from benchmarks.jira_scale import ScaleSpec, build_scale_workspace  # noqa: E402
from benchmarks.naive import NaiveClient, predict_naive  # noqa: E402
from benchmarks.sync_bench import jira_config  # noqa: E402
from connectors.jira.source import JiraSource  # noqa: E402
from connectors.sim.jira import JiraSimulator  # noqa: E402
from tracker.store import Store  # noqa: E402
from tracker.sync import sync_source  # noqa: E402


def test_floor_of_three_issues_by_hand() -> None:
    shapes = [
        IssueShape(histories=5, comments=25, ac_changes=1, remote_link_items=1),
        IssueShape(histories=12_000, comments=0, ac_changes=0, remote_link_items=1),
        IssueShape(histories=0, comments=130, ac_changes=2),
    ]
    floor = compute_floor(shapes, [3, 51])
    # serverInfo + field, then per board its project and its sprint pages (1, then 2)
    assert floor.setup == 2 + (1 + 1) + (1 + 2)
    assert floor.search == 1
    # Every history (none is told apart here) filtered: 12,005 in one call of 3 issues, two
    # pages of 10,000; then unfiltered for the two with AC changes: 5 histories, one page.
    assert (floor.bulk_judged, floor.bulk_full, floor.bulk) == (2, 1, 3)
    assert floor.comments == 1 + 2  # beyond the 20 inlined: 5 -> 1 page, 110 -> 2 pages
    assert floor.remote_links == 1  # the second issue has no AC change to explain
    assert floor.changelogs == 0
    assert floor.total == 7 + 1 + 3 + 3 + 1


def test_nothing_to_read_costs_setup_and_one_search() -> None:
    floor = compute_floor([], [1])
    assert floor.as_dict() == {
        "setup": 4,
        "search": 1,
        "bulk": 0,
        "comments": 0,
        "remote_links": 0,
        "changelogs": 0,
        "total": 5,
    }


def test_bulk_calls_are_chunked_by_issue_count_and_paged_by_entries() -> None:
    shapes = [IssueShape(histories=1, comments=0)] * 1001
    assert compute_floor(shapes, [1]).bulk == 2
    assert compute_floor(shapes, [1]).search == 11
    small = Limits(bulk_issues=2, bulk_page=3)
    shapes = [IssueShape(histories=4, comments=0)] * 3  # chunks of 8 and 4 histories
    assert compute_floor(shapes, [1], small).bulk == 3 + 2


def test_the_server_grant_pages_both_passes() -> None:
    shapes = [IssueShape(histories=250, comments=0, ac_changes=1, judged_histories=30)] * 10
    granted = compute_floor(shapes, [1], Limits(bulk_page=100))
    assert (granted.bulk_judged, granted.bulk_full) == (3, 25)  # 300 and 2,500 histories
    assert compute_floor(shapes, [1]).bulk == 1 + 1


def test_warm_setup_is_the_sprint_pages_alone() -> None:
    assert compute_floor([], [3, 51], warm=True).setup == 1 + 2
    assert compute_floor([], [3, 51], warm=True).total == 3 + 1


def test_a_history_cap_makes_per_issue_changelog_pages() -> None:
    limits = Limits(bulk_history_cap=100)
    shapes = [IssueShape(histories=250, comments=0), IssueShape(histories=100, comments=0)]
    assert compute_floor(shapes, [1], limits).changelogs == 2


def test_a_real_sync_never_beats_the_floor(tmp_path: Path) -> None:
    ws, facts = build_scale_workspace(ScaleSpec.sized(120, seed=2))
    floor = workspace_floor(ws, facts.boards)
    assert floor.search == 2
    with JiraSimulator(ws, email=facts.email, token=facts.token) as sim:
        store = Store(f"sqlite:///{tmp_path / 't.db'}")
        source = JiraSource(jira_config(sim.url, facts, 2))
        result = sync_source(store, source, url=sim.url)
        source.close()
        store.close()
        assert result.issues == 120
        assert sum(sim.requests.values()) >= floor.total


def test_the_naive_prediction_matches_the_naive_client() -> None:
    ws, facts = build_scale_workspace(ScaleSpec.sized(60, seed=5))
    predicted, _, _ = predict_naive(ws, facts.boards)
    with JiraSimulator(ws, email=facts.email, token=facts.token) as sim:
        client = NaiveClient(sim.url, facts.email, facts.token, concurrency=2)
        seen = client.fetch(facts.boards)
        client.close()
        assert seen.issues == sum(1 for i in ws.issues.values() if i.sprint_ids)
        assert sum(sim.requests.values()) == predicted
