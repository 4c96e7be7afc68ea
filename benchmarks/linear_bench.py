"""The Linear half of the sync benchmark: ``LinearSource`` through the real path (Store on
SQLite in a temp dir, ``sync_source``) against the Linear simulator in scale mode.

One size runs: the first sync; 1% of the issues changed, then the nightly sync; then a sync
with nothing changed. Requests are counted by the simulator per GraphQL operation and set
against the floor, and so are Linear's complexity points (``X-Complexity``): per issue read,
and as a share of Linear's hourly budgets for an API key (3,000,000 points and 2,500
requests per user). The simulator enforces those budgets, and its clock moves only when the
connector waits for them (the injected ``sleep``), so a sync that would outrun the budget
shows its waits (``paused``) without taking them.

Linear budgets both requests and points, and the two pull apart: a nested connection asked
for on every issue costs points on every issue, while reading the rare long one separately
costs a request. The connector's page sizes are chosen for points first (a first sync of
5,000 issues must fit an hour's points with room to spare) and requests second, so the floor
is taken at those page sizes, the cheapest plan in points that reads everything:

The floor is the fewest requests Linear's pagination permits for what a sync had to read, at
given page sizes (``LinearLimits``): the cycles (50 a page); the issues to read (``last``
issues a page, at least one request to learn that nothing changed; an incremental sync's
pages start at ``incremental_page`` and double, as the connector's do, because a page is
charged for the issues it asks for, not the ones it returns); each nested connection's
overflow beyond what a page inlines (``follow_up_page`` a follow-up), including the labels
of the issue at the other end of each relation; and, on an incremental sync, one
``CommentsSince`` and one ``AttachmentsSince`` scan per 100 items: comments and attachments
do not bump an issue's ``updatedAt`` (the simulator's worst case), so no cheaper way finds
them. It is computed twice: at the connector's own page sizes, and with the issue page at the
largest the same query shape fits under Linear's 10,000-point ceiling per query
(``max_issue_page``) and no incremental ramp: the fewest requests any page size permits,
points aside.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from benchmarks.linear_scale import (
    LinearScaleFacts,
    LinearScaleSpec,
    apply_nightly_changes,
    build_linear_scale_workspace,
)
from benchmarks.sync_bench import CHANGED_SHARE, CHANGES_AT, FIRST_AT, NIGHTLY_AT, UNCHANGED_AT
from connectors.linear import LinearSource, queries
from connectors.linear.complexity import MAX_QUERY_COMPLEXITY, estimate_complexity
from connectors.sim.linear import LinearSimulator, LinearWorkspace
from connectors.sim.linear.resolvers import simulator_schema
from tracker import clock
from tracker.config import LinearSourceConfig
from tracker.store import Store
from tracker.sync import sync_source

HOURLY_POINTS = 3_000_000  # Linear's complexity budget per user and hour (API key)
HOURLY_REQUESTS = 2_500


@dataclass(frozen=True, slots=True)
class LinearLimits:
    """Page sizes: the connector's by default (``connectors.linear.queries``)."""

    issue_page: int = queries.ISSUE_PAGE
    incremental_page: int = queries.INCREMENTAL_PAGE  # the first page of an incremental sync
    history_inline: int = queries.HISTORY_PAGE
    comment_inline: int = queries.COMMENT_PAGE
    attachment_inline: int = queries.ATTACHMENT_PAGE
    relation_inline: int = queries.RELATION_PAGE
    label_inline: int = queries.LABEL_PAGE
    follow_up_page: int = queries.FOLLOW_UP_PAGE
    cycle_page: int = queries.CYCLE_PAGE
    scan_page: int = queries.SCAN_PAGE


@dataclass(frozen=True, slots=True)
class LinearIssueShape:
    history: int = 0
    comments: int = 0
    attachments: int = 0
    relations: int = 0
    inverse_relations: int = 0
    labels: int = 0
    far_labels: tuple[int, ...] = ()  # labels of the issue at the other end of each relation


@dataclass(frozen=True, slots=True)
class LinearFloor:
    cycles: int
    discovery: int
    issues: int
    follow_ups: int

    @property
    def total(self) -> int:
        return self.cycles + self.discovery + self.issues + self.follow_ups

    def as_dict(self) -> dict[str, int]:
        return {
            "cycles": self.cycles,
            "discovery": self.discovery,
            "issues": self.issues,
            "follow_ups": self.follow_ups,
            "total": self.total,
        }


def compute_linear_floor(
    issues: Sequence[LinearIssueShape],
    cycles: int,
    *,
    incremental: bool,
    comments_since: int = 0,
    attachments_since: int = 0,
    limits: LinearLimits = LinearLimits(),
) -> LinearFloor:
    """The fewest requests to read ``issues`` from a team with ``cycles`` cycles; an
    ``incremental`` sync also scans the comments and attachments changed since its bookmark
    (the first page of both in one request)."""
    discovery = 0
    if incremental:
        discovery = (
            1
            + max(0, math.ceil(comments_since / limits.scan_page) - 1)
            + max(0, math.ceil(attachments_since / limits.scan_page) - 1)
        )
    follow_ups = sum(_overflow(shape, limits) for shape in issues)
    return LinearFloor(
        cycles=max(1, math.ceil(cycles / limits.cycle_page)),
        discovery=discovery,
        issues=issue_pages(len(issues), incremental=incremental, limits=limits),
        follow_ups=follow_ups,
    )


