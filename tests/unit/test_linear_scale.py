"""The Linear scale generator (benchmarks.linear_scale) and the Linear request floor
(benchmarks.linear_bench) on tiny sizes, plus one real sync that must not beat the floor."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of scripts, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.linear_bench import (  # noqa: E402
    LinearIssueShape,
    LinearLimits,
    compute_linear_floor,
    issue_pages,
    max_issue_page,
    run_linear,
    workspace_floor,
    workspace_shapes,
)
from benchmarks.linear_scale import (  # noqa: E402
    LinearScaleSpec,
    ac_of,
    apply_nightly_changes,
    build_linear_scale_workspace,
    latest_description,
)
from connectors.linear import queries  # noqa: E402

# -- the floor, by hand ------------------------------------------------------------------


# Page sizes pinned here, so the arithmetic is tested and not the connector's choices.
HAND = LinearLimits(
    issue_page=3,
    incremental_page=1,
    history_inline=25,
    comment_inline=25,
    attachment_inline=10,
    relation_inline=10,
    label_inline=3,
    follow_up_page=100,
)


def test_first_sync_floor_by_hand() -> None:
    shapes = [
        LinearIssueShape(history=26, comments=3),  # 1 history beyond the 25 inlined
        LinearIssueShape(comments=230, attachments=10),  # 205 beyond: 3 pages of 100
        LinearIssueShape(relations=11, inverse_relations=12),  # 1 + 1
        LinearIssueShape(labels=4, far_labels=(3, 5)),  # its own labels, one far end's: 1 + 1
    ]
    floor = compute_linear_floor(shapes, 51, incremental=False, limits=HAND)
    assert floor.as_dict() == {
        "cycles": 2,  # 51 cycles, 50 a page
        "discovery": 0,  # a first sync has no bookmark to scan from
        "issues": 2,  # 4 issues, 3 a page
        "follow_ups": 1 + 3 + 2 + 2,
        "total": 12,
    }


def test_incremental_issue_pages_start_small_and_double() -> None:
    # 1, 2, then 3 a page (the cap): 1 + 2 + 3 + 3 = 9 issues in 4 requests.
    assert [issue_pages(n, incremental=True, limits=HAND) for n in (0, 1, 2, 3, 6, 9, 10)] == [
        1, 1, 2, 2, 3, 4, 5,
    ]  # fmt: skip
    assert [issue_pages(n, incremental=False, limits=HAND) for n in (0, 3, 4)] == [1, 1, 2]


def test_nothing_to_read_still_costs_one_request_each() -> None:
    floor = compute_linear_floor([], 0, incremental=True)
    assert floor.as_dict() == {
        "cycles": 1,
        "discovery": 1,  # one DiscussionSince: the first page of comments and attachments
        "issues": 1,  # one IssuesPage to learn that nothing changed
        "follow_ups": 0,
        "total": 3,
    }


def test_discovery_pages_by_scan_page() -> None:
    limits = LinearLimits(scan_page=10)
    floor = compute_linear_floor(
        [], 1, incremental=True, comments_since=21, attachments_since=10, limits=limits
    )
    # one DiscussionSince (both first pages), then comments' pages 2 and 3 on their own
    assert floor.discovery == 1 + 2 + 0


def test_default_limits_are_the_connectors_page_sizes() -> None:
    limits = LinearLimits()
    assert (
        limits.issue_page,
        limits.incremental_page,
        limits.history_inline,
        limits.label_inline,
        limits.follow_up_page,
    ) == (
        queries.ISSUE_PAGE,
        queries.INCREMENTAL_PAGE,
        queries.HISTORY_PAGE,
        queries.LABEL_PAGE,
        queries.FOLLOW_UP_PAGE,
    )
    shapes = [LinearIssueShape()] * (queries.ISSUE_PAGE + 1)
    assert compute_linear_floor(shapes, 1, incremental=False).issues == 2


def test_max_issue_page_is_bounded_by_the_complexity_ceiling() -> None:
    best = max_issue_page()
    assert best >= queries.ISSUE_PAGE  # the connector's page fits
    assert max_issue_page(ceiling=best * 100) < best  # a lower ceiling fits fewer issues
    assert max_issue_page(ceiling=1) == 0


# -- the generator -------------------------------------------------------------------------


def test_generator_is_deterministic_and_sized() -> None:
    spec = LinearScaleSpec.sized(60, seed=3)
    ws, facts = build_linear_scale_workspace(spec)
    again, _ = build_linear_scale_workspace(spec)
    assert len(ws.issues) == 60 and facts.team == "SCL" and facts.cycles == 2
    assert [i.descriptions for i in ws.issues] == [i.descriptions for i in again.issues]
    assert [h.id for h in ws.history] == [h.id for h in again.history]
    other, _ = build_linear_scale_workspace(LinearScaleSpec.sized(60, seed=4))
    assert [i.descriptions for i in ws.issues] != [i.descriptions for i in other.issues]


def test_generated_history_has_every_kind_of_entry() -> None:
    ws, _ = build_linear_scale_workspace(LinearScaleSpec.sized(300, seed=5))
    kinds = Counter(
        "description"
        if h.updated_description
        else "cycle"
        if h.from_cycle or h.to_cycle
        else "relation"
        for h in ws.history
    )
    assert kinds["description"] > 300 and kinds["cycle"] > 50 and kinds["relation"] > 0
    assert any(h.to_cycle and h.actor is None and h.bot is None for h in ws.history)  # roll-over
    assert ws.comments and ws.attachments and ws.relations
    for issue in ws.issues:
        assert ac_of(latest_description(issue)), issue.identifier
    # Nothing happens after the workspace's moment, and everything is in one team.
    assert all(max(i.bumps) <= ws.now for i in ws.issues)
    assert {i.team.key for i in ws.issues} == {"SCL"}


def test_long_tails_overflow_what_a_page_inlines() -> None:
    ws, _ = build_linear_scale_workspace(LinearScaleSpec.sized(500, seed=1))
    shapes = workspace_shapes(ws)
    assert any(s.history > queries.HISTORY_PAGE for s in shapes)
    assert any(s.comments > queries.COMMENT_PAGE for s in shapes)
    assert any(s.attachments > queries.ATTACHMENT_PAGE for s in shapes)
    assert workspace_floor(ws).follow_ups > 0


def test_nightly_changes_touch_exactly_the_returned_issues() -> None:
    ws, _ = build_linear_scale_workspace(LinearScaleSpec.sized(200, seed=2))
    at = ws.now + timedelta(hours=6)
    before = {i.identifier: (len(i.descriptions), len(i.bumps)) for i in ws.issues}
    comments, attachments = len(ws.comments), len(ws.attachments)
    changed = apply_nightly_changes(ws, 0.05, at)
    assert len(changed) == 10 == len(set(changed))
    touched = {
        i.identifier
        for i in ws.issues
        if (len(i.descriptions), len(i.bumps)) != before[i.identifier]
    }
    touched |= {c.issue.identifier for c in ws.comments[comments:]}
    touched |= {a.issue.identifier for a in ws.attachments[attachments:]}
    assert touched == set(changed)
    assert all(c.created_at >= at for c in ws.comments[comments:])
    assert len(apply_nightly_changes(ws, 0.0, at)) == 1  # at least one issue, always


# -- the benchmark, end to end, on a tiny workspace -----------------------------------------


def test_a_real_sync_never_beats_the_floor() -> None:
    result = run_linear(40, latency=0.0, seed=2)
    first, nightly, unchanged = (result.runs[k] for k in ("first", "nightly", "unchanged"))
    assert first.issues == 40
    assert first.floor.issues == 1 and first.best.total <= first.floor.total
    for run in (first, nightly, unchanged):
        assert run.requests >= run.floor.total
        assert run.points == run.points_seen > 0  # the connector saw what it was charged
        assert run.paused == run.rejected == 0  # Linear's real budget is never in the way
    assert unchanged.requests == unchanged.floor.total == 3
    assert nightly.by_operation["DiscussionSince"] == 1


def test_a_budget_smaller_than_the_sync_is_waited_for_not_overrun() -> None:
    roomy = run_linear(120, latency=0.0, seed=2)
    tight = run_linear(120, latency=0.0, seed=2, points_per_hour=7_000)
    for key, run in tight.runs.items():
        assert run.rejected == 0 and run.issues == roomy.runs[key].issues
        assert run.points == roomy.runs[key].points
    first = tight.runs["first"]
    assert first.points > 7_000 and first.paused > 0
    # It waits for the points beyond the budget to refill (7,000 an hour), and not much more.
    refill = (first.points - 7_000) / 7_000 * 3600
    assert refill <= first.paused <= refill + 3600
