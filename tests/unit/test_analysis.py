"""Sprint analysis on hand-built histories: spans, baselines, bursts, membership."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.analysis import analyse_sprint, group_bursts, resolve_sprint
from tracker.domain import (
    Comment,
    Issue,
    IssueHistory,
    MembershipChange,
    Person,
    Snapshot,
    Sprint,
    SprintState,
    TextEdit,
    TextRevision,
)
from tracker.errors import UsageError
from tracker.findings import Verdict
from tracker.policy import Policy

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
END = START + timedelta(days=14)
NOW = END + timedelta(days=1)
SPRINT = Sprint("acme", "42", "Payments Sprint 42", SprintState.CLOSED, START, END, board="7")
PRIYA = Person("acc-priya", "Priya Nair", "priya@acme.com")
BOB = Person("acc-bob", "Bob Chen", "bob@acme.com")
RULES = Policy(engineers=("bob@acme.com", "Alice Moreau"))

V1 = "* Card payments settle within 2s\n* Refunds are idempotent"
V2 = "* Card payments settle within 500ms\n* Refunds are idempotent\n* Payouts support SEPA"


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def rev(
    n: int, when: datetime, before: str, after: str, who: Person | None = PRIYA
) -> TextRevision:
    return TextRevision("acme", "PAY-7", f"{n}:0", when, who, "customfield_10100", before, after)


def history(
    *revisions: TextRevision, joined: datetime = START - timedelta(days=1), **kw: object
) -> IssueHistory:
    base = IssueHistory(
        issue=Issue("acme", "PAY-7", "10007", "Card payments", "https://acme/browse/PAY-7"),
        text_field="customfield_10100",
        current_text=revisions[-1].to_text if revisions else V1,
        exact_history=True,
        revisions=tuple(revisions),
        memberships=(MembershipChange("acme", "PAY-7", "42", joined, True, PRIYA),),
        sprint_ids=("42",),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def report_of(*histories: IssueHistory):  # type: ignore[no-untyped-def]
    return analyse_sprint(SPRINT, histories, RULES, now=NOW)


def test_change_after_start_without_discussion_is_flagged() -> None:
    report = report_of(history(rev(1, at(30), V1, V2)))
    [change] = report.changes
    assert change.verdict is Verdict.FLAGGED
    assert change.changed_by == PRIYA
    assert change.diff.added == ("Payouts support SEPA",)
    assert [m.before for m in change.diff.modified] == ["Card payments settle within 2s"]
    assert report.summary.flagged == 1 and report.summary.issues_with_ac_changes == 1
    assert change.hours_into_sprint == pytest.approx(30)


def test_engineer_comment_in_window_discusses_it() -> None:
    comment = Comment("acme", "PAY-7", "c1", at(31), BOB, "That is two days of work, fine")
    report = report_of(history(rev(1, at(30), V1, V2), comments=(comment,)))
    [change] = report.changes
    assert change.verdict is Verdict.DISCUSSED
    assert [e.kind.value for e in change.evidence] == ["comment"]


def test_edit_before_start_is_the_baseline_not_a_change() -> None:
    report = report_of(history(rev(1, at(-5), V1, V2)))
    assert report.changes == ()
    assert report.issues[0].baseline.text == V2
    assert report.summary.issues == 1 and report.summary.changes == 0


def test_edit_after_the_sprint_ended_is_not_in_it() -> None:
    assert report_of(history(rev(1, END + timedelta(hours=1), V1, V2))).changes == ()


def test_issue_added_after_start_uses_its_own_baseline() -> None:
    report = report_of(history(rev(1, at(10), V1, V2), rev(2, at(40), V2, V1), joined=at(20)))
    finding = report.issues[0]
    assert finding.added_after_start and finding.baseline.text == V2
    [change] = report.changes
    assert change.added_after_start and change.changed_at == at(40)


def test_issue_removed_before_start_is_not_in_the_sprint() -> None:
    left = MembershipChange("acme", "PAY-7", "42", START - timedelta(hours=1), False, PRIYA)
    h = history(rev(1, at(30), V1, V2))
    h = replace(h, memberships=(*h.memberships, left), sprint_ids=())
    assert report_of(h).issues == ()


def test_edits_after_removal_do_not_count() -> None:
    left = MembershipChange("acme", "PAY-7", "42", at(20), False, PRIYA)
    h = history(rev(1, at(10), V1, V2), rev(2, at(30), V2, V1))
    h = replace(h, memberships=(*h.memberships, left))
    report = report_of(h)
    assert report.issues[0].removed_before_end
    assert [c.changed_at for c in report.changes] == [at(10)]


def test_removal_without_recorded_join_means_member_since_creation() -> None:
    left = MembershipChange("acme", "PAY-7", "42", at(50), False, PRIYA)
    h = replace(history(rev(1, at(30), V1, V2)), memberships=(left,))
    assert len(report_of(h).changes) == 1


def test_a_burst_of_saves_is_one_change() -> None:
    mid = V1 + "\n* Payouts"
    saves = [rev(1, at(30), V1, mid), rev(2, at(30.05), mid, V2), rev(3, at(30.1), V2, V2 + " ")]
    [change] = report_of(history(*saves)).changes
    assert change.saves == 3 and change.changed_at == at(30.1)


def test_saves_by_two_people_are_two_changes() -> None:
    mid = V1 + "\n* Payouts"
    saves = [rev(1, at(30), V1, mid), rev(2, at(30.05), mid, V2, who=BOB)]
    report = report_of(history(*saves))
    assert [c.verdict for c in report.changes] == [Verdict.FLAGGED, Verdict.DISCUSSED]
    assert report.changes[1].evidence[0].kind.value == "engineer_edit"


def test_cosmetic_edit_is_listed_not_judged() -> None:
    [change] = report_of(history(rev(1, at(30), V1, V1.replace("* ", "- ").upper()))).changes
    assert change.verdict is Verdict.COSMETIC
    report = report_of(history(rev(1, at(30), V1, V1.replace("* ", "- ").upper())))
    assert report.summary.cosmetic == 1 and report.summary.issues_with_ac_changes == 0


def test_edit_outside_the_ac_section_is_no_change() -> None:
    before = "Context for the story.\n\nh3. Acceptance Criteria\n* pays\n* refunds"
    after = "Context for the story, with a longer story text.\n\nh3. Acceptance Criteria\n* pays\n* refunds"
    h = history(
        replace(rev(1, at(30), before, after), field="description"), text_field="description"
    )
    assert report_of(h).changes == ()


def test_snapshot_history_first_seen_late_has_approximate_baseline() -> None:
    """Linear-style: the first snapshot came after the start, and an edit in between was
    never seen as text: the baseline is the earliest text known, marked approximate."""
    h = history(
        rev(1, at(80), V1, V2),
        exact_history=False,
        snapshots=(Snapshot(at(48), V1), Snapshot(at(90), V2)),
        text_edits=(
            TextEdit("acme", "PAY-7", "e1", at(20), PRIYA),
            TextEdit("acme", "PAY-7", "e2", at(80), PRIYA),
        ),
    )
    report = report_of(h)
    assert report.issues[0].baseline_approximate
    assert report.changes[0].baseline_approximate


def test_first_seen_late_without_edits_in_between_is_exact() -> None:
    h = history(
        rev(1, at(80), V1, V2),
        exact_history=False,
        snapshots=(Snapshot(at(0.1), V1), Snapshot(at(90), V2)),
        text_edits=(TextEdit("acme", "PAY-7", "e2", at(80), PRIYA),),
    )
    assert not report_of(h).issues[0].baseline_approximate


def test_active_sprint_runs_to_now() -> None:
    active = replace(SPRINT, state=SprintState.ACTIVE, ended_at=None)
    report = analyse_sprint(
        active, [history(rev(1, END + timedelta(hours=2), V1, V2))], RULES, now=NOW
    )
    assert len(report.changes) == 1


def test_future_sprint_has_no_changes() -> None:
    future = replace(SPRINT, state=SprintState.FUTURE, started_at=None, ended_at=None)
    assert analyse_sprint(future, [history(rev(1, at(1), V1, V2))], RULES, now=NOW).issues == ()


def test_changes_sorted_by_time_then_key_and_summary_adds_up() -> None:
    a = history(rev(1, at(30), V1, V2))
    b = replace(
        history(rev(1, at(30), V1, V1.replace("2s", "2 s"))),
        issue=Issue("acme", "PAY-3", "10003", "t", "u"),
    )
    report = report_of(a, b)
    assert [c.issue.key for c in report.changes] == ["PAY-3", "PAY-7"]
    s = report.summary
    assert s.flagged + s.discussed + s.cosmetic == s.changes == 2


@settings(max_examples=30, deadline=None)
@given(st.permutations(range(4)))
def test_report_does_not_depend_on_revision_order(order: list[int]) -> None:
    texts = [V1, V2, V1 + "\n* Audit log", V2 + "\n* Reports", V1]
    revisions = [rev(i, at(10 + 20 * i), texts[i], texts[i + 1]) for i in range(4)]
    shuffled = [revisions[i] for i in order]
    expected = report_of(history(*revisions))
    got = analyse_sprint(
        SPRINT, [replace(history(*revisions), revisions=tuple(shuffled))], RULES, now=NOW
    )
    assert [(c.changed_at, c.verdict) for c in got.changes] == [
        (c.changed_at, c.verdict) for c in expected.changes
    ]


def test_group_bursts_chains_gaps() -> None:
    saves = [
        rev(1, at(0), "a", "b"),
        rev(2, at(0.1), "b", "c"),
        rev(3, at(0.25), "c", "d"),
        rev(4, at(1), "d", "e"),
    ]
    assert [len(g) for g in group_bursts(saves, timedelta(minutes=10))] == [3, 1]


def test_bursts_split_by_person_and_keep_unknown_authors_together() -> None:
    priya_again = Person("acc-priya-2", "P. Nair", "PRIYA@acme.com")  # a second account
    saves = [
        rev(1, at(0), "a", "b"),
        rev(2, at(0.05), "b", "c", priya_again),
        rev(3, at(0.1), "c", "d", BOB),
        rev(4, at(0.15), "d", "e", None),
        rev(5, at(0.2), "e", "f", None),
    ]
    assert [len(g) for g in group_bursts(saves, timedelta(minutes=10))] == [2, 1, 2]


SPRINTS = [
    SPRINT,
    Sprint("acme", "43", "Payments Sprint 43", SprintState.ACTIVE, END, None),
    Sprint("eng", "cyc-12", "Cycle 12", SprintState.CLOSED, START, END, key="ENG-12"),
    Sprint("other", "42", "Other 42", SprintState.CLOSED, START, END),
]


def test_resolve_by_key_name_and_source() -> None:
    assert resolve_sprint(SPRINTS, "ENG-12").id == "cyc-12"
    assert resolve_sprint(SPRINTS, "eng-12").id == "cyc-12"
    assert resolve_sprint(SPRINTS, "payments sprint 43").id == "43"
    assert resolve_sprint(SPRINTS, "42", "other").name == "Other 42"


def test_ambiguous_sprint_lists_candidates() -> None:
    with pytest.raises(
        UsageError,
        match=r"ambiguous: use one of: --source acme --sprint 42 \(Payments Sprint 42\); "
        r"--source other --sprint 42 \(Other 42\)",
    ):
        resolve_sprint(SPRINTS, "42")


def test_unknown_sprint_suggests_near_names() -> None:
    with pytest.raises(UsageError, match=r"did you mean '42', '43'"):
        resolve_sprint(SPRINTS, "Payments", "acme")


def test_an_issue_too_large_to_diff_says_so_and_the_sprint_is_still_judged() -> None:
    from tracker.ac import TOO_LARGE_REASON

    huge = "\n".join(f"* Criterion {i} holds for every user" for i in range(3000))
    other = replace(
        history(rev(2, at(40), V1, V2)),
        issue=Issue("acme", "PAY-8", "10008", "Payouts", "https://acme/browse/PAY-8"),
    )
    report = report_of(history(rev(1, at(30), V1, huge)), other)
    by_key = {c.issue.key: c for c in report.changes}
    assert by_key["PAY-7"].reason.startswith(TOO_LARGE_REASON)
    assert by_key["PAY-7"].diff.is_empty()
    assert by_key["PAY-8"].diff.added == ("Payouts support SEPA",)