def issue_pages(count: int, *, incremental: bool, limits: LinearLimits = LinearLimits()) -> int:
    """``IssuesPage`` requests to read ``count`` issues: ``issue_page`` a page, except that an
    incremental sync starts at ``incremental_page`` and doubles up to it; at least one."""
    size = limits.incremental_page if incremental else limits.issue_page
    pages, read = 1, min(size, limits.issue_page)
    while read < count:
        size = min(2 * size, limits.issue_page)
        pages, read = pages + 1, read + size
    return pages


def _overflow(shape: LinearIssueShape, limits: LinearLimits) -> int:
    pairs = [
        (shape.history, limits.history_inline),
        (shape.comments, limits.comment_inline),
        (shape.attachments, limits.attachment_inline),
        (shape.relations, limits.relation_inline),
        (shape.inverse_relations, limits.relation_inline),
        (shape.labels, limits.label_inline),
    ]
    pairs += [(n, limits.label_inline) for n in shape.far_labels]
    return sum(math.ceil((n - inline) / limits.follow_up_page) for n, inline in pairs if n > inline)


def max_issue_page(ceiling: int = MAX_QUERY_COMPLEXITY) -> int:
    """The largest ``last`` for which ``IssuesPage``, with its nested page sizes, costs at
    most ``ceiling`` points."""
    schema = simulator_schema()

    def cost(n: int) -> int:
        variables = {"filter": {}, "last": n}
        return estimate_complexity(queries.ISSUES_PAGE, schema, variables, "IssuesPage")

    size = 0
    while cost(size + 1) <= ceiling:
        size += 1
    return size


def workspace_shapes(
    ws: LinearWorkspace, identifiers: Iterable[str] | None = None
) -> list[LinearIssueShape]:
    """Shapes as of ``ws.now`` of ``identifiers`` (default: every visible issue)."""
    now = ws.now
    chosen = ws.visible_issues() if identifiers is None else [ws.issue(i) for i in identifiers]
    counts: dict[str, Counter[str]] = {i.id: Counter() for i in chosen}
    far: dict[str, list[int]] = {i.id: [] for i in chosen}
    rows: list[tuple[str, Iterable[tuple[str, datetime]]]] = [
        ("history", ((h.issue.id, h.times[0]) for h in ws.history)),
        ("comments", ((c.issue.id, c.created_at) for c in ws.comments)),
        ("attachments", ((a.issue.id, a.created_at) for a in ws.attachments)),
        ("relations", ((r.issue.id, r.created_at) for r in ws.relations)),
        ("inverse_relations", ((r.related.id, r.created_at) for r in ws.relations)),
    ]
    for kind, pairs in rows:
        for issue_id, at in pairs:
            if at <= now and issue_id in counts:
                counts[issue_id][kind] += 1
    for relation in ws.relations:
        if relation.created_at <= now:
            for near, other in (
                (relation.issue, relation.related),
                (relation.related, relation.issue),
            ):
                if near.id in far:
                    far[near.id].append(len(other.labels))
    return [
        LinearIssueShape(**counts[i.id], labels=len(i.labels), far_labels=tuple(far[i.id]))
        for i in chosen
    ]


def workspace_floor(
    ws: LinearWorkspace,
    identifiers: Iterable[str] | None = None,
    since: datetime | None = None,
    limits: LinearLimits = LinearLimits(),
) -> LinearFloor:
    """The floor for reading ``identifiers`` (default: all) as of ``ws.now``; with ``since``,
    an incremental sync that scans what was commented or attached after it."""
    now = ws.now
    return compute_linear_floor(
        workspace_shapes(ws, identifiers),
        sum(1 for c in ws.cycles if c.created_at <= now),
        incremental=since is not None,
        comments_since=_since(since, now, (c.created_at for c in ws.comments)),
        attachments_since=_since(since, now, (a.created_at for a in ws.attachments)),
        limits=limits,
    )


def _since(since: datetime | None, now: datetime, times: Iterable[datetime]) -> int:
    return 0 if since is None else sum(1 for t in times if since <= t <= now)


@dataclass(slots=True)
class LinearRun:
    label: str
    issues: int  # bundles stored
    requests: int
    floor: LinearFloor
    best: LinearFloor  # the floor at ``max_issue_page``
    points: int  # complexity points the simulator charged
    points_seen: int  # what the connector summed from ``X-Complexity``
    wall: float
    by_operation: Counter[str] = field(default_factory=Counter)
    paused: float = 0.0  # seconds the connector waited for the budget (simulated, not taken)
    rejected: int = 0  # queries the simulator refused as RATELIMITED

    @property
    def ratio(self) -> float:
        return self.requests / self.floor.total if self.floor.total else 0.0

    @property
    def points_per_issue(self) -> float | None:
        return self.points / self.issues if self.issues else None

    @property
    def points_share(self) -> float:
        """Of Linear's hourly complexity budget for an API key."""
        return self.points / HOURLY_POINTS

    @property
    def requests_share(self) -> float:
        return self.requests / HOURLY_REQUESTS

    @property
    def ratio_best(self) -> float:
        return self.requests / self.best.total if self.best.total else 0.0


