"""Sync through the real path (Store on SQLite in a temp dir, ``sync_source``,
``JiraSource``) against the simulator in scale mode, and the naive client beside it.

Each size runs: the first sync; optionally the same first sync with ``concurrency=1``;
1% of the issues edited, then the nightly incremental sync; then a sync with nothing
changed. Requests are counted by the simulator (the truth on the wire) and set against
the floor (``benchmarks.floor``) for exactly what each sync had to read; after the first
sync the floor's setup is warm (what a client may keep between syncs is not asked again).

``run_shaped`` does the same on a site of a kind real teams have
(``ScaleSpec.real_shaped``), edited until minutes before each sync, with the simulator
granting a given number of histories a bulk changelog page.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from benchmarks.floor import Floor, Limits, shape_of, sprint_starts, workspace_floor
from benchmarks.jira_scale import (
    ScaleFacts,
    ScaleSpec,
    apply_nightly_changes,
    build_scale_workspace,
)
from benchmarks.naive import NaiveClient, predict_naive
from connectors.jira.source import JiraSource
from connectors.sim.jira import JiraSimulator, JiraWorkspace
from tracker import clock
from tracker.config import JiraSourceConfig
from tracker.store import Store
from tracker.sync import sync_source

FIRST_AT = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
CHANGES_AT = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
NIGHTLY_AT = datetime(2026, 4, 2, 0, 0, tzinfo=UTC)
UNCHANGED_AT = datetime(2026, 4, 3, 0, 0, tzinfo=UTC)
CHANGED_SHARE = 0.01


@dataclass(slots=True)
class SyncRun:
    label: str
    issues: int
    requests: int
    floor: Floor
    wall: float
    by_endpoint: Counter[str] = field(default_factory=Counter)
    peak_mb: float = 0.0  # the process's peak RSS during the sync (simulator included)

    @property
    def ratio(self) -> float:
        return self.requests / self.floor.total if self.floor.total else 0.0


@dataclass(slots=True)
class NaiveRun:
    label: str
    issues: int
    requests: int
    wall: float
    ac_missed: int  # AC histories the inline changelog never showed
    issues_missed: int


@dataclass(slots=True)
class SizeResult:
    size: int
    histories: int
    comments: int
    build_seconds: float
    runs: dict[str, SyncRun] = field(default_factory=dict)
    naive: dict[str, NaiveRun] = field(default_factory=dict)
    naive_predicted: tuple[int, int, int] = (0, 0, 0)  # requests, AC edits missed, issues
    grant: int = 10_000  # histories the simulator grants a bulk changelog page
    ac_share: float = 0.15  # of the saves that edit the AC
    needy: int = 0  # issues whose AC changed after the start of a sprint they were in


class _Clock:
    """The tracker's clock, moved by the benchmark from one night to the next."""

    def __init__(self) -> None:
        self.at = FIRST_AT

    def __call__(self) -> datetime:
        return self.at


def run_size(
    size: int,
    *,
    latency: float,
    concurrency: int,
    sequential: bool = False,
    naive: bool = False,
    seed: int = 7,
) -> SizeResult:
    started = time.perf_counter()
    ws, facts = build_scale_workspace(ScaleSpec.sized(size, seed))
    issues = list(ws.issues.values())
    result = SizeResult(
        size,
        sum(len(i.histories) for i in issues),
        sum(len(i.comments) for i in issues),
        time.perf_counter() - started,
        naive_predicted=predict_naive(ws, facts.boards),
    )
    now = _Clock()
    clock.set_clock(now)
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            JiraSimulator(ws, email=facts.email, token=facts.token, latency=latency) as sim,
        ):
            _scenario(result, ws, facts, sim, Path(tmp), now, concurrency, sequential, naive)
    finally:
        clock.reset_clock()
    return result


def _scenario(
    result: SizeResult,
    ws: JiraWorkspace,
    facts: ScaleFacts,
    sim: JiraSimulator,
    tmp: Path,
    now: _Clock,
    concurrency: int,
    sequential: bool,
    naive: bool,
) -> None:
    store = Store(f"sqlite:///{tmp / 'tracker.db'}")
    everything = workspace_floor(ws, facts.boards)
    result.runs["first"] = _sync(sim, store, facts, concurrency, "first", everything)
    if sequential:
        alone = Store(f"sqlite:///{tmp / 'sequential.db'}")
        result.runs["sequential"] = _sync(sim, alone, facts, 1, "first, concurrency 1", everything)
        alone.close()
    if naive:
        result.naive["first"] = _naive(sim, ws, facts, concurrency, None, "first")
    changed = apply_nightly_changes(ws, CHANGED_SHARE, CHANGES_AT)
    now.at = NIGHTLY_AT
    nightly = workspace_floor(ws, facts.boards, changed, warm=True)
    result.runs["nightly"] = _sync(sim, store, facts, concurrency, "nightly (1% changed)", nightly)
    if naive:
        result.naive["nightly"] = _naive(sim, ws, facts, concurrency, FIRST_AT, "nightly")
    now.at = UNCHANGED_AT
    unchanged = workspace_floor(ws, facts.boards, [], warm=True)
    result.runs["unchanged"] = _sync(sim, store, facts, concurrency, "nothing changed", unchanged)
    store.close()


