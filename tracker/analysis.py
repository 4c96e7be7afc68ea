"""Sprint analysis: raw stored history → judged AC changes (pure; no I/O).

For each issue that was in the sprint at any time during it:
- its **baseline** is the AC text at the sprint's start, or at the moment it joined the
  sprint if that was later (then it is also ``added_after_start``);
- every later save of the AC-bearing field inside the sprint's span (start → completion,
  or now while active; cut at the issue's removal) is a candidate; saves by one person
  with gaps no longer than ``burst`` form one change;
- a candidate whose AC part did not change at all (an edit outside the AC section) is no
  change; the rest are ``cosmetic`` or judged by the policy.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tracker.ac.diff import TOO_LARGE_REASON, ChangeKind, compare_ac
from tracker.domain import IssueHistory, Person, Sprint, SprintState, TextRevision
from tracker.errors import UsageError
from tracker.findings import (
    AcVersion,
    ChangeFinding,
    CriteriaDiff,
    IssueFinding,
    SprintReport,
    Summary,
    TrendPoint,
    Verdict,
)
from tracker.policy import ChangeContext, Policy, find_phrases, judge_change

_FAR_PAST = datetime.min.replace(year=1900)


@dataclass(frozen=True, slots=True)
class _Presence:
    baseline_at: datetime
    until: datetime
    added_after_start: bool
    removed_before_end: bool


def analyse_sprint(
    sprint: Sprint, histories: Sequence[IssueHistory], policy: Policy, *, now: datetime
) -> SprintReport:
    start = sprint.started_at
    end = sprint.ended_at or now
    findings: list[IssueFinding] = []
    if start is not None:
        for history in histories:
            presence = _presence(history, sprint.id, start, end)
            if presence is not None:
                findings.append(_issue_finding(history, presence, sprint, policy))
    findings.sort(key=lambda f: f.issue.key)
    changes = tuple(
        sorted((c for f in findings for c in f.changes), key=lambda c: (c.changed_at, c.issue.key))
    )
    return SprintReport(sprint, now, tuple(findings), changes, _summary(findings, changes))


def _presence(
    history: IssueHistory, sprint_id: str, start: datetime, end: datetime
) -> _Presence | None:
    """When the issue was in the sprint, from its membership events; None if never
    during the sprint's span."""
    intervals: list[tuple[datetime, datetime | None]] = []
    joined: datetime | None = None
    inside = False
    for event in (m for m in history.memberships if m.sprint_id == sprint_id):
        if event.added and not inside:
            joined, inside = event.at, True
        elif not event.added:
            # A removal with no recorded join: the issue was in it from its creation.
            intervals.append((joined if inside and joined else _aware_min(event.at), event.at))
            inside = False
    if inside and joined is not None:
        intervals.append((joined, None))
    during = [(a, b) for a, b in intervals if a < end and (b is None or b > start)]
    if not during:
        return None
    first_join = during[0][0]
    last_leave = during[-1][1]
    removed = last_leave is not None and last_leave < end
    return _Presence(
        baseline_at=max(first_join, start),
        until=last_leave if removed and last_leave is not None else end,
        added_after_start=first_join > start,
        removed_before_end=removed,
    )


def _aware_min(like: datetime) -> datetime:
    return _FAR_PAST.replace(tzinfo=like.tzinfo)


def _text_at(history: IssueHistory, at: datetime) -> str | None:
    revisions = history.revisions
    before = [r for r in revisions if r.at <= at]
    if before:
        return before[-1].to_text
    if revisions:
        return revisions[0].from_text
    if history.snapshots:
        return history.snapshots[0].text
    return history.current_text


def _version(history: IssueHistory, at: datetime, by: Person | None, policy: Policy) -> AcVersion:
    return AcVersion(at, by, _text_at(history, at) or "", _whole(history), policy.ac_headings)


def _whole(history: IssueHistory) -> bool:
    return history.text_field != "description"


