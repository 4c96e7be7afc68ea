"""Reports: a ``SprintReport`` (or a trend of them) rendered as text for the CLI to write.

    render_report(report, fmt, *, width=100, color=False, bom=False, summary_only=False, tz=None)
    render_trend(points, fmt, *, width=100, color=False)

``FORMATS``/``TREND_FORMATS`` list the accepted ``fmt`` values. Each format lives in its
own module (``table``, ``csv``, ``json``, ``markdown``, ``html``, ``trend``); ``frame``
turns findings into pandas DataFrames. Options that do not apply to a format are ignored
(``bom`` only affects CSV, ``summary_only`` only Markdown, ``width``/``color`` only the
table). An unknown format raises ``UsageError``.

A format's module is imported when it is asked for: pandas (CSV) and jinja2 (HTML) take
longer to import than a terminal report takes to render.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from reports.common import printable
from tracker.errors import UsageError
from tracker.findings import SprintReport, TrendPoint

FORMATS: tuple[str, ...] = ("table", "csv", "json", "markdown", "html")
TREND_FORMATS: tuple[str, ...] = ("table", "csv", "json", "markdown", "html")

__all__ = ["FORMATS", "TREND_FORMATS", "render_report", "render_trend"]


def _unknown(fmt: str, known: tuple[str, ...]) -> UsageError:
    return UsageError(f"unknown format {fmt!r}: use one of {', '.join(known)}")


def render_report(
    report: SprintReport,
    fmt: str,
    *,
    width: int = 100,
    color: bool = False,
    bom: bool = False,
    summary_only: bool = False,
    tz: tzinfo | None = None,
) -> str:
    """The sprint report in ``fmt`` (one of ``FORMATS``), as the text to write. Every
    format but JSON (which escapes them) shows text without control characters."""
    if fmt != "json":
        report = printable(report)
    if fmt == "table":
        from reports.table import render_table

        return render_table(report, width=width, color=color, tz=tz)
    if fmt == "csv":
        from reports.csv import render_csv

        return render_csv(report, bom=bom, tz=tz)
    if fmt == "json":
        from reports.json import render_json

        return render_json(report)
    if fmt == "markdown":
        from reports.markdown import render_markdown

        return render_markdown(report, summary_only=summary_only, tz=tz)
    if fmt == "html":
        from reports.html import render_html

        return render_html(report, tz)
    raise _unknown(fmt, FORMATS)


def render_trend(
    points: Sequence[TrendPoint], fmt: str, *, width: int = 100, color: bool = False
) -> str:
    """The trend across sprints in ``fmt`` (one of ``TREND_FORMATS``)."""
    if fmt != "json":
        points = printable(points)
    if fmt == "table":
        from reports.trend import render_trend_table

        return render_trend_table(points, width=width, color=color)
    if fmt == "csv":
        from reports.csv import render_trend_csv

        return render_trend_csv(points)
    if fmt == "json":
        from reports.json import render_trend_json

        return render_trend_json(points)
    if fmt == "markdown":
        from reports.markdown import render_trend_markdown

        return render_trend_markdown(points)
    if fmt == "html":
        from reports.html import render_trend_html

        return render_trend_html(points)
    raise _unknown(fmt, TREND_FORMATS)
