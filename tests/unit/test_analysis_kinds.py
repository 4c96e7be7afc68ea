"""Verdicts that hold: unknown when blind, the kinds of change, grace and the estimate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tracker.analysis import analyse_sprint, trend_point
from tracker.domain import (
    Comment,
    EstimateChange,
    Issue,
    IssueHistory,
    Link,
    LinkKind,
    MembershipChange,
    Person,
    Snapshot,
    Sprint,
    SprintState,
    TextEdit,
    TextRevision,
)
from tracker.findings import Scope, Verdict
from tracker.kinds import is_placeholder, scope_of
from tracker.policy import Policy

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
END = START + timedelta(days=14)
NOW = END + timedelta(days=1)
SPRINT = Sprint("acme", "42", "Payments Sprint 42", SprintState.CLOSED, START, END, board="7")
CYCLE = Sprint("lin", "c-12", "Cycle 12", SprintState.CLOSED, START, END, key="ENG-12")
PRIYA = Person("acc-priya", "Priya Nair", "priya@acme.com")
BOB = Person("acc-bob", "Bob Chen", "bob@acme.com")
RULES = Policy(engineers=("bob@acme.com",))

V1 = "* Card payments settle within 2s\n* Refunds are idempotent"
V2 = V1 + "\n* Payouts support SEPA"
V3 = "* Card payments settle within 2s"


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def rev(n: int, when: datetime, before: str | None, after: str | None) -> TextRevision:
    return TextRevision("acme", "PAY-7", f"{n}:0", when, PRIYA, "customfield_10100", before, after)


def history(*revisions: TextRevision, **kw: object) -> IssueHistory:
    base = IssueHistory(
        issue=Issue("acme", "PAY-7", "10007", "Card payments", "https://acme/browse/PAY-7"),
        text_field="customfield_10100",
        current_text=revisions[-1].to_text if revisions else V1,
        exact_history=True,
        revisions=tuple(revisions),
        memberships=(MembershipChange("acme", "PAY-7", "42", START - timedelta(days=1), True),),
        sprint_ids=("42",),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def linear_first_synced_late() -> IssueHistory:
    """A cycle first synced two days after it started: Linear's history says Priya
    edited the description on day one; the text before that edit was never seen."""
    description = "## Acceptance criteria\n- Invite up to 500 emails at once"
    return IssueHistory(
        issue=Issue("lin", "ENG-101", "uuid-101", "Bulk invite", "https://linear.app/x/ENG-101"),
        text_field="description",
        current_text=description,
        exact_history=False,
        snapshots=(Snapshot(at(48), description),),
        text_edits=(
            TextEdit("lin", "ENG-101", "h1", at(20), PRIYA),
            TextEdit("lin", "ENG-101", "h2", at(20.05), PRIYA),  # the same burst
            TextEdit("lin", "ENG-101", "h0", at(-30), PRIYA),  # before the start: planning
        ),
        comments=(Comment("lin", "ENG-101", "c1", at(21), BOB, "ok, 2 more days"),),
        memberships=(MembershipChange("lin", "ENG-101", "c-12", at(-40), True),),
        sprint_ids=("c-12",),
    )


def test_linear_cycle_first_synced_after_start_reports_each_unseen_edit_as_unknown() -> None:
    report = analyse_sprint(CYCLE, [linear_first_synced_late()], RULES, now=NOW)
    [change] = report.changes
    assert change.verdict is Verdict.UNKNOWN
    assert change.changed_by == PRIYA and change.changed_at == at(20.05) and change.saves == 2
    assert change.reason.startswith("unknown: Priya Nair edited the text")
    assert "never seen" in change.reason
    # The evidence in its window is listed, not judged.
    assert change.evidence == ()
    [looked] = change.considered
    assert looked.evidence.by == "Bob Chen" and "never seen" in looked.why_not
    assert change.scope is None and not change.defined_after_start
    s = report.summary
    assert (s.unknown, s.changes, s.issues_with_ac_changes) == (1, 1, 0)
    assert s.issues_baseline_approximate == 1
    assert s.flagged + s.discussed + s.cosmetic + s.unknown == s.changes


def test_unknown_edits_never_count_in_the_trend_share() -> None:
    point = trend_point(analyse_sprint(CYCLE, [linear_first_synced_late()], RULES, now=NOW))
    assert point.share_flagged == 0.0 and point.changes_by_editor == ()


def test_grace_turns_day_one_edits_into_planning() -> None:
    h = history(rev(1, at(3), V1, V2), rev(2, at(30), V2, V3))
    without = analyse_sprint(SPRINT, [h], RULES, now=NOW)
    assert [c.changed_at for c in without.changes] == [at(3), at(30)]
    graced = analyse_sprint(SPRINT, [h], replace(RULES, grace=timedelta(hours=8)), now=NOW)
    [change] = graced.changes
    assert change.changed_at == at(30)
    assert graced.issues[0].baseline.text == V2


@pytest.mark.parametrize(
    "before",
    [None, "", "TBD", "AC to follow", "* To be defined", "Given\nWhen\nThen", "- [ ] <condition>"],
)
def test_writing_the_criteria_after_start_is_defined_after_start(before: str | None) -> None:
    report = analyse_sprint(SPRINT, [history(rev(1, at(30), before, V2))], RULES, now=NOW)
    [change] = report.changes
    assert change.defined_after_start
    assert change.scope is Scope.EXPANDED
    assert len(change.diff.added) == 3 and not change.diff.removed and not change.diff.modified
    assert report.summary.defined_after_start == 1
    assert report.issues[0].without_ac_at_start


def test_an_edit_of_real_criteria_is_not_defined_after_start() -> None:
    [change] = analyse_sprint(SPRINT, [history(rev(1, at(30), V1, V2))], RULES, now=NOW).changes
    assert not change.defined_after_start and change.scope is Scope.EXPANDED


def test_scope_says_what_the_change_did() -> None:
    [reduced] = analyse_sprint(SPRINT, [history(rev(1, at(30), V1, V3))], RULES, now=NOW).changes
    assert reduced.scope is Scope.REDUCED
    reworded = V1.replace("2s", "500ms")
    [rewritten] = analyse_sprint(
        SPRINT, [history(rev(1, at(30), V1, reworded))], RULES, now=NOW
    ).changes
    assert rewritten.scope is Scope.REWRITTEN
    [cosmetic] = analyse_sprint(
        SPRINT, [history(rev(1, at(30), V1, V1.replace("*", "-")))], RULES, now=NOW
    ).changes
    assert cosmetic.verdict is Verdict.COSMETIC and cosmetic.scope is None


def test_an_issue_that_never_got_criteria_counts_as_without_ac() -> None:
    report = analyse_sprint(SPRINT, [history(current_text="TBD")], RULES, now=NOW)
    assert report.summary.issues_without_ac == 1 and report.issues[0].without_ac_at_start
    assert report.changes == ()


def _points(n: str, when: datetime, was: float | None, now: float | None, who: Person = BOB):
    return EstimateChange("acme", "PAY-7", n, when, who, was, now)


def test_the_estimate_sits_beside_each_change() -> None:
    estimates = (_points("e0", at(-50), None, 3), _points("e1", at(40), 3, 8))
    base = history(rev(1, at(30), V1, V2), estimates=estimates)
    [change] = analyse_sprint(SPRINT, [base], RULES, now=NOW).changes
    assert change.estimate is not None
    assert (change.estimate.at_start, change.estimate.now) == (3, 8)
    again = change.estimate.reestimated
    assert again is not None and (again.from_value, again.to_value, again.at) == (3, 8, at(40))
    assert not change.scope_grew_unestimated
    late = replace(base, estimates=(estimates[0], _points("e1", at(30 + 24 * 3), 3, 8)))
    [change] = analyse_sprint(SPRINT, [late], RULES, now=NOW).changes
    assert change.estimate is not None and change.estimate.reestimated is None
    assert change.scope_grew_unestimated  # re-estimated only after the 2d window


def test_points_added_after_start_count_reestimates_and_late_joiners() -> None:
    grew = history(estimates=(_points("e1", at(40), 3, 5),))
    joined = replace(
        history(estimates=(_points("e1", at(-10), None, 2),)),
        issue=Issue("acme", "PAY-9", "10009", "t", "u"),
        memberships=(MembershipChange("acme", "PAY-9", "42", at(10), True),),
    )
    report = analyse_sprint(SPRINT, [grew, joined], RULES, now=NOW)
    assert report.summary.points_added_after_start == 4


def test_without_any_estimate_there_is_none() -> None:
    [change] = analyse_sprint(SPRINT, [history(rev(1, at(30), V1, V2))], RULES, now=NOW).changes
    assert change.estimate is None and not change.scope_grew_unestimated


def test_editor_only_evidence_reads_weaker() -> None:
    link = Link(
        "acme",
        "PAY-7",
        "r1",
        LinkKind.REMOTE_LINK,
        "Slack thread",
        "https://slack.example/t/1",
        added_at=at(31),
        added_by=PRIYA,
    )
    [change] = analyse_sprint(
        SPRINT, [history(rev(1, at(30), V1, V2), links=(link,))], RULES, now=NOW
    ).changes
    assert change.verdict is Verdict.DISCUSSED
    assert change.evidence[0].by_editor
    assert change.reason == (
        "discussed: the editor linked 'Slack thread' (remote link) 1h after the change; "
        "no engineer took part"
    )


def test_future_and_active_sprints_say_how_much_they_cover() -> None:
    future = replace(SPRINT, state=SprintState.FUTURE, started_at=at(24 * 30), ended_at=None)
    report = analyse_sprint(future, [history(rev(1, at(1), V1, V2))], RULES, now=NOW)
    assert report.not_started and not report.partial and report.issues == ()
    active = replace(SPRINT, state=SprintState.ACTIVE, ended_at=None)
    running = analyse_sprint(active, [history()], RULES, now=at(50))
    assert running.partial and not running.not_started


@pytest.mark.parametrize(
    "text",
    ["TBD", "tbd.", "AC to follow", "To be defined", "Acceptance criteria: TBC", "N/A", "Given"],
)
def test_placeholders(text: str) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text", ["It is done", "Then the user sees the total", "Given a refund, then it is logged"]
)
def test_real_criteria_are_not_placeholders(text: str) -> None:
    assert not is_placeholder(text)


def test_scope_of_an_empty_diff_is_none() -> None:
    from tracker.findings import CriteriaDiff

    assert scope_of(CriteriaDiff()) is None


@pytest.mark.parametrize(
    "text", ['{"error": "card_declined", "retryable": false}', "[Docs](https://x.example/a)"]
)
def test_code_and_links_are_content_not_template_slots(text: str) -> None:
    assert not is_placeholder(text)
