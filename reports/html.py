"""One self-contained, printable HTML page per sprint (and one for a trend).

Everything is inline (CSS, SVG); a Content-Security-Policy forbids scripts and every
fetch, so a page that somehow carried a hostile tag still could not run or phone home.
The first line of defence is jinja2's autoescape over every text from a tracker: the
templates never mark tracker text safe, and ``http_url`` turns only http(s) URLs into
links (a ``javascript:`` URL is shown as text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import tzinfo
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from reports.common import (
    DEFINED_NOTE,
    ESTIMATE_NOTE,
    SHARE_NOTE,
    VERDICT_GLYPH,
    average_line,
    coverage_note,
    days_into_sprint,
    diff_counts,
    editors_text,
    empty_text,
    flagged_count,
    fraction_text,
    hours_into_sprint,
    hours_text,
    http_url,
    is_partial,
    kind_notes,
    local_time,
    natural_key,
    notes_lines,
    person_name,
    reason_text,
    sprint_end,
    sprint_label,
    summary_line,
    trend_label,
    trend_series,
    worst_key,
    zone_name,
)
from reports.highlight import changed_words, mark_words
from reports.svg import layout_timeline, layout_trend
from tracker.clock import iso
from tracker.findings import ChangeFinding, IssueFinding, Modified, SprintReport, TrendPoint


def modified_view(modified: Modified) -> dict[str, object]:
    removed, added = changed_words(modified)
    return {
        "before": mark_words(modified.before, removed),
        "after": mark_words(modified.after, added),
        "risks": modified.risks,
    }


def change_view(
    report: SprintReport, index: int, change: ChangeFinding, tz: tzinfo | None = None
) -> dict[str, object]:
    hours = hours_into_sprint(change, report.sprint)
    span = _span_hours(report)
    return {
        "c": change,
        "anchor": f"change-{index}",
        "glyph": VERDICT_GLYPH[change.verdict],
        "by": person_name(change.changed_by) or "unknown",
        "at": local_time(change.changed_at, tz),
        "hours": None if hours is None else round(hours),
        "day": days_into_sprint(change, report.sprint),
        "share": None if hours is None or not span else min(max(hours / span, 0.0), 1.0),
        "counts": diff_counts(change.diff),
        "reason": reason_text(change),
        "modified": [modified_view(m) for m in change.diff.modified],
        "notes": kind_notes(change),
    }


def _span_hours(report: SprintReport) -> float | None:
    end = sprint_end(report)
    if report.sprint.started_at is None or end is None:
        return None
    return (end - report.sprint.started_at).total_seconds() / 3600


def issue_view(found: IssueFinding, changes: list[dict[str, object]]) -> dict[str, object]:
    return {
        "f": found,
        "anchor": "issue-" + re.sub(r"[^A-Za-z0-9_-]", "_", found.issue.key),
        "net_modified": [modified_view(m) for m in found.net_diff.modified],
        "changes": changes,
        "flagged": flagged_count(found),
    }


def _issue_views(report: SprintReport, views: dict[int, dict[str, object]]) -> list[object]:
    by_issue: dict[str, list[dict[str, object]]] = {}
    for index, change in enumerate(report.changes):
        by_issue.setdefault(change.issue.key, []).append(views[index])
    changed = [i for i in report.issues if i.changes]
    # Worst offenders first: most flagged changes, then most changes, then by key.
    changed.sort(key=lambda i: (-flagged_count(i), -len(i.changes), natural_key(i.issue.key)))
    return [issue_view(i, by_issue.get(i.issue.key, [])) for i in changed]


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["http_url"] = http_url
    env.filters["iso"] = iso
    env.globals["glyphs"] = {str(k): v for k, v in VERDICT_GLYPH.items()}
    env.globals["defined_note"] = DEFINED_NOTE
    env.globals["estimate_note"] = ESTIMATE_NOTE
    return env


def render_html(report: SprintReport, tz: tzinfo | None = None) -> str:
    views = {i: change_view(report, i, c, tz) for i, c in enumerate(report.changes)}
    ranked = sorted(enumerate(report.changes), key=lambda pair: worst_key(pair[1]))
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            r=report,
            when=lambda moment: local_time(moment, tz),
            zone=zone_name(tz),
            title=sprint_label(report.sprint),
            start=iso(report.sprint.started_at),
            end=iso(sprint_end(report)),
            summary=summary_line(report),
            notes=[n for n in (coverage_note(report), *notes_lines(report)) if n],
            empty=empty_text(report),
            timeline=layout_timeline(report),
            worst=[views[index] for index, _ in ranked],
            issues=_issue_views(report, views),
            unchanged=sorted(
                (i for i in report.issues if not i.changes), key=lambda i: natural_key(i.issue.key)
            ),
        )
    )


def render_trend_html(points: Sequence[TrendPoint]) -> str:
    """A chart and a table per series (source and board, or Linear team)."""
    series = [
        {
            "label": group.label,
            "chart": layout_trend(group.points),
            "average": average_line(group),
            "rows": [
                {
                    "p": p,
                    "label": trend_label(p),
                    "partial": is_partial(p),
                    "editors": editors_text(p),
                    "hours": hours_text(p.median_hours_to_discussion),
                    "fraction": fraction_text(p.median_sprint_fraction),
                }
                for p in group.points
            ],
        }
        for group in trend_series(points)
    ]
    return (
        environment()
        .get_template("trend.html.j2")
        .render(
            series=series,
            count=len(points),
            share_note=SHARE_NOTE,
            source=", ".join(sorted({p.sprint.source for p in points})),
        )
    )