@dataclass(slots=True)
class LinearResult:
    size: int
    cycles: int
    history: int
    comments: int
    attachments: int
    relations: int
    build_seconds: float
    issue_page: int
    max_page: int
    latency: float
    points_per_hour: int = HOURLY_POINTS
    runs: dict[str, LinearRun] = field(default_factory=dict)
    seconds: float = 0.0


class _Clock:
    """The tracker's and the simulator's clock: set per sync, moved by the connector's waits."""

    def __init__(self) -> None:
        self.at = FIRST_AT
        self.slept = 0.0

    def __call__(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.at += timedelta(seconds=seconds)


def run_linear(
    size: int,
    *,
    latency: float,
    seed: int = 7,
    points_per_hour: int = HOURLY_POINTS,
    requests_per_hour: int = HOURLY_REQUESTS,
) -> LinearResult:
    """Build a workspace of ``size`` issues and run the three syncs against it, under
    Linear's hourly budgets (an API key's, unless given)."""
    started = time.perf_counter()
    ws, facts = build_linear_scale_workspace(LinearScaleSpec.sized(size, seed))
    result = LinearResult(
        size,
        facts.cycles,
        len(ws.history),
        len(ws.comments),
        len(ws.attachments),
        len(ws.relations),
        time.perf_counter() - started,
        queries.ISSUE_PAGE,
        max_issue_page(),
        latency,
        points_per_hour,
    )
    now = _Clock()
    clock.set_clock(now)
    sim = LinearSimulator(
        ws,
        facts.api_key,
        latency=latency,
        requests_per_hour=requests_per_hour,
        complexity_per_hour=points_per_hour,
    )
    try:
        with tempfile.TemporaryDirectory() as tmp, sim:
            _scenario(result, ws, facts, sim, Path(tmp), now)
    finally:
        clock.reset_clock()
    result.seconds = time.perf_counter() - started
    return result


def _scenario(
    result: LinearResult,
    ws: LinearWorkspace,
    facts: LinearScaleFacts,
    sim: LinearSimulator,
    tmp: Path,
    now: _Clock,
) -> None:
    store = Store(f"sqlite:///{tmp / 'tracker.db'}")
    best = replace(LinearLimits(), issue_page=result.max_page, incremental_page=result.max_page)
    try:
        _at(ws, now, FIRST_AT)
        floors = (workspace_floor(ws), workspace_floor(ws, limits=best))
        result.runs["first"] = _sync(sim, store, facts, "first", floors, now)
        changed = apply_nightly_changes(ws, CHANGED_SHARE, CHANGES_AT)
        _at(ws, now, NIGHTLY_AT)
        floors = (
            workspace_floor(ws, changed, FIRST_AT),
            workspace_floor(ws, changed, FIRST_AT, best),
        )
        result.runs["nightly"] = _sync(sim, store, facts, "nightly (1% changed)", floors, now)
        _at(ws, now, UNCHANGED_AT)
        floors = (workspace_floor(ws, [], NIGHTLY_AT), workspace_floor(ws, [], NIGHTLY_AT, best))
        result.runs["unchanged"] = _sync(sim, store, facts, "nothing changed", floors, now)
    finally:
        store.close()


def _at(ws: LinearWorkspace, now: _Clock, moment: datetime) -> None:
    """The tracker's clock and what the simulated Linear shows move together."""
    now.at = moment
    ws.advance_to(moment)


def linear_config(url: str, facts: LinearScaleFacts) -> LinearSourceConfig:
    return LinearSourceConfig(
        name="scale-linear",
        type="linear",
        url=url,
        token_env="SCALE_LINEAR_API_KEY",
        teams=[facts.team],
        token=SecretStr(facts.api_key),
        # The tight-budget runs give the simulator a few thousand points an hour, so one
        # query's refill takes minutes (the clock only moves when the client sleeps).
        max_wait=3600,
    )


def _sync(
    sim: LinearSimulator,
    store: Store,
    facts: LinearScaleFacts,
    label: str,
    floors: tuple[LinearFloor, LinearFloor],
    now: _Clock,
) -> LinearRun:
    sim.requests.clear()
    sim.rate_limited.clear()
    points_before, slept_before = sim.complexity, now.slept
    source = LinearSource(linear_config(sim.url, facts), sleep=now.sleep)
    started = time.perf_counter()
    try:
        outcome = sync_source(store, source, url=sim.url)
    finally:
        source.close()
    wall = time.perf_counter() - started
    counted = Counter(sim.requests)
    return LinearRun(
        label,
        outcome.issues,
        sum(counted.values()),
        floors[0],
        floors[1],
        sim.complexity - points_before,
        source.stats.complexity,
        wall,
        counted,
        paused=now.slept - slept_before,
        rejected=sum(sim.rate_limited.values()),
    )