def _issue_finding(
    history: IssueHistory, presence: _Presence, sprint: Sprint, policy: Policy
) -> IssueFinding:
    baseline = _version(history, presence.baseline_at, None, policy)
    current = _version(history, presence.until, None, policy)
    approximate = _baseline_approximate(history, presence.baseline_at)
    candidates = [r for r in history.revisions if presence.baseline_at < r.at <= presence.until]
    changes = []
    for burst in group_bursts(candidates, policy.burst):
        change = _judge_burst(history, burst, presence, sprint, policy, approximate)
        if change is not None:
            changes.append(change)
    net = compare_ac(
        baseline.text, current.text, whole_field=_whole(history), headings=policy.ac_headings
    )
    return IssueFinding(
        issue=history.issue,
        baseline=baseline,
        current=current,
        net_diff=net.diff if net.kind is ChangeKind.SUBSTANTIVE else CriteriaDiff(),
        changes=tuple(changes),
        added_after_start=presence.added_after_start,
        removed_before_end=presence.removed_before_end,
        baseline_approximate=approximate,
    )


def _baseline_approximate(history: IssueHistory, baseline_at: datetime) -> bool:
    """Where old texts come only from sync's snapshots (Linear), a baseline is
    approximate when the issue was first seen after the baseline moment and the
    tracker recorded an edit of the text in between: that text was never seen."""
    if history.exact_history or not history.snapshots:
        return False
    first_seen = history.snapshots[0].seen_at
    return first_seen > baseline_at and any(
        baseline_at < e.at <= first_seen for e in history.text_edits
    )


def group_bursts(revisions: Sequence[TextRevision], burst: timedelta) -> list[list[TextRevision]]:
    """Saves by the same person, each within ``burst`` of the previous one, are one change."""
    groups: list[list[TextRevision]] = []
    for revision in sorted(revisions, key=lambda r: (r.at, r.id)):
        if groups:
            last = groups[-1][-1]
            author = last.author
            same = author.same_as(revision.author) if author else revision.author is None
            if same and revision.at - last.at <= burst:
                groups[-1].append(revision)
                continue
        groups.append([revision])
    return groups


def _judge_burst(
    history: IssueHistory,
    burst: list[TextRevision],
    presence: _Presence,
    sprint: Sprint,
    policy: Policy,
    approximate: bool,
) -> ChangeFinding | None:
    first, last = burst[0], burst[-1]
    whole = _whole(history)
    comparison = compare_ac(
        first.from_text, last.to_text, whole_field=whole, headings=policy.ac_headings
    )
    if comparison.kind is ChangeKind.NONE:
        return None
    context = ChangeContext(history.issue.key, first.at, last.at, last.author, comparison.kind)
    judgement = judge_change(context, history.comments, history.links, policy)
    before_text, after_text = first.from_text or "", last.to_text or ""
    started = sprint.started_at
    return ChangeFinding(
        issue=history.issue,
        changed_at=last.at,
        changed_by=last.author,
        verdict=judgement.verdict,
        # not diffed, but still judged on its evidence, so one field cannot stop a report
        reason=f"{TOO_LARGE_REASON}; {judgement.reason}"
        if comparison.too_large
        else judgement.reason,
        diff=comparison.diff,
        before=AcVersion(first.at, None, before_text, whole, policy.ac_headings),
        after=AcVersion(last.at, last.author, after_text, whole, policy.ac_headings),
        added_after_start=presence.added_after_start,
        baseline_approximate=approximate,
        saves=len(burst),
        evidence=judgement.evidence,
        considered=judgement.considered,
        phrases=find_phrases(context, history.comments, policy),
        hours_into_sprint=(last.at - started).total_seconds() / 3600 if started else None,
    )


def _summary(findings: Sequence[IssueFinding], changes: Sequence[ChangeFinding]) -> Summary:
    verdicts = Counter(c.verdict for c in changes)
    return Summary(
        issues=len(findings),
        issues_with_ac_changes=sum(
            1 for f in findings if any(c.verdict is not Verdict.COSMETIC for c in f.changes)
        ),
        changes=len(changes),
        flagged=verdicts[Verdict.FLAGGED],
        discussed=verdicts[Verdict.DISCUSSED],
        cosmetic=verdicts[Verdict.COSMETIC],
    )


