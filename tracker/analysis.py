"""Sprint analysis: raw stored history → judged AC changes (pure; no I/O).

For each issue that was in the sprint at any time during it:
- its **baseline** is the AC text at the sprint's start, or at the moment it joined the
  sprint if that was later (then it is also ``added_after_start``);
- every later save of the AC-bearing field inside the sprint's span (start → completion,
  or now while active; cut at the issue's removal) is a candidate; saves by one person
  with gaps no longer than ``burst`` form one change;
- a candidate whose AC part did not change at all (an edit outside the AC section) is no
  change; the rest are ``cosmetic`` or judged by the policy;
- saves within ``grace`` of the baseline moment are planning: the baseline is the AC as
  it stood at start (or joining) + grace;
- where the tracker never saw the text before an edit it knows of (a Linear cycle first
  synced after it started), each such edit (bursts grouped) is a change with the verdict
  ``unknown``: never judged, never dropped;
- every judged change carries its kind (``defined_after_start``, ``scope``) and the
  estimate beside it (see ``tracker.kinds``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

from tracker.ac.diff import TOO_LARGE_REASON, ChangeKind, compare_ac
from tracker.domain import IssueHistory, Person, Sprint, SprintState, TextEdit, TextRevision
from tracker.errors import UsageError
from tracker.findings import (
    AcVersion,
    ChangeFinding,
    CriteriaDiff,
    EstimateView,
    IssueFinding,
    SprintReport,
    Summary,
    TrendPoint,
    Verdict,
)
from tracker.kinds import (
    estimate_view,
    has_criteria,
    points_added,
    real_criteria,
    reestimate_after,
    scope_of,
)
from tracker.policy import ChangeContext, Policy, find_phrases, judge_change, judge_unseen

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
    if start is not None and start <= now:
        for history in histories:
            presence = _presence(history, sprint.id, start, end, policy.grace)
            if presence is not None:
                findings.append(_issue_finding(history, presence, sprint, policy))
    findings.sort(key=lambda f: f.issue.key)
    changes = tuple(
        sorted((c for f in findings for c in f.changes), key=lambda c: (c.changed_at, c.issue.key))
    )
    return SprintReport(sprint, now, tuple(findings), changes, _summary(findings, changes))


def _presence(
    history: IssueHistory, sprint_id: str, start: datetime, end: datetime, grace: timedelta
) -> _Presence | None:
    """When the issue was in the sprint, from its membership events; None if never
    during the sprint's span. The baseline moment includes ``grace``."""
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
        baseline_at=min(max(first_join, start) + grace, end),
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
    changes = _unseen_changes(history, presence, sprint, policy) if approximate else []
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
        without_ac_at_start=not approximate and not has_criteria(baseline.criteria),
        estimate=_estimate(history, presence),
    )


def _estimate(
    history: IssueHistory,
    presence: _Presence,
    span: tuple[datetime, datetime] | None = None,
    window: timedelta = timedelta(0),
) -> EstimateView | None:
    """The estimate at the baseline and at the span's end; with a change's ``span``
    (first and last save), also the re-estimate inside ``window`` after it."""
    changes = sorted(history.estimates, key=lambda c: (c.at, c.id))
    again = reestimate_after(changes, span[0], span[1], window) if span else None
    return estimate_view(
        changes, history.issue.estimate, presence.baseline_at, presence.until, again
    )


