"""The words of a nudge and which changes are due one (pure, no I/O)."""

from __future__ import annotations

from datetime import timedelta

from nudge_fixtures import ALICE, PRIYA, SPRINT, START, finding, nudge

from tracker.ac.diff import ChangeKind
from tracker.domain import Comment, Person
from tracker.findings import ChangeFinding, CriteriaDiff, SprintReport, Summary, Verdict
from tracker.notify.compose import QUESTION, compose, due_nudges, find_person, plain_text
from tracker.notify.model import is_nudge_text
from tracker.policy import ChangeContext, Policy, find_phrases, judge_change

NOW = START + timedelta(days=5)


def report(*changes: ChangeFinding) -> SprintReport:
    return SprintReport(SPRINT, NOW, (), tuple(changes), Summary(0, 0, len(changes), 0, 0, 0))


def test_only_flagged_changes_are_due() -> None:
    found = due_nudges(
        report(finding(Verdict.FLAGGED), finding(Verdict.DISCUSSED), finding(Verdict.COSMETIC)),
        [],
        lead=None,
        now=NOW,
        delay=timedelta(0),
    )
    assert [n.issue.key for n in found] == ["PAY-101"]


def test_a_change_saved_within_the_delay_waits() -> None:
    recent = finding(first=NOW - timedelta(hours=1))
    older = finding(first=NOW - timedelta(hours=5))
    found = due_nudges(report(recent, older), [], lead=None, now=NOW, delay=timedelta(hours=2))
    assert [n.first_saved_at for n in found] == [NOW - timedelta(hours=5)]


def test_the_change_is_identified_by_its_first_save() -> None:
    burst = finding(first=START + timedelta(days=1), last=START + timedelta(days=1, minutes=8))
    (found,) = due_nudges(report(burst), [], lead=None, now=NOW, delay=timedelta(0))
    assert found.first_saved_at == START + timedelta(days=1)
    assert found.key("slack").changed_at == START + timedelta(days=1)


def test_the_lead_is_found_among_known_people_by_email() -> None:
    (found,) = due_nudges(
        report(finding()), [PRIYA, ALICE], lead="alice@acme.com", now=NOW, delay=timedelta(0)
    )
    assert found.lead == ALICE


def test_an_unknown_lead_is_named_not_guessed() -> None:
    assert find_person([PRIYA], "carol@acme.com") == Person(
        id="", name="carol@acme.com", email="carol@acme.com"
    )


def test_the_editor_who_is_the_lead_is_addressed_once() -> None:
    (found,) = due_nudges(
        report(finding()), [PRIYA], lead="priya@acme.com", now=NOW, delay=timedelta(0)
    )
    assert found.lead is None


def test_the_message_asks_and_carries_the_issue_s_sentence() -> None:
    text = plain_text(compose(nudge()))
    assert text.startswith("@Priya Nair, @Alice Kim (engineering lead), a question about PAY-101")
    assert "2d after Payments Sprint 42 started" in text
    assert QUESTION in text
    assert (
        "Before this goes further: what does it cost the sprint? A comment with `#impact` here, "
        "or a link to the discussion, settles it." in text
    )
    assert "added: Refunds over €500 need a second approval" in text
    assert "removed: Refunds are instant" in text
    assert (
        "changed: The refund page answers within 2s → The refund page answers within 500ms (number: 2s → 500ms)"
        in text
    )
    assert "“It should be a small change.”" in text and "How big a change is this for you?" in text
    assert is_nudge_text(text)
    for blame in ("violat", "without asking", "you failed", "should have"):
        assert blame not in text.lower()


def test_criteria_written_after_the_start_say_so() -> None:
    text = plain_text(compose(nudge(defined_after_start=True)))
    assert "its acceptance criteria were written 2d after Payments Sprint 42 started" in text
    assert "committed to the sprint before its criteria existed" in text


def test_a_long_diff_is_cut_with_a_pointer_to_the_issue() -> None:
    diff = CriteriaDiff(added=tuple(f"criterion {i} " + "x" * 400 for i in range(12)))
    text = plain_text(compose(nudge(diff=diff)))
    assert text.count("added:") == 5
    assert "… and 7 more: the full diff is on the issue" in text
    assert max(len(line) for line in text.splitlines()) < 400


def test_the_mark_is_stable_and_differs_per_change() -> None:
    assert nudge().mark == nudge().mark
    assert nudge().mark != nudge(first_saved_at=START).mark


def _context() -> ChangeContext:
    at = START + timedelta(days=2)
    return ChangeContext("PAY-101", at, at, PRIYA, ChangeKind.SUBSTANTIVE)


def test_tracker_s_own_comment_is_never_evidence_nor_a_phrase() -> None:
    body = plain_text(compose(nudge()))  # quotes `#impact` and "It should be a small change."
    bot = Comment("acme-jira", "PAY-101", "20001", START + timedelta(days=2, hours=1), PRIYA, body)
    judged = judge_change(_context(), [bot], [], Policy())
    assert judged.verdict is Verdict.FLAGGED
    assert judged.considered[0].why_not == "tracker's own nudge: never evidence"
    assert find_phrases(_context(), [bot], Policy()) == ()


def test_a_reply_with_the_marker_still_settles_it() -> None:
    reply = Comment(
        "acme-jira",
        "PAY-101",
        "20002",
        START + timedelta(days=2, hours=2),
        ALICE,
        "#impact: two days, we drop PAY-99",
    )
    assert judge_change(_context(), [reply], [], Policy()).verdict is Verdict.DISCUSSED
