"""Geometry for the inline SVG charts: the sprint timeline and the trend chart.

Only numbers and plain strings come out of here; the templates draw them, so every text
that came from a tracker still passes through jinja2's autoescape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from reports.common import sprint_end
from tracker.clock import iso
from tracker.findings import SprintReport, TrendPoint, Verdict

TIMELINE_WIDTH = 960
MARGIN = 24
LANE_HEIGHT = 26
AXIS_HEIGHT = 34
# A mark needs room for its glyph and its issue key before the next one in its lane.
MARK_ROOM = 78
MAX_LANES = 8


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str
    weekend: bool


@dataclass(frozen=True, slots=True)
class Mark:
    x: float
    y: float
    verdict: str
    key: str
    title: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    height: int
    left: float
    right: float
    axis_y: float
    day_width: float
    ticks: tuple[Tick, ...]
    marks: tuple[Mark, ...]
    start_label: str
    end_label: str
    now_x: float | None = None


def _span(report: SprintReport) -> tuple[datetime, datetime]:
    """The sprint's span, widened to cover every change (an active sprint has no end)."""
    times = [c.changed_at for c in report.changes]
    start = report.sprint.started_at or min(times, default=report.generated_at)
    end = sprint_end(report) or max([*times, report.generated_at])
    end = max([end, *times])
    start = min([start, *times])
    if end - start < timedelta(hours=1):
        end = start + timedelta(days=1)
    return start, end


def _ticks(start: datetime, end: datetime, x_of: _Scale) -> tuple[Tick, ...]:
    days = (end - start).days + 1
    step = 1 if days <= 21 else 7
    first = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    ticks = []
    moment = first
    while moment <= end:
        label = (
            moment.strftime("%a %d").replace(" 0", " ") if step == 1 else moment.strftime("%d %b")
        )
        ticks.append(Tick(x_of(moment), label, moment.weekday() >= 5))
        moment += timedelta(days=step)
    return tuple(ticks)


class _Scale:
    def __init__(self, start: datetime, end: datetime, left: float, right: float) -> None:
        self.start, self.seconds = start, (end - start).total_seconds()
        self.left, self.width = left, right - left

    def __call__(self, moment: datetime) -> float:
        return round(
            self.left + self.width * (moment - self.start).total_seconds() / self.seconds, 1
        )


def _lanes(xs: Sequence[float]) -> list[int]:
    """The lowest lane where each mark clears the previous one (marks sorted by x)."""
    last: list[float] = []
    lanes = []
    for x in xs:
        lane = next((i for i, end in enumerate(last) if x - end >= MARK_ROOM), None)
        if lane is None:
            lane = (
                len(last) if len(last) < MAX_LANES else min(range(len(last)), key=last.__getitem__)
            )
            if lane == len(last):
                last.append(x)
        last[lane] = x
        lanes.append(lane)
    return lanes


def layout_timeline(report: SprintReport) -> Timeline:
    """Every change of the report on the sprint's time axis, stacked where they crowd."""
    start, end = _span(report)
    left, right = MARGIN, TIMELINE_WIDTH - MARGIN - MARK_ROOM / 2
    x_of = _Scale(start, end, left, right)
    indexed = sorted(enumerate(report.changes), key=lambda pair: pair[1].changed_at)
    lanes = _lanes([x_of(c.changed_at) for _, c in indexed])
    lane_count = max(lanes, default=0) + 1
    marks = tuple(
        Mark(
            x=x_of(change.changed_at),
            y=MARGIN + LANE_HEIGHT * (lane_count - 1 - lane) + LANE_HEIGHT / 2,
            verdict=str(change.verdict),
            key=change.issue.key,
            title=f"{change.issue.key} · {change.verdict} · {iso(change.changed_at)}",
            anchor=f"change-{index}",
        )
        for (index, change), lane in zip(indexed, lanes, strict=True)
    )
    axis_y = MARGIN + LANE_HEIGHT * lane_count + 6
    return Timeline(
        width=TIMELINE_WIDTH,
        height=int(axis_y + AXIS_HEIGHT),
        left=left,
        right=right,
        axis_y=axis_y,
        day_width=x_of(start + timedelta(days=1)) - left,
        ticks=_ticks(start, end, x_of),
        marks=marks,
        start_label=(iso(start) or "")[:16].replace("T", " "),
        end_label=(iso(end) or "")[:16].replace("T", " "),
        now_x=x_of(report.generated_at) if _shows_now(report, start, end) else None,
    )


def _shows_now(report: SprintReport, start: datetime, end: datetime) -> bool:
    """An unfinished sprint marks when the report was made: later edits are not in it yet."""
    return report.sprint.ended_at is None and start <= report.generated_at <= end


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    width: float
    label: str
    segments: tuple[tuple[str, float, float, int], ...]  # verdict, y, height, count
    share_y: float
    share_label: str


@dataclass(frozen=True, slots=True)
class TrendChart:
    """Two bands: the share flagged as a line on top, changes by verdict as bars below."""

    width: int
    height: int
    left: float
    right: float
    share_top: float
    share_base: float
    top_y: float
    base_y: float
    max_changes: int
    bars: tuple[Bar, ...]
    share_path: str


def _nice_max(value: int) -> int:
    """The axis maximum: a multiple of 4, so the quarter gridlines are whole numbers."""
    return max(4, -(-value // 4) * 4)


def layout_trend(points: Sequence[TrendPoint]) -> TrendChart:
    """Stacked bars of changes per sprint by verdict, and a line for the share flagged."""
    width, left, right = TIMELINE_WIDTH, 64.0, TIMELINE_WIDTH - 48.0
    share_top, share_base, top, base = 24.0, 104.0, 140.0, 330.0
    slot = (right - left) / max(len(points), 1)
    max_changes = _nice_max(max([p.summary.changes for p in points], default=0))
    bars = []
    for n, point in enumerate(points):
        y = base
        segments = []
        for verdict in (Verdict.FLAGGED, Verdict.UNKNOWN, Verdict.DISCUSSED, Verdict.COSMETIC):
            count = getattr(point.summary, str(verdict))
            h = (base - top) * count / max_changes
            y -= h
            segments.append((str(verdict), round(y, 1), round(h, 1), count))
        share = min(max(point.share_flagged, 0.0), 1.0)
        bars.append(
            Bar(
                x=round(left + n * slot + slot * 0.2, 1),
                width=round(slot * 0.6, 1),
                label=point.sprint.key or point.sprint.name,
                segments=tuple(segments),
                share_y=round(share_base - (share_base - share_top) * share, 1),
                share_label=f"{point.share_flagged:.0%}",
            )
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{b.x + b.width / 2:.1f},{b.share_y:.1f}"
        for i, b in enumerate(bars)
    )
    return TrendChart(
        width, 372, left, right, share_top, share_base, top, base, max_changes, tuple(bars), path
    )