def trend_point(report: SprintReport) -> TrendPoint:
    """The measures of one sprint for ``tracker trend``."""
    judged = [c for c in report.changes if c.verdict is not Verdict.COSMETIC]
    flagged = sum(1 for c in judged if c.verdict is Verdict.FLAGGED)
    delays = [
        max(0.0, min((at - c.changed_at).total_seconds() for at in stamps) / 3600)
        for c in judged
        if c.verdict is Verdict.DISCUSSED
        and (stamps := [e.at for e in c.evidence if e.at is not None])
    ]
    editors = Counter(c.changed_by.name if c.changed_by else "unknown" for c in judged)
    return TrendPoint(
        sprint=report.sprint,
        summary=report.summary,
        share_flagged=flagged / len(judged) if judged else 0.0,
        median_hours_to_discussion=statistics.median(delays) if delays else None,
        changes_by_editor=tuple(sorted(editors.items(), key=lambda kv: (-kv[1], kv[0]))),
        median_sprint_fraction=_median_fraction(report, judged),
    )


def _median_fraction(report: SprintReport, judged: Sequence[ChangeFinding]) -> float | None:
    sprint = report.sprint
    if sprint.started_at is None:
        return None
    end = sprint.ended_at or sprint.planned_end or report.generated_at
    length = (end - sprint.started_at).total_seconds()
    if length <= 0 or not judged:
        return None
    return statistics.median(
        min(1.0, max(0.0, (c.changed_at - sprint.started_at).total_seconds() / length))
        for c in judged
    )


def resolve_sprint(sprints: Sequence[Sprint], value: str, source: str | None = None) -> Sprint:
    """A sprint by Jira id (``42``), Linear key (``ENG-12``), name, ``current`` (the
    active one) or ``previous`` (the most recently completed one, per source and board).
    Unknown or ambiguous values are usage errors that list what would match, each in a
    form ``--sprint`` accepts."""
    pool = [s for s in sprints if source is None or s.source == source]
    wanted = value.strip()
    lowered = wanted.lower()
    if not wanted:
        raise UsageError(
            "--sprint is empty: give a sprint id, a name, a Linear TEAM-NUMBER, "
            "`current` or `previous`"
        )
    if not pool:
        raise UsageError("no sprints are stored yet: run `tracker sync` first")
    if lowered in ("current", "previous"):
        return _one(value, _current(pool) if lowered == "current" else _previous(pool))
    for found in (
        [s for s in pool if s.id == wanted],
        [s for s in pool if (s.key or "").lower() == lowered],
        [s for s in pool if s.name.lower() == lowered],
    ):
        if found:
            return _one(value, found)
    near = [s for s in pool if lowered in s.name.lower() or lowered in (s.key or "").lower()]
    hint = f"; did you mean {', '.join(repr(s.key or s.id) for s in near[:5])}?" if near else ""
    raise UsageError(f"no sprint matches {value!r}{hint} (run `tracker sprints` to list them)")


def sprint_handle(sprint: Sprint) -> str:
    """How to name ``sprint`` on the command line: ``--source S --sprint ID``."""
    return f"--source {sprint.source} --sprint {sprint.key or sprint.id}"


def _one(value: str, found: list[Sprint]) -> Sprint:
    if len(found) == 1:
        return found[0]
    if not found:
        state = "active" if value.strip().lower() == "current" else "completed"
        raise UsageError(
            f"no {state} sprint is stored for --sprint {value.strip()}: "
            "run `tracker sync`, or name the sprint (`tracker sprints` lists them)"
        )
    listed = "; ".join(f"{sprint_handle(s)} ({s.name})" for s in found)
    raise UsageError(f"sprint {value!r} is ambiguous: use one of: {listed}")


def _current(pool: Sequence[Sprint]) -> list[Sprint]:
    return [s for s in pool if s.state is SprintState.ACTIVE]


def _previous(pool: Sequence[Sprint]) -> list[Sprint]:
    """Per source and board (a Linear team), the sprint that completed last."""
    latest: dict[tuple[str, str], Sprint] = {}
    for sprint in pool:
        if sprint.state is not SprintState.CLOSED:
            continue
        group = (sprint.source, sprint.board)
        held = latest.get(group)
        if held is None or _completed_key(sprint) > _completed_key(held):
            latest[group] = sprint
    return list(latest.values())


def _completed_key(sprint: Sprint) -> tuple[datetime, datetime]:
    never = datetime.min.replace(tzinfo=UTC)
    return (sprint.ended_at or sprint.planned_end or never, sprint.started_at or never)