# The real-shaped site: edited until minutes before each sync, a day apart.
SHAPED_FIRST_AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SHAPED_NIGHTLY_AT = SHAPED_FIRST_AT + timedelta(days=1)
SHAPED_UNCHANGED_AT = SHAPED_NIGHTLY_AT + timedelta(days=1)
SHAPED_DAY = timedelta(hours=8)  # the working day's edits end minutes before the sync


def run_shaped(
    grant: int,
    *,
    latency: float,
    concurrency: int,
    ac_share: float = 0.05,
    naive: bool = False,
    seed: int = 7,
) -> SizeResult:
    """First, nightly and nothing-changed syncs of ``ScaleSpec.real_shaped``, with the
    simulator granting ``grant`` histories a bulk changelog page."""
    started = time.perf_counter()
    ws, facts = build_scale_workspace(
        ScaleSpec.real_shaped(SHAPED_FIRST_AT - timedelta(minutes=3), seed, ac_share)
    )
    issues = list(ws.issues.values())
    result = SizeResult(
        len(issues),
        sum(len(i.histories) for i in issues),
        sum(len(i.comments) for i in issues),
        time.perf_counter() - started,
        naive_predicted=predict_naive(ws, facts.boards),
        grant=grant,
        ac_share=ac_share,
        needy=sum(1 for i in issues if shape_of(i, sprint_starts(ws)).ac_changes),
    )
    limits = Limits(bulk_page=grant)
    now = _Clock()
    now.at = SHAPED_FIRST_AT
    clock.set_clock(now)
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            JiraSimulator(
                ws, email=facts.email, token=facts.token, latency=latency, bulk_grant=grant
            ) as sim,
        ):
            store = Store(f"sqlite:///{Path(tmp) / 'tracker.db'}")
            first = workspace_floor(ws, facts.boards, limits=limits)
            result.runs["first"] = _sync(sim, store, facts, concurrency, "first", first)
            if naive:
                result.naive["first"] = _naive(sim, ws, facts, concurrency, None, "first")
            day = SHAPED_NIGHTLY_AT - SHAPED_DAY - timedelta(minutes=2)
            changed = apply_nightly_changes(ws, CHANGED_SHARE, day, spread=SHAPED_DAY)
            now.at = SHAPED_NIGHTLY_AT
            nightly = workspace_floor(ws, facts.boards, changed, limits, warm=True)
            result.runs["nightly"] = _sync(
                sim, store, facts, concurrency, "nightly (1% changed)", nightly
            )
            now.at = SHAPED_UNCHANGED_AT
            unchanged = workspace_floor(ws, facts.boards, [], limits, warm=True)
            result.runs["unchanged"] = _sync(
                sim, store, facts, concurrency, "nothing changed", unchanged
            )
            store.close()
    finally:
        clock.reset_clock()
    return result


def jira_config(url: str, facts: ScaleFacts, concurrency: int) -> JiraSourceConfig:
    return JiraSourceConfig(
        name="scale",
        type="jira",
        url=url,
        email=facts.email,
        token_env="SCALE_JIRA_TOKEN",
        boards=list(facts.boards),
        concurrency=concurrency,
        token=SecretStr(facts.token),
    )


def _sync(
    sim: JiraSimulator,
    store: Store,
    facts: ScaleFacts,
    concurrency: int,
    label: str,
    floor: Floor,
) -> SyncRun:
    sim.requests.clear()
    source = JiraSource(jira_config(sim.url, facts, concurrency))
    _reset_peak_rss()
    started = time.perf_counter()
    try:
        outcome = sync_source(store, source, url=sim.url)
    finally:
        source.close()
    wall = time.perf_counter() - started
    counted = Counter(sim.requests)
    return SyncRun(
        label, outcome.issues, sum(counted.values()), floor, wall, counted, _peak_rss_mb()
    )


def _reset_peak_rss() -> None:
    """Linux: start the process's peak RSS (VmHWM) again from its current size."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _naive(
    sim: JiraSimulator,
    ws: JiraWorkspace,
    facts: ScaleFacts,
    concurrency: int,
    since: datetime | None,
    label: str,
) -> NaiveRun:
    sim.requests.clear()
    client = NaiveClient(sim.url, facts.email, facts.token, concurrency=concurrency)
    started = time.perf_counter()
    try:
        seen = client.fetch(facts.boards, since)
    finally:
        client.close()
    wall = time.perf_counter() - started
    missed = {
        key: shape_of(ws.issues[key]).ac_changes - count
        for key, count in seen.ac_changes_seen.items()
    }
    return NaiveRun(
        label,
        seen.issues,
        sum(sim.requests.values()),
        wall,
        sum(missed.values()),
        sum(1 for m in missed.values() if m > 0),
    )
