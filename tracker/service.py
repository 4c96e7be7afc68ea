"""Library functions behind the commands that read the store: reports, trends, one
issue's timeline. The CLI parses, calls one of these and renders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker import clock, collector
from tracker.analysis import analyse_sprint, resolve_sprint, sprint_handle, trend_point
from tracker.domain import Sprint, SprintState
from tracker.errors import UsageError
from tracker.findings import IssueFinding, SprintReport, TrendPoint
from tracker.policy import Policy
from tracker.store import HistoryRead, Store


def build_report(
    store: Store, policy: Policy, sprint: str, source: str | None = None
) -> SprintReport:
    chosen = resolve_sprint(store.sprints(source), sprint, source)
    with collector.paused():
        return _analyse(store, policy, chosen)


def for_judging(store: Store, source: str, sprint_ids: Sequence[str]) -> HistoryRead:
    """What a report or trend reads: each issue's history from the earliest sprint
    start it had (plus the text then), and evidence only for issues edited since, which
    is sound only where the revisions are the whole history (the source says so)."""
    exact = store.keeps_exact_history(source)
    return HistoryRead(
        source,
        tuple(sprint_ids),
        exact_history=exact,
        windowed=True,
        evidence_of_changed_only=exact,
    )


def _analyse(store: Store, policy: Policy, sprint: Sprint) -> SprintReport:
    histories = store.histories(for_judging(store, sprint.source, [sprint.id]))
    return analyse_sprint(sprint, histories, policy, now=clock.now())


def build_trend(
    store: Store, policy: Policy, *, source: str | None = None, last: int = 10
) -> list[TrendPoint]:
    """The last ``last`` started sprints (per source), oldest first."""
    started = [
        s
        for s in store.sprints(source)
        if s.started_at is not None and s.state is not SprintState.FUTURE
    ]
    by_source: dict[str, list[Sprint]] = {}
    for sprint in started:
        by_source.setdefault(sprint.source, []).append(sprint)
    points: list[TrendPoint] = []
    now = clock.now()
    with collector.paused():
        for source_name, sprints in by_source.items():
            chosen = sorted(sprints, key=lambda s: (s.started_at, s.id))[-last:]
            # One read for all of a source's sprints: a few statements instead of a few
            # per sprint, and an issue that was in two of them is read once.
            histories = store.histories(for_judging(store, source_name, [s.id for s in chosen]))
            member_of = [{m.sprint_id for m in h.memberships} for h in histories]
            for sprint in chosen:
                mine = [h for h, ids in zip(histories, member_of, strict=True) if sprint.id in ids]
                points.append(trend_point(analyse_sprint(sprint, mine, policy, now=now)))
    return sorted(points, key=lambda p: (p.sprint.started_at, p.sprint.source, p.sprint.id))


@dataclass(frozen=True, slots=True)
class IssueTimeline:
    sprint: Sprint
    finding: IssueFinding
    other_sprints: tuple[Sprint, ...]


def issue_timeline(
    store: Store,
    policy: Policy,
    issue_key: str,
    *,
    sprint: str | None = None,
    source: str | None = None,
) -> IssueTimeline:
    """One issue's AC in one sprint (the given one, else the latest it was in): every
    version, the diffs, the verdicts and their evidence."""
    member_of = store.sprints_of_issue(issue_key, source)
    if not member_of:
        raise UsageError(
            f"no issue {issue_key!r} is stored in any sprint: check the key, or run `tracker sync`"
        )
    if sprint is not None:
        # Resolved among all sprints, so a sprint that exists but did not hold the issue
        # is named as such rather than "unknown".
        chosen = resolve_sprint(store.sprints(source), sprint, source)
        if chosen not in member_of:
            listed = "; ".join(f"{sprint_handle(s)} ({s.name})" for s in member_of)
            raise UsageError(f"{issue_key} was not in {chosen.name!r}; it was in: {listed}")
    else:
        candidates = [s for s in member_of if s.started_at is not None] or member_of
        chosen = max(candidates, key=lambda s: (s.started_at is not None, s.started_at, s.id))
    exact = store.keeps_exact_history(chosen.source)
    read = HistoryRead(chosen.source, (chosen.id,), exact_history=exact, issue_key=issue_key)
    histories = store.histories(read)
    report = analyse_sprint(chosen, histories, policy, now=clock.now())
    if not report.issues:
        raise UsageError(
            f"{issue_key} was not in {chosen.name!r} while it ran; try another --sprint"
        )
    others = tuple(s for s in member_of if s != chosen)
    return IssueTimeline(chosen, report.issues[0], others)
