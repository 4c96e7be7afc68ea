"""Report speed and memory: ``build_report`` for one big sprint and ``build_trend``
(last 20) out of a database of ~400,000 AC revisions, on SQLite and PostgreSQL.

The database is written straight through ``Store.save_page`` with generated
``IssueBundle`` records (the sync path's own writer, without HTTP), in pages of 1000.
Issues are spread over ``boards`` boards of consecutive two-week sprints of 100 issues;
the newest sprint of board 0 holds ``sprint_issues`` issues. Each issue has ``revisions``
AC revisions, most of them before its sprint, a few inside it; three comments; some links.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._criteria import criteria, edit_criteria
from benchmarks.jira_scale import render_ac
from tracker import clock
from tracker.ac import clear_caches
from tracker.domain import (
    Comment,
    Issue,
    IssueBundle,
    Link,
    LinkKind,
    MembershipChange,
    Person,
    Sprint,
    SprintState,
    TextRevision,
)
from tracker.policy import Policy
from tracker.service import build_report, build_trend, for_judging
from tracker.store import Store

SOURCE = "bench"
AC_FIELD = "customfield_10100"
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
SPRINT = timedelta(days=14)
PAGE = 1000
_PEOPLE = [Person(f"acc-{n}", f"Person {n}", f"p{n}@bench.example") for n in range(24)]
ENGINEERS = [p.email or "" for p in _PEOPLE[:12]]


@dataclass(frozen=True, slots=True)
class ReportSpec:
    revisions: int = 400_000
    sprint_issues: int = 2_000
    per_sprint: int = 100
    revisions_per_issue: int = 20
    boards: int = 10
    changed_share: float = 0.2  # issues whose AC is edited while their sprint runs
    seed: int = 5

    @property
    def issues(self) -> int:
        return max(self.sprint_issues, self.revisions // self.revisions_per_issue)


@dataclass(slots=True)
class Timing:
    best: float
    median: float
    cold: float
    peak_mb: float
    load: float  # of the best run: reading the store (the rest is analysis)


@dataclass(slots=True)
class ReportResult:
    backend: str
    rows: dict[str, int]
    build_seconds: float
    report: Timing | None = None
    # wall seconds of whole `tracker` processes (start-up, config, store, report, output)
    commands: dict[str, tuple[float, float]] = field(default_factory=dict)  # (s, MB)
    trend: Timing | None = None
    changes: int = 0
    trend_sprints: int = 0
    trend_issues: int = 0
    report_issues: int = 0
    notes: list[str] = field(default_factory=list)


def plan_sprints(spec: ReportSpec) -> list[tuple[Sprint, int]]:
    """(sprint, issues in it) for every sprint; the big one is board 0's newest."""
    others = spec.issues - spec.sprint_issues
    per_board = max(1, -(-others // (spec.per_sprint * spec.boards)))
    out: list[tuple[Sprint, int]] = []
    left = others
    for b in range(spec.boards):
        for s in range(per_board):
            start = NOW - (per_board - s) * SPRINT
            newest = s == per_board - 1
            count = min(left, spec.per_sprint)
            if b == 0 and newest:
                count = spec.sprint_issues
            else:
                left -= count
            state = SprintState.ACTIVE if newest else SprintState.CLOSED
            sprint = Sprint(
                SOURCE,
                str(5000 + b * 1000 + s),
                f"Bench {b:02d} Sprint {s + 1}",
                state,
                start,
                None if newest else start + SPRINT,
                start + SPRINT,
                board=str(b),
            )
            out.append((sprint, count))
    return out


def _bundle(
    rng: random.Random, key: str, sprint: Sprint, revisions: int, changed_share: float
) -> IssueBundle:
    assert sprint.started_at is not None
    start = sprint.started_at
    created = start - timedelta(days=60)
    items = criteria(rng, rng.randint(2, 5))
    revs = []
    # Most edits come before the sprint; a share of the issues get 1-3 inside it.
    inside = rng.randint(1, 3) if rng.random() < changed_share else 0
    moments = sorted(
        [created + (start - created) * rng.random() for _ in range(revisions - inside)]
        + [start + (min(start + SPRINT, NOW) - start) * rng.random() for _ in range(inside)]
    )
    for n, at in enumerate(moments):
        before = render_ac(items)
        items = edit_criteria(rng, items)
        revs.append(
            TextRevision(
                SOURCE, key, f"{n}:0", at, rng.choice(_PEOPLE), AC_FIELD, before, render_ac(items)
            )
        )
    comments = tuple(
        Comment(
            SOURCE,
            key,
            f"{key}-c{n}",
            start + SPRINT * rng.random(),
            rng.choice(_PEOPLE),
            "Looks fine",
        )
        for n in range(3)
    )
    links: tuple[Link, ...] = ()
    if rng.random() < 0.1:
        links = (
            Link(
                SOURCE,
                key,
                f"{key}-l",
                LinkKind.REMOTE_LINK,
                "Design notes",
                "https://x.example",
                added_at=start + SPRINT * rng.random(),
                app="confluence",
            ),
        )
    joined = MembershipChange(
        SOURCE, key, sprint.id, start - timedelta(days=1), True, _PEOPLE[0], id=f"{key}-m"
    )
    issue = Issue(
        SOURCE,
        key,
        key.split("-")[1],
        f"Issue {key}",
        f"https://bench.example/browse/{key}",
        created_at=created,
        updated_at=moments[-1] if moments else created,
    )
    return IssueBundle(
        issue, AC_FIELD, render_ac(items), tuple(revs), (), (joined,), (sprint.id,), comments, links
    )


def fill_store(store: Store, spec: ReportSpec) -> list[Sprint]:
    rng = random.Random(spec.seed)
    plan = plan_sprints(spec)
    store.save_source(SOURCE, "jira", "https://bench.example", NOW)
    store.save_sprints([s for s, _ in plan])
    page: list[IssueBundle] = []
    number = 0
    for sprint, count in plan:
        for _ in range(count):
            number += 1
            page.append(
                _bundle(rng, f"B-{number}", sprint, spec.revisions_per_issue, spec.changed_share)
            )
            if len(page) >= PAGE:
                store.save_page(SOURCE, page, seen_at=NOW, cursor=None)
                page = []
    if page:
        store.save_page(SOURCE, page, seen_at=NOW, cursor=None)
    store.refresh_statistics()  # as `tracker sync` does after storing issues
    return [s for s, _ in plan]


def big_sprint(sprints: list[Sprint], spec: ReportSpec) -> Sprint:
    return next(
        s
        for s, n in plan_sprints(spec)
        if n == spec.sprint_issues and s.board == "0" and s.state is SprintState.ACTIVE
    )


def measure(
    fn: Callable[[], Any], repeat: int, load: Callable[[], Any], *, traced: bool = True
) -> Timing:
    """Peak memory from one traced call (tracemalloc slows Python down, so it is never
    timed; it also warms the caches), then ``repeat`` timed calls, and the part that
    reads the store timed alone."""
    peak = 0
    if traced:
        tracemalloc.start()
        try:
            fn()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    runs = [_timed(fn, cold=True) for _ in range(max(1, repeat))]
    return Timing(min(runs), statistics.median(runs), runs[0], peak / 2**20, _timed(load))


def _timed(fn: Callable[[], Any], *, cold: bool = False) -> float:
    """Wall time of one call; ``cold`` forgets memoised AC extraction first, so the
    time is what one `tracker report` process spends."""
    if cold:
        clear_caches()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run_report_bench(
    url: str,
    backend: str,
    spec: ReportSpec,
    repeat: int = 5,
    *,
    full: bool = True,
    trace_trend: bool = True,
    commands: bool = False,
) -> ReportResult:
    """Fill a store at ``url``, then time the report and, if ``full``, the trend (and,
    if ``commands``, whole `tracker` processes running them)."""
    clock.set_clock(lambda: NOW)
    try:
        started = time.perf_counter()
        store = Store(url)
        sprints = fill_store(store, spec)
        built = time.perf_counter() - started
        result = ReportResult(backend, store.counts(), built, report_issues=spec.sprint_issues)
        rules = Policy(engineers=tuple(ENGINEERS))
        target = big_sprint(sprints, spec)
        report = build_report(store, rules, target.id, SOURCE)
        result.changes = report.summary.changes
        result.report = measure(
            lambda: build_report(store, rules, target.id, SOURCE),
            repeat,
            lambda: store.histories(for_judging(store, SOURCE, [target.id])),
        )
        if not full:
            store.close()
            return result
        chosen = build_trend(store, rules, source=SOURCE, last=20)
        result.trend_sprints = len(chosen)
        result.trend_issues = sum(p.summary.issues for p in chosen)
        result.trend = measure(
            lambda: build_trend(store, rules, source=SOURCE, last=20),
            1,
            lambda: store.histories(for_judging(store, SOURCE, [p.sprint.id for p in chosen])),
            traced=trace_trend,
        )
        store.close()
        if commands:
            result.commands = time_commands(url, target.id)
        return result
    finally:
        clock.reset_clock()


def time_commands(url: str, sprint_id: str, repeat: int = 3) -> dict[str, tuple[float, float]]:
    """(best wall seconds, peak resident MB) of whole `tracker` processes against the
    filled database: what a user waits for, start-up (imports, config, opening the
    store) and output included."""
    runs = {
        "tracker --help (start-up only)": ["--help"],
        "tracker report (table)": ["report", "--sprint", sprint_id, "--source", SOURCE],
        "tracker report --format json": ["report", "--sprint", sprint_id, "--format", "json"],
        "tracker report --format html": ["report", "--sprint", sprint_id, "--format", "html"],
        "tracker trend --last 20": ["trend", "--last", "20"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "tracker.toml"
        config.write_text(f"database = {json.dumps(url)}\n", encoding="utf-8")
        env = {**os.environ, "TRACKER_CONFIG": str(config), "NO_COLOR": "1"}
        out: dict[str, tuple[float, float]] = {}
        for name, args in runs.items():
            best, peak = float("inf"), 0.0
            for _ in range(repeat):
                seconds, rss = _run(args, cwd=tmp, env=env)
                best = min(best, seconds)
                peak = max(peak, rss)
            out[name] = (best, peak)
    return out


# Runs `python -m tracker ARGS` and, as the process exits, writes its VmHWM (the peak
# resident set of its own address space) to stderr. The rusage of a child (wait4) would
# not do: Linux carries the forking parent's high-water mark across fork and exec, so
# every child would report this benchmark's own peak.
_PEAK_PROBE = """
import atexit, runpy, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("\\n" + line)
atexit.register(_peak)
sys.argv = ["tracker", *sys.argv[1:]]
runpy.run_module("tracker", run_name="__main__")
"""


def _run(args: list[str], *, cwd: str, env: dict[str, str]) -> tuple[float, float]:
    """Run one `tracker` process to its end; (wall seconds, its peak resident set in MB)."""
    command = [sys.executable, "-c", _PEAK_PROBE, *args]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, args, stderr=done.stderr)
    kib = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("VmHWM:")]
    return seconds, int(kib[-1]) / 1024


@contextmanager
def scratch_postgres(base_url: str) -> Iterator[str]:
    """A fresh database on the server ``base_url`` points at, dropped afterwards."""
    import psycopg

    name = f"tracker_bench_{uuid.uuid4().hex[:10]}"
    base = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    head = base.rpartition("/")[0].split("://", 1)[1]
    try:
        yield f"postgresql+psycopg://{head}/{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
