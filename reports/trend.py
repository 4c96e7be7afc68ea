"""The trend across sprints in the terminal: one table per series (a source and board,
or Linear team), one row per sprint, oldest first; an active sprint is marked partial and
left out of the series' average.

CSV, JSON, Markdown and HTML of a trend live beside their sprint-report counterparts
(``render_trend_csv``, ``render_trend_json``, ``render_trend_markdown``,
``render_trend_html``); the series and their wording come from ``reports.common``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from reports.common import (
    JOIN,
    SHARE_NOTE,
    average_line,
    editors_text,
    fraction_text,
    hours_text,
    is_partial,
    shorten,
    trend_label,
    trend_series,
)
from reports.terminal import render_to_text
from tracker.clock import iso
from tracker.findings import TrendPoint


def _row(point: TrendPoint) -> list[Text]:
    s = point.summary
    share = Text(f"{point.share_flagged:.0%}", style="bold red" if point.share_flagged else "")
    return [
        Text(trend_label(point), style="italic" if is_partial(point) else ""),
        Text((iso(point.sprint.started_at) or "")[:10]),
        Text(str(s.issues)),
        Text(str(s.issues_with_ac_changes)),
        Text(str(s.changes)),
        Text(str(s.flagged), style="red" if s.flagged else ""),
        share,
        Text(hours_text(point.median_hours_to_discussion)),
        Text(fraction_text(point.median_sprint_fraction)),
        Text(_editors(point)),
    ]


def _editors(point: TrendPoint, top: int = 3) -> str:
    """The busiest editors, one a line: the table's column is too narrow for a sentence."""
    ranked = editors_text(point).split(JOIN) if point.changes_by_editor else []
    more = [f"+{len(ranked) - top} more"] if len(ranked) > top else []
    return "\n".join([shorten(line, 24) for line in ranked[:top]] + more)


def build_trend_table(points: Sequence[TrendPoint]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False)
    table.add_column("Sprint", ratio=2, overflow="fold")
    table.add_column("Start", no_wrap=True, width=10)
    for header in ("Issues", "AC chg", "Chg", "Flag", "Share"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("To talk", justify="right", no_wrap=True)
    table.add_column("Lands at", justify="right", no_wrap=True)
    table.add_column("Editors", ratio=3, overflow="ellipsis")
    for point in points:
        table.add_row(*_row(point))
    return table


LEGEND = (
    "AC chg: issues with AC changes · Chg: changes · Flag: flagged · To talk: median time "
    f"from change to discussion · Lands at: median point in the sprint a change lands · {SHARE_NOTE}"
)


def render_trend_table(
    points: Sequence[TrendPoint], *, width: int = 100, color: bool = False
) -> str:
    if not points:
        return render_to_text([Text("No sprints to compare yet.")], width=width, color=color)
    parts: list[RenderableType] = []
    for series in trend_series(points):
        parts += [
            Text(series.label, style="bold"),
            build_trend_table(series.points),
            Text(average_line(series)),
            Text(""),
        ]
    return render_to_text([*parts, Text(LEGEND, style="dim")], width=width, color=color)
