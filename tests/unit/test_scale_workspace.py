"""The scale-mode generator (benchmarks.jira_scale): sizes, determinism, and the
costly shapes the benchmark relies on (buried AC changes, long comment threads)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from benchmarks.jira_scale import (
    DEEP_SAVES,
    ScaleSpec,
    apply_nightly_changes,
    build_scale_workspace,
)

SMALL = ScaleSpec.sized(200, seed=3)


def _fingerprint(spec: ScaleSpec) -> list[tuple[str, int, int, str | None]]:
    ws, _ = build_scale_workspace(spec)
    return [
        (k, len(i.histories), len(i.comments), i.values.get("ac"))
        for k, i in sorted(ws.issues.items())
    ]


def test_same_seed_same_site_other_seed_other_site() -> None:
    assert _fingerprint(SMALL) == _fingerprint(SMALL)
    assert _fingerprint(SMALL) != _fingerprint(ScaleSpec.sized(200, seed=4))


def test_sizes_follow_the_spec() -> None:
    ws, facts = build_scale_workspace(SMALL)
    assert len(ws.issues) == 200
    assert len(ws.sprints) == SMALL.sprints
    assert len(facts.boards) == SMALL.boards == len(ws.boards)
    histories = sum(len(i.histories) for i in ws.issues.values())
    comments = sum(len(i.comments) for i in ws.issues.values())
    assert abs(histories - SMALL.histories) <= 0.05 * SMALL.histories
    assert comments >= SMALL.comments
    states = [s.state for s in ws.sprints.values()]
    assert states.count("active") == SMALL.boards


def test_every_issue_was_planned_into_a_sprint_of_the_boards() -> None:
    ws, facts = build_scale_workspace(SMALL)
    board_sprints = {s.id for s in ws.sprints.values() if s.board_id in facts.boards}
    for issue in ws.issues.values():
        moves = [it for h in issue.histories for it in h.items if it.field_key == "sprint"]
        assert moves, issue.key
        assert int((moves[0].to_value or "").split(", ")[-1]) in board_sprints


def test_a_deep_issue_hides_an_ac_change_from_the_inline_changelog() -> None:
    ws, _ = build_scale_workspace(SMALL)
    deep = [i for i in ws.issues.values() if len(i.histories) > DEEP_SAVES]
    assert deep
    for issue in deep:
        ordered = sorted(issue.histories, key=lambda h: (h.created, h.id))
        hidden = ordered[:-100]  # Cloud's GET issue?expand=changelog keeps the last 100
        assert any(it.field_key == "ac" for h in hidden for it in h.items)


def test_some_issues_have_more_comments_than_search_inlines() -> None:
    ws, _ = build_scale_workspace(SMALL)
    assert any(len(i.comments) > 20 for i in ws.issues.values())


def test_ac_history_chains_without_gaps() -> None:
    ws, _ = build_scale_workspace(ScaleSpec.sized(100, seed=9))
    for issue in ws.issues.values():
        ordered = sorted(issue.histories, key=lambda h: (h.created, h.id))
        ac = [it for h in ordered for it in h.items if it.field_key == "ac"]
        for before, after in itertools.pairwise(ac):
            assert before.to_string == after.from_string, issue.key
        if ac:
            assert ac[-1].to_string == issue.values["ac"]


@pytest.mark.parametrize("fraction", [0.01, 0.1])
def test_nightly_changes_touch_the_fraction_asked_for(fraction: float) -> None:
    ws, _ = build_scale_workspace(SMALL)
    at = datetime(2026, 4, 1, 12, tzinfo=UTC)
    changed = apply_nightly_changes(ws, fraction, at)
    assert len(changed) == len(set(changed)) == max(1, round(200 * fraction))
    assert all(ws.issues[k].updated >= at for k in changed)
    untouched = set(ws.issues) - set(changed)
    assert all(ws.issues[k].updated < at for k in untouched)
