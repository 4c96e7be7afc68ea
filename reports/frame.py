"""Findings → pandas DataFrames: one row per change, one row per sprint of a trend.

The frames hold plain, already-formatted cells (ISO-8601 UTC strings, counts, joined
text) in the column order the CSV contract fixes, so CSV is a straight write and a
notebook user gets the same columns as the spreadsheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

import pandas as pd

from reports.common import (
    ESTIMATE_NOTE,
    JOIN,
    cosmetic_lines,
    days_into_sprint,
    diff_lines,
    editors_text,
    is_partial,
    person_id,
    person_name,
    risks_of,
    sprint_end,
    trend_series,
)
from tracker.clock import iso
from tracker.findings import ChangeFinding, SprintReport, TrendPoint, Verdict

# The first twelve are DESIGN §5's contract; the rest were added after it, in order.
CHANGE_COLUMNS: tuple[str, ...] = (
    "sprint",
    "issue_key",
    "issue_title",
    "issue_url",
    "changed_at",
    "changed_by",
    "verdict",
    "criteria_added",
    "criteria_removed",
    "criteria_modified",
    "evidence_kind",
    "evidence_url",
    "reason",
    "diff_text",
    "days_into_sprint",
    "sprint_start",
    "sprint_end",
    "changed_by_id",
    "added_after_start",
    "baseline_approximate",
    "saves",
    "phrases",
    "sprint_id",
    "source",
    "defined_after_start",
    "scope",
    "estimate_at_start",
    "estimate_now",
    "reestimated_at",
    "reestimated_by",
    "estimate_note",
    "changed_at_utc",
    "risks",
    "evidence_text",
)
# With a display time zone (``--tz``), one more column: the change's local time.
LOCAL_COLUMN = "changed_at_local"

TREND_COLUMNS: tuple[str, ...] = (
    "sprint",
    "sprint_id",
    "source",
    "started_at",
    "ended_at",
    "issues",
    "issues_with_ac_changes",
    "changes",
    "flagged",
    "discussed",
    "cosmetic",
    "share_flagged",
    "median_hours_to_discussion",
    "median_sprint_fraction",
    "changes_by_editor",
    "unknown",
    "defined_after_start",
    "points_added_after_start",
    "series",
    "partial",
)


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _change_row(report: SprintReport, change: ChangeFinding) -> dict[str, object]:
    sprint = report.sprint
    return {
        "sprint": sprint.name,
        "issue_key": change.issue.key,
        "issue_title": change.issue.title,
        "issue_url": change.issue.url,
        "changed_at": iso(change.changed_at),
        "changed_by": person_name(change.changed_by) or "",
        "verdict": str(change.verdict),
        "criteria_added": len(change.diff.added),
        "criteria_removed": len(change.diff.removed),
        "criteria_modified": len(change.diff.modified),
        "evidence_kind": JOIN.join(_unique([str(e.kind) for e in change.evidence])),
        "evidence_url": JOIN.join(_unique([e.url or "" for e in change.evidence])),
        "reason": change.reason,
        "diff_text": "\n".join(
            cosmetic_lines(change)
            if change.verdict is Verdict.COSMETIC
            else diff_lines(change.diff)
        ),
        "days_into_sprint": days_into_sprint(change, sprint),
        "sprint_start": iso(sprint.started_at) or "",
        "sprint_end": iso(sprint_end(report)) or "",
        "changed_by_id": person_id(change.changed_by) or "",
        "added_after_start": "true" if change.added_after_start else "false",
        "baseline_approximate": "true" if change.baseline_approximate else "false",
        "saves": change.saves,
        "phrases": JOIN.join(p.quote for p in change.phrases),
        "sprint_id": sprint.key or sprint.id,
        "source": sprint.source,
        "defined_after_start": "true" if change.defined_after_start else "false",
        "scope": str(change.scope) if change.scope else "",
        **_estimate_cells(change),
        "changed_at_utc": spreadsheet_time(change.changed_at, UTC),
        "risks": JOIN.join(risks_of(change.diff)),
        "evidence_text": "\n".join(
            f"{e.kind} by {e.by}: {' '.join(e.text.split())[:500]}" for e in change.evidence
        ),
    }


def _estimate_cells(change: ChangeFinding) -> dict[str, object]:
    estimate = change.estimate
    again = estimate.reestimated if estimate else None
    return {
        "estimate_at_start": estimate.at_start if estimate else None,
        "estimate_now": estimate.now if estimate else None,
        "reestimated_at": iso(again.at) if again else "",
        "reestimated_by": person_name(again.by) or "" if again else "",
        "estimate_note": ESTIMATE_NOTE if change.scope_grew_unestimated else "",
    }


def spreadsheet_time(moment: datetime, zone: tzinfo) -> str:
    """``2024-05-06 09:00:00``: the form Excel and LibreOffice read as a date and time
    (ISO-8601 with ``T`` and ``Z`` stays text there)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def frame_changes(report: SprintReport, tz: tzinfo | None = None) -> pd.DataFrame:
    """One row per change, in the report's order (by time, then issue key); with ``tz``
    a last column of local times."""
    rows = [_change_row(report, change) for change in report.changes]
    columns = list(CHANGE_COLUMNS)
    if tz is not None:
        columns.append(LOCAL_COLUMN)
        for row, change in zip(rows, report.changes, strict=True):
            row[LOCAL_COLUMN] = spreadsheet_time(change.changed_at, tz)
    frame = pd.DataFrame(rows, columns=columns)
    # Keep counts integral and the day fraction a float even when the frame is empty.
    for column in ("criteria_added", "criteria_removed", "criteria_modified", "saves"):
        frame[column] = frame[column].astype("int64")
    for column in ("days_into_sprint", "estimate_at_start", "estimate_now"):
        frame[column] = frame[column].astype("float64")
    return frame


def _trend_row(point: TrendPoint, series: str) -> dict[str, object]:
    sprint, summary = point.sprint, point.summary
    return {
        "sprint": sprint.name,
        "sprint_id": sprint.key or sprint.id,
        "source": sprint.source,
        "started_at": iso(sprint.started_at) or "",
        "ended_at": iso(sprint.ended_at or sprint.planned_end) or "",
        "issues": summary.issues,
        "issues_with_ac_changes": summary.issues_with_ac_changes,
        "changes": summary.changes,
        "flagged": summary.flagged,
        "discussed": summary.discussed,
        "cosmetic": summary.cosmetic,
        "share_flagged": round(point.share_flagged, 3),
        "median_hours_to_discussion": _rounded(point.median_hours_to_discussion, 1),
        "median_sprint_fraction": _rounded(point.median_sprint_fraction, 3),
        "changes_by_editor": editors_text(point),
        "unknown": summary.unknown,
        "defined_after_start": summary.defined_after_start,
        "points_added_after_start": summary.points_added_after_start,
        "series": series,
        "partial": "true" if is_partial(point) else "false",
    }


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def frame_trend(points: Sequence[TrendPoint]) -> pd.DataFrame:
    """One row per sprint, series after series (source and board), each oldest first;
    ``partial`` marks an active sprint."""
    rows = [_trend_row(p, s.label) for s in trend_series(points) for p in s.points]
    frame = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    for column in ("median_hours_to_discussion", "median_sprint_fraction", "share_flagged"):
        frame[column] = frame[column].astype("float64")
    return frame
