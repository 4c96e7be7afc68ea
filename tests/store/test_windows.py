"""Windowed reads: a report reads each issue's revisions from its sprint's start (plus
the one holding the text then), and a trend reads all its sprints at once, each issue
from the earliest of them it was in. Both must judge exactly as a full read does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker import clock
from tracker.analysis import analyse_sprint, trend_point
from tracker.domain import (
    Comment,
    Issue,
    IssueBundle,
    MembershipChange,
    Person,
    Sprint,
    SprintState,
    TextRevision,
)
from tracker.policy import Policy
from tracker.service import build_report, build_trend, for_judging
from tracker.store import HistoryRead, Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
PM = Person("acc-pm", "Pat PM", "pat@acme.com")
DEV = Person("acc-dev", "Dana Dev", "dana@acme.com")
S1 = Sprint("acme", "1", "Sprint 1", SprintState.CLOSED, T0 + 10 * DAY, T0 + 24 * DAY, board="7")
S2 = Sprint("acme", "2", "Sprint 2", SprintState.ACTIVE, T0 + 24 * DAY, None, T0 + 38 * DAY, "7")
NOW = T0 + 30 * DAY


def _bundle(key: str, sprints: list[tuple[Sprint, datetime]], edits: list[int]) -> IssueBundle:
    """An issue that joined each sprint at the given time, its AC edited by the PM on
    each of ``edits`` (days after T0), with an engineer's comment a day after the last."""
    texts = [f"* criterion {n} of {key}\n* pays within {n + 2}s" for n in range(len(edits) + 1)]
    revisions = tuple(
        TextRevision(
            "acme", key, f"{n}:0", T0 + day * DAY, PM, "customfield_1", texts[n], texts[n + 1]
        )
        for n, day in enumerate(edits)
    )
    joins = tuple(
        MembershipChange("acme", key, s.id, at, True, PM, id=f"{key}-{s.id}") for s, at in sprints
    )
    comment = Comment("acme", key, f"{key}-c", T0 + (edits[-1] + 1) * DAY, DEV, "impact: 2 days")
    issue = Issue("acme", key, key, f"Story {key}", f"https://acme/browse/{key}", created_at=T0)
    return IssueBundle(
        issue,
        "customfield_1",
        texts[-1],
        revisions,
        (),
        joins,
        (sprints[-1][0].id,),
        (comment,),
        (),
    )


@pytest.fixture
def store(db_url: str):  # type: ignore[no-untyped-def]
    store = Store(db_url)
    store.save_sprints([S1, S2])
    store.save_page(
        "acme",
        [
            _bundle("PAY-1", [(S1, T0 + 9 * DAY)], [2, 5, 12, 16]),  # edited in sprint 1
            _bundle("PAY-2", [(S2, T0 + 23 * DAY)], [3, 11, 20, 26]),  # only in sprint 2
            # carried over: in sprint 1, then sprint 2; edited in both
            _bundle("PAY-3", [(S1, T0 + 9 * DAY), (S2, T0 + 24 * DAY)], [4, 13, 25]),
            _bundle("PAY-4", [(S2, T0 + 23 * DAY)], [1, 2]),  # not edited while in a sprint
        ],
        seen_at=NOW,
        cursor=None,
    )
    store.refresh_statistics()
    clock.set_clock(lambda: NOW)
    yield store
    clock.reset_clock()
    store.close()


def _days(history_revisions: tuple[TextRevision, ...]) -> list[int]:
    return [(r.at - T0) // DAY for r in history_revisions]


def test_each_issue_is_read_from_the_earliest_sprint_start_it_had(store: Store) -> None:
    read = {h.issue.key: h for h in store.histories(for_judging(store, "acme", ["1", "2"]))}
    assert _days(read["PAY-1"].revisions) == [5, 12, 16]  # from sprint 1's start (day 10)
    assert _days(read["PAY-2"].revisions) == [20, 26]  # from sprint 2's start (day 24)
    assert _days(read["PAY-3"].revisions) == [4, 13, 25]  # sprint 1: its earliest
    assert _days(read["PAY-4"].revisions) == [2]  # the text at the start, nothing after
    # Evidence is read only for issues edited inside their window.
    assert {k for k, h in read.items() if h.comments} == {"PAY-1", "PAY-2", "PAY-3"}


def test_windowed_reads_judge_exactly_as_full_reads(store: Store) -> None:
    rules = Policy(engineers=("dana@acme.com",))
    for sprint in (S1, S2):
        full = analyse_sprint(
            sprint,
            store.histories(HistoryRead("acme", (sprint.id,), exact_history=True)),
            rules,
            now=NOW,
        )
        assert build_report(store, rules, sprint.id) == full
        assert full.changes  # the comparison is not vacuous


def test_trend_reads_once_and_matches_one_report_per_sprint(store: Store) -> None:
    rules = Policy(engineers=("dana@acme.com",))
    expected = [trend_point(build_report(store, rules, s.id)) for s in (S1, S2)]
    assert build_trend(store, rules, last=2) == expected
    assert [p.summary.changes for p in expected] == [3, 2]


def test_one_issue_is_read_alone_for_show(store: Store) -> None:
    [alone] = store.histories(HistoryRead("acme", ("2",), exact_history=True, issue_key="PAY-3"))
    [same] = [
        h
        for h in store.histories(HistoryRead("acme", ("2",), exact_history=True))
        if h.issue.key == "PAY-3"
    ]
    assert alone == same
    assert (
        store.histories(HistoryRead("acme", ("2",), exact_history=True, issue_key="PAY-1")) == []
    )  # never in sprint 2
