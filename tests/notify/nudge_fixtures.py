"""Hand-built nudges for the notify tests (plain functions, shared by the test files)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.domain import Issue, Person, Sprint, SprintState
from tracker.findings import AcVersion, ChangeFinding, CriteriaDiff, Modified, Phrase, Verdict
from tracker.notify.model import Nudge

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PRIYA = Person(id="5b10a2844c20165700ede21g", name="Priya Nair", email="priya@acme.com")
ALICE = Person(id="5b10ac8d82e05b22cc7d4ef5", name="Alice Kim", email="alice@acme.com")
SPRINT = Sprint("acme-jira", "42", "Payments Sprint 42", SprintState.ACTIVE, START, None)
ISSUE = Issue(
    "acme-jira",
    "PAY-101",
    "10101",
    "Refunds over the limit",
    "https://acme.atlassian.net/browse/PAY-101",
)
DIFF = CriteriaDiff(
    added=("Refunds over €500 need a second approval",),
    removed=("Refunds are instant",),
    modified=(
        Modified(
            "The refund page answers within 2s",
            "The refund page answers within 500ms",
            risks=("number: 2s → 500ms",),
        ),
    ),
)
PHRASE = Phrase(
    "simple",
    "It should be a small change.",
    "Priya Nair",
    START + timedelta(days=2),
    'Ask how complex it is instead of asserting it is simple: "How big a change is this for you?"',
)


def finding(
    verdict: Verdict = Verdict.FLAGGED,
    *,
    first: datetime = START + timedelta(days=2),
    last: datetime | None = None,
    before: str = "* Refunds are instant",
    after: str = "* Refunds over €500 need a second approval",
    diff: CriteriaDiff = DIFF,
    issue: Issue = ISSUE,
) -> ChangeFinding:
    return ChangeFinding(
        issue=issue,
        changed_at=last or first,
        changed_by=PRIYA,
        verdict=verdict,
        reason="no engineering discussion: no comments or links to look at",
        diff=diff,
        before=AcVersion(first, None, before),
        after=AcVersion(last or first, PRIYA, after),
        phrases=(PHRASE,),
    )


def nudge(**changes: object) -> Nudge:
    base = Nudge(
        sprint=SPRINT,
        issue=ISSUE,
        first_saved_at=START + timedelta(days=2),
        last_saved_at=START + timedelta(days=2),
        editor=PRIYA,
        lead=ALICE,
        diff=DIFF,
        phrases=(PHRASE,),
    )
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]