def _unseen_changes(
    history: IssueHistory, presence: _Presence, sprint: Sprint, policy: Policy
) -> list[ChangeFinding]:
    """The edits the API recorded between the baseline moment and the first time the
    tracker saw the text: each burst is an ``unknown`` change."""
    first_seen = history.snapshots[0].seen_at
    edits = [e for e in history.text_edits if presence.baseline_at < e.at <= first_seen]
    found = []
    whole = _whole(history)
    for burst in group_bursts(edits, policy.burst):
        first, last = burst[0], burst[-1]
        context = ChangeContext(
            history.issue.key, first.at, last.at, last.author, ChangeKind.SUBSTANTIVE
        )
        judgement = judge_unseen(context, history.comments, history.links, policy, first_seen)
        found.append(
            ChangeFinding(
                issue=history.issue,
                changed_at=last.at,
                changed_by=last.author,
                verdict=judgement.verdict,
                reason=judgement.reason,
                diff=CriteriaDiff(),
                before=AcVersion(first.at, None, "", whole, policy.ac_headings),
                after=AcVersion(last.at, last.author, "", whole, policy.ac_headings),
                added_after_start=presence.added_after_start,
                baseline_approximate=True,
                saves=len(burst),
                considered=judgement.considered,
                phrases=find_phrases(context, history.comments, policy),
                hours_into_sprint=_hours(sprint, last.at),
                estimate=_estimate(history, presence, (first.at, last.at), policy.window_after),
            )
        )
    return found


def _hours(sprint: Sprint, at: datetime) -> float | None:
    started = sprint.started_at
    return (at - started).total_seconds() / 3600 if started else None


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


class _Save(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def author(self) -> Person | None: ...


_S = TypeVar("_S", TextRevision, TextEdit)


def group_bursts(revisions: Sequence[_S], burst: timedelta) -> list[list[_S]]:
    """Saves by the same person, each within ``burst`` of the previous one, are one change."""
    groups: list[list[_S]] = []
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
    before = AcVersion(first.at, None, first.from_text or "", whole, policy.ac_headings)
    after = AcVersion(last.at, last.author, last.to_text or "", whole, policy.ac_headings)
    diff = comparison.diff
    defined = False
    substantive = comparison.kind is ChangeKind.SUBSTANTIVE and not comparison.too_large
    if substantive and not has_criteria(before.criteria):
        # A placeholder is no criterion: the change wrote the spec, it replaced nothing.
        defined = has_criteria(after.criteria)
        if defined:
            diff = CriteriaDiff(added=real_criteria(after.criteria))
    cosmetic = judgement.verdict is Verdict.COSMETIC
    return ChangeFinding(
        issue=history.issue,
        changed_at=last.at,
        changed_by=last.author,
        verdict=judgement.verdict,
        # not diffed, but still judged on its evidence, so one field cannot stop a report
        reason=f"{TOO_LARGE_REASON}; {judgement.reason}"
        if comparison.too_large
        else judgement.reason,
        diff=diff,
        before=before,
        after=after,
        added_after_start=presence.added_after_start,
        baseline_approximate=approximate,
        saves=len(burst),
        evidence=judgement.evidence,
        considered=judgement.considered,
        phrases=find_phrases(context, history.comments, policy),
        hours_into_sprint=_hours(sprint, last.at),
        defined_after_start=defined,
        scope=None if cosmetic else scope_of(diff),
        estimate=_estimate(history, presence, (first.at, last.at), policy.window_after),
    )


def _summary(findings: Sequence[IssueFinding], changes: Sequence[ChangeFinding]) -> Summary:
    verdicts = Counter(c.verdict for c in changes)
    judged = (Verdict.FLAGGED, Verdict.DISCUSSED)
    return Summary(
        issues=len(findings),
        issues_with_ac_changes=sum(
            1 for f in findings if any(c.verdict in judged for c in f.changes)
        ),
        changes=len(changes),
        flagged=verdicts[Verdict.FLAGGED],
        discussed=verdicts[Verdict.DISCUSSED],
        cosmetic=verdicts[Verdict.COSMETIC],
        unknown=verdicts[Verdict.UNKNOWN],
        defined_after_start=sum(1 for c in changes if c.defined_after_start),
        issues_without_ac=sum(1 for f in findings if not has_criteria(f.current.criteria)),
        issues_baseline_approximate=sum(1 for f in findings if f.baseline_approximate),
        points_added_after_start=sum(
            points_added(f.estimate.at_start, f.estimate.now, joined_late=f.added_after_start)
            for f in findings
            if f.estimate is not None
        ),
    )


def trend_point(report: SprintReport) -> TrendPoint:
    """The measures of one sprint for ``tracker trend``."""
    judged = [c for c in report.changes if c.verdict in (Verdict.FLAGGED, Verdict.DISCUSSED)]
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
