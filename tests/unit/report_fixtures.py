"""Hand-built SprintReports for the report tests: a realistic Jira sprint, a hostile one
(script tags, event handlers, javascript: URLs, spreadsheet formulas) and trend points.

Plain functions, no pytest fixtures, so the unit and the browser tests share them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tracker.domain import Issue, Person, Sprint, SprintState
from tracker.findings import (
    AcVersion,
    ChangeFinding,
    Considered,
    CriteriaDiff,
    Evidence,
    EvidenceKind,
    IssueFinding,
    Modified,
    Phrase,
    SprintReport,
    Summary,
    TrendPoint,
    Verdict,
)

START = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
END = datetime(2024, 5, 17, 17, 0, tzinfo=UTC)
GENERATED = datetime(2024, 5, 18, 8, 0, tzinfo=UTC)
BASE_URL = "https://acme.atlassian.net/browse/"

PRIYA = Person(id="5b10a2844c20165700ede21g", name="Priya Nair", email="priya@acme.com")
BOB = Person(id="5b10ac8d82e05b22cc7d4ef5", name="Bob Chen", email="bob@acme.com")
ZOE = Person(id="712020:zoe", name="Zoë Müller")  # Cloud hides her email: id only
KENJI = Person(id="712020:kenji", name="山田 健司", email="kenji@acme.com")

SPRINT = Sprint(
    source="acme-jira",
    id="42",
    name="Payments Sprint 42",
    state=SprintState.CLOSED,
    started_at=START,
    ended_at=END,
    planned_end=datetime(2024, 5, 17, 9, 0, tzinfo=UTC),
    board="7",
)


def at(day: float, hour: float = 0.0) -> datetime:
    """A moment ``day`` days and ``hour`` hours after sprint start."""
    return START + timedelta(days=day, hours=hour)


def issue(key: str, title: str, url: str | None = None) -> Issue:
    return Issue(
        source="acme-jira",
        key=key,
        id=str(10000 + int(key.split("-")[1])),
        title=title,
        url=url if url is not None else BASE_URL + key,
        type="Story",
        status="Done",
    )


def version(when: datetime | None, by: Person | None, criteria: tuple[str, ...]) -> AcVersion:
    text = "h3. Acceptance Criteria\n" + "\n".join(f"* {c}" for c in criteria)
    return AcVersion(at=when, by=by, text=text, whole_field=False)


def change(
    item: Issue,
    before: AcVersion,
    after: AcVersion,
    diff: CriteriaDiff,
    verdict: Verdict,
    reason: str,
    **extra: object,
) -> ChangeFinding:
    assert after.at is not None
    return ChangeFinding(
        issue=item,
        changed_at=after.at,
        changed_by=after.by,
        verdict=verdict,
        reason=reason,
        diff=diff,
        before=before,
        after=after,
        hours_into_sprint=(after.at - START).total_seconds() / 3600,
        **extra,  # type: ignore[arg-type]
    )


def _refunds() -> IssueFinding:
    pay7 = issue("PAY-7", "Refund to the original payment method")
    base = version(
        START,
        PRIYA,
        (
            "Refund is issued to the card used for the purchase",
            "The customer gets a confirmation email within 2s",
            "Partial refunds are possible",
        ),
    )
    mid = version(
        at(2, 5.5),
        PRIYA,
        (
            "Refund is issued to the card used for the purchase",
            "The customer gets a confirmation email within 500ms",
            "Partial refunds are possible",
            "Refunds over 1 000 € need a second approver",
        ),
    )
    last = version(
        at(6, 2),
        PRIYA,
        (
            "Refund is issued to the card or wallet used for the purchase",
            "The customer gets a confirmation email within 500ms",
            "Refunds over 1 000 € need a second approver",
        ),
    )
    latency = Modified(
        before=base.criteria[1],
        after=mid.criteria[1],
        removed_words=("2s",),
        added_words=("500ms",),
        risks=("number: 2s → 500ms",),
    )
    wallet = Modified(
        before=mid.criteria[0],
        after=last.criteria[0],
        added_words=("or", "wallet"),
    )
    flagged = change(
        pay7,
        base,
        mid,
        CriteriaDiff(added=(mid.criteria[3],), modified=(latency,)),
        Verdict.FLAGGED,
        "no engineer commented, no impact marker, no matching link within 3d before / 2d after",
        saves=3,
        considered=(
            Considered(
                Evidence(EvidenceKind.COMMENT, at(2, 5), "Priya Nair", None, "Small tweak, FYI"),
                "written by the editor",
            ),
            Considered(
                Evidence(
                    EvidenceKind.ISSUE_LINK,
                    at(1),
                    "Priya Nair",
                    BASE_URL + "PAY-2",
                    "relates to PAY-2 Checkout redesign",
                ),
                "PAY-2 matches no link pattern (impact, spike, design, rfc, adr)",
            ),
        ),
        phrases=(
            Phrase(
                "minimising",
                "Small tweak, should be simple",
                "Priya Nair",
                at(2, 5),
                "Ask engineering what the change costs before calling it small.",
            ),
        ),
    )
    discussed = change(
        pay7,
        mid,
        last,
        CriteriaDiff(removed=("Partial refunds are possible",), modified=(wallet,)),
        Verdict.DISCUSSED,
        "Bob Chen (engineer) commented 3h after the change",
        evidence=(
            Evidence(
                EvidenceKind.COMMENT,
                at(6, 5),
                "Bob Chen",
                BASE_URL + "PAY-7?focusedCommentId=10042",
                "Wallet refunds need the PSP's v2 API — about 3 days, we drop partials.",
                by_id="bob@acme.com",
            ),
        ),
    )
    return IssueFinding(
        issue=pay7,
        baseline=base,
        current=last,
        net_diff=CriteriaDiff(
            added=(mid.criteria[3],),
            removed=("Partial refunds are possible",),
            modified=(
                latency,
                Modified(base.criteria[0], last.criteria[0], added_words=("or", "wallet")),
            ),
        ),
        changes=(flagged, discussed),
    )


def _statements() -> IssueFinding:
    pay12 = issue("PAY-12", "Export statements as CSV")
    base = version(START, PRIYA, ("Export covers the selected month", "Amounts use 2 decimals"))
    after = version(
        at(3, 1),
        ZOE,
        (
            "Export covers the selected month",
            "Amounts use 2 decimals",
            "Export also offers XLSX with one sheet per account",
        ),
    )
    found = change(
        pay12,
        base,
        after,
        CriteriaDiff(added=(after.criteria[2],)),
        Verdict.DISCUSSED,
        "linked to PAY-31 (Spike: XLSX export impact) 1d before the change",
        evidence=(
            Evidence(
                EvidenceKind.ISSUE_LINK,
                at(2, 1),
                "Zoë Müller",
                BASE_URL + "PAY-31",
                "is blocked by PAY-31 Spike: XLSX export impact",
                by_id="712020:zoe",
            ),
        ),
    )
    return IssueFinding(pay12, base, after, CriteriaDiff(added=(after.criteria[2],)), (found,))


def _typo() -> IssueFinding:
    pay15 = issue("PAY-15", "Show fees on the receipt")
    base = version(START, PRIYA, ("Fees are shwon as a seperate line",))
    after = version(at(1, 3), KENJI, ("Fees are shown as a separate line",))
    found = change(
        pay15,
        base,
        after,
        CriteriaDiff(),
        Verdict.COSMETIC,
        "typo fix only",
    )
    return IssueFinding(pay15, base, after, CriteriaDiff(), (found,))


def _late_joiner() -> IssueFinding:
    pay21 = issue("PAY-21", "Fraud check for refunds ≥ 500 €")
    joined = at(4)
    base = version(joined, ZOE, ("Refunds ≥ 500 € are held for review",))
    after = version(
        at(8, 4),
        ZOE,
        ("Refunds ≥ 500 € are held for review", "A held refund is released within 1 hour 🚀"),
    )
    found = change(
        pay21,
        base,
        after,
        CriteriaDiff(added=(after.criteria[1],)),
        Verdict.FLAGGED,
        "no evidence of an engineering-impact discussion within 3d before / 2d after",
        added_after_start=True,
        phrases=(
            Phrase(
                "just",
                "can we just release them after an hour?",
                "Zoë Müller",
                at(8, 3),
                "Ask what releasing automatically involves instead of 'just'.",
            ),
        ),
    )
    return IssueFinding(
        pay21, base, after, CriteriaDiff(added=(after.criteria[1],)), (found,), True
    )


def _unchanged() -> IssueFinding:
    pay3 = issue("PAY-3", "Card payments via 3-D Secure 2")
    base = version(START, PRIYA, ("Challenge flow works in the mobile app",))
    return IssueFinding(pay3, base, base, CriteriaDiff())


def summarise(issues: tuple[IssueFinding, ...]) -> Summary:
    changes = [c for i in issues for c in i.changes]
    verdicts = Counter(c.verdict for c in changes)
    return Summary(
        issues=len(issues),
        issues_with_ac_changes=sum(
            1 for i in issues if any(c.verdict != Verdict.COSMETIC for c in i.changes)
        ),
        changes=len(changes),
        flagged=verdicts[Verdict.FLAGGED],
        discussed=verdicts[Verdict.DISCUSSED],
        cosmetic=verdicts[Verdict.COSMETIC],
    )


def build_report(issues: tuple[IssueFinding, ...], sprint: Sprint = SPRINT) -> SprintReport:
    changes = tuple(
        sorted((c for i in issues for c in i.changes), key=lambda c: (c.changed_at, c.issue.key))
    )
    return SprintReport(sprint, GENERATED, issues, changes, summarise(issues))


def sample_report() -> SprintReport:
    """A closed Jira sprint: flagged, discussed and cosmetic changes, a late joiner,
    unicode names and criteria, one unchanged issue."""
    return build_report((_unchanged(), _refunds(), _statements(), _typo(), _late_joiner()))


def empty_report() -> SprintReport:
    return build_report((_unchanged(),))


HOSTILE_TITLE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'
HOSTILE_CRITERION = '<img src=x onerror="window.__pwned=3"> =HYPERLINK("http://evil.example")'
HOSTILE_COMMENT = "</ul><script>alert(1)</script><a href=\"javascript:alert('x')\">x</a>"
HOSTILE_URL = "javascript:window.__pwned=4"
FORMULA_CELLS = ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "  =trim")


def _hostile() -> IssueFinding:
    bad = issue("PAY-66", HOSTILE_TITLE, url=HOSTILE_URL)
    mallory = Person(id="mallory", name='Mallory "<b>" O\'Neil', email="=cmd|' /C calc'!A0")
    base = version(START, mallory, ("@SUM(1+1)*cmd|' /C calc'!A0",))
    after = version(at(5), mallory, ("@SUM(1+1)*cmd|' /C calc'!A0", HOSTILE_CRITERION))
    reworded = Modified(
        before="-2+3 <b>bold</b>",
        after="+2+3 <i>onload=alert(1)</i>",
        removed_words=("-2+3",),
        added_words=("+2+3", "onload=alert(1)"),
    )
    found = change(
        bad,
        base,
        after,
        CriteriaDiff(added=(HOSTILE_CRITERION,), modified=(reworded,)),
        Verdict.FLAGGED,
        "=reason starting like a formula <svg onload=alert(1)>",
        considered=(
            Considered(
                Evidence(EvidenceKind.REMOTE_LINK, at(4), "Mallory", HOSTILE_URL, HOSTILE_COMMENT),
                "added by the editor <script>window.__pwned=5</script>",
            ),
        ),
        evidence=(),
        phrases=(Phrase("just", HOSTILE_COMMENT, "<b>Mallory</b>", at(5), "<i>ask</i>"),),
    )
    return IssueFinding(bad, base, after, found.diff, (found,))


def hostile_report() -> SprintReport:
    """The sample sprint plus an issue whose every text field is an attack."""
    sample = sample_report()
    sprint = replace(SPRINT, name="Sprint <script>window.__pwned=6</script>")
    return build_report((*sample.issues, _hostile()), sprint)


def trend_points() -> tuple[TrendPoint, ...]:
    """Four sprints, oldest first, as ``tracker trend`` hands them over."""
    points = []
    counts = ((9, 7, 4, 3, 2), (11, 5, 3, 1, 1), (10, 8, 6, 4, 1), (12, 4, 2, 0, 1))
    for n, (issues, with_ac, changes, flagged, cosmetic) in enumerate(counts):
        start = START + timedelta(days=14 * (n - 3))
        sprint = replace(
            SPRINT,
            id=str(39 + n),
            name=f"Payments Sprint {39 + n}",
            started_at=start,
            ended_at=start + timedelta(days=11, hours=8),
        )
        summary = Summary(issues, with_ac, changes + cosmetic, flagged, changes - flagged, cosmetic)
        points.append(
            TrendPoint(
                sprint=sprint,
                summary=summary,
                share_flagged=flagged / summary.changes if summary.changes else 0.0,
                median_hours_to_discussion=None if flagged == changes else 4.5 + n * 6,
                changes_by_editor=(("Priya Nair", changes - 1), ("Zoë Müller", 1 + cosmetic)),
                median_sprint_fraction=None if not changes else 0.35 + n * 0.1,
            )
        )
    return tuple(points)


def active_linear_report() -> SprintReport:
    """A Linear cycle still running: no completion date, an approximate baseline, an edit
    whose author Linear did not say, evidence from a Slack attachment."""
    cycle = Sprint(
        source="acme-linear",
        id="9f1c2a7e-cycle",
        name="Cycle 12",
        state=SprintState.ACTIVE,
        started_at=START,
        ended_at=None,
        planned_end=START + timedelta(days=14),
        key="ENG-12",
    )
    eng = Issue(
        source="acme-linear",
        key="ENG-101",
        id="c0ffee",
        title="Bulk invite teammates",
        url="https://linear.app/acme/issue/ENG-101/bulk-invite-teammates",
    )
    base = version(START, None, ("Invite up to 50 emails at once",))
    after = version(at(3, 2), None, ("Invite up to 500 emails at once",))
    reworded = Modified(
        base.criteria[0], after.criteria[0], ("50",), ("500",), ("number: 50 → 500",)
    )
    found = change(
        eng,
        base,
        after,
        CriteriaDiff(modified=(reworded,)),
        Verdict.DISCUSSED,
        "Slack thread attached 2h after the change",
        baseline_approximate=True,
        evidence=(
            Evidence(
                EvidenceKind.ATTACHMENT,
                at(3, 4),
                "Kenji",
                "https://acme.slack.com/archives/C01/p1715000000",
                "Slack: #eng-growth thread",
            ),
            Evidence(EvidenceKind.RELATION, None, "", None, "related to ENG-99 RFC: invite limits"),
        ),
    )
    issue_found = IssueFinding(eng, base, after, found.diff, (found,), baseline_approximate=True)
    return build_report((issue_found,), cycle)
