"""JSON, the machine contract (DESIGN §5).

Keys named in the contract are never renamed or removed. Added beyond it:
``generated_at``; ``sprint.key``/``planned_end``/``board``; per change ``issue_id``,
``saves``, ``hours_into_sprint``, ``phrases``, ``considered`` (evidence that did not count
and why), ``evidence[].by_id``, ``estimate_note`` (``"scope grew, no re-estimate"``) and
``diff.modified[].removed_words/added_words/risks``; ``summary.issues_without_ac``,
``issues_baseline_approximate`` and ``points_added_after_start``; ``not_started`` and
``partial`` (the sprint is still running: the report covers it up to ``generated_at``);
and ``issues``: every issue of the sprint with its baseline, current criteria, net diff,
estimate and ``without_ac_at_start``. Unknown people and times are ``null``; all times
ISO-8601 UTC with a ``Z``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from reports.common import ESTIMATE_NOTE, is_partial, person_id, person_name, trend_series
from tracker.clock import iso
from tracker.domain import Sprint
from tracker.findings import (
    ChangeFinding,
    Considered,
    CriteriaDiff,
    EstimateView,
    Evidence,
    IssueFinding,
    Phrase,
    SprintReport,
    TrendPoint,
)

JsonObject = dict[str, object]


# The version of the JSON beyond DESIGN §5's keys (documented in the README); it grows
# when a key is added and would change only if one changed meaning (never for §5's).
SCHEMA_VERSION = 1


def sprint_json(sprint: Sprint) -> JsonObject:
    return {
        "source": sprint.source,
        "id": sprint.id,
        "name": sprint.name,
        "state": str(sprint.state),
        "started_at": iso(sprint.started_at),
        "ended_at": iso(sprint.ended_at),
        "key": sprint.key,
        "planned_end": iso(sprint.planned_end),
        "board": sprint.board,
    }


def diff_json(diff: CriteriaDiff) -> JsonObject:
    return {
        "added": list(diff.added),
        "removed": list(diff.removed),
        "modified": [
            {
                "before": m.before,
                "after": m.after,
                "removed_words": list(m.removed_words),
                "added_words": list(m.added_words),
                "risks": list(m.risks),
            }
            for m in diff.modified
        ],
    }


def evidence_json(evidence: Evidence) -> JsonObject:
    return {
        "kind": str(evidence.kind),
        "at": iso(evidence.at),
        "by": evidence.by,
        "url": evidence.url,
        "text": evidence.text,
        "by_id": evidence.by_id,
        "by_editor": evidence.by_editor,
    }


def estimate_json(estimate: EstimateView | None) -> JsonObject | None:
    if estimate is None:
        return None
    again = estimate.reestimated
    return {
        "at_start": estimate.at_start,
        "now": estimate.now,
        "reestimated": None
        if again is None
        else {
            "from": again.from_value,
            "to": again.to_value,
            "at": iso(again.at),
            "by": person_name(again.by),
        },
    }


def _considered_json(item: Considered) -> JsonObject:
    return {**evidence_json(item.evidence), "why_not": item.why_not}


def _phrase_json(phrase: Phrase) -> JsonObject:
    return {**asdict(phrase), "at": iso(phrase.at)}


def change_json(change: ChangeFinding) -> JsonObject:
    hours = change.hours_into_sprint
    return {
        "issue_key": change.issue.key,
        "issue_title": change.issue.title,
        "issue_url": change.issue.url,
        "changed_at": iso(change.changed_at),
        "changed_by": person_name(change.changed_by),
        "changed_by_id": person_id(change.changed_by),
        "verdict": str(change.verdict),
        "reason": change.reason,
        "added_after_start": change.added_after_start,
        "baseline_approximate": change.baseline_approximate,
        "defined_after_start": change.defined_after_start,
        "scope": None if change.scope is None else str(change.scope),
        "estimate": estimate_json(change.estimate),
        "diff": diff_json(change.diff),
        "evidence": [evidence_json(e) for e in change.evidence],
        "issue_id": change.issue.id,
        "saves": change.saves,
        "hours_into_sprint": None if hours is None else round(hours, 2),
        "considered": [_considered_json(c) for c in change.considered],
        "phrases": [_phrase_json(p) for p in change.phrases],
        "estimate_note": ESTIMATE_NOTE if change.scope_grew_unestimated else None,
    }


def issue_json(found: IssueFinding) -> JsonObject:
    return {
        "issue_key": found.issue.key,
        "issue_title": found.issue.title,
        "issue_url": found.issue.url,
        "added_after_start": found.added_after_start,
        "removed_before_end": found.removed_before_end,
        "baseline_approximate": found.baseline_approximate,
        "without_ac_at_start": found.without_ac_at_start,
        "estimate": estimate_json(found.estimate),
        "baseline": list(found.baseline.criteria),
        "current": list(found.current.criteria),
        "net_diff": diff_json(found.net_diff),
        "changes": len(found.changes),
    }


def report_json(report: SprintReport) -> JsonObject:
    """The report as plain JSON-ready values (for callers that embed it)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "sprint": sprint_json(report.sprint),
        "summary": asdict(report.summary),
        "changes": [change_json(c) for c in report.changes],
        "generated_at": iso(report.generated_at),
        "not_started": report.not_started,
        "partial": report.partial,
        "issues": [issue_json(i) for i in report.issues],
    }


def render_json(report: SprintReport) -> str:
    return json.dumps(report_json(report), ensure_ascii=False, indent=2) + "\n"


def trend_json(points: Sequence[TrendPoint]) -> JsonObject:
    series = {id(p): s.label for s in trend_series(points) for p in s.points}
    return {
        "schema_version": SCHEMA_VERSION,
        "share_flagged_of": "all AC changes after the start, cosmetic included",
        "series": [
            {
                "series": s.label,
                "share_flagged_complete": None
                if (share := s.share_flagged()) is None
                else round(share, 4),
                "complete_sprints": len(s.complete),
            }
            for s in trend_series(points)
        ],
        "sprints": [
            {
                "series": series[id(p)],
                "partial": is_partial(p),
                "sprint": sprint_json(p.sprint),
                "summary": asdict(p.summary),
                "share_flagged": round(p.share_flagged, 4),
                "median_hours_to_discussion": p.median_hours_to_discussion,
                "median_sprint_fraction": p.median_sprint_fraction,
                "changes_by_editor": [
                    {"editor": name, "changes": count} for name, count in p.changes_by_editor
                ],
            }
            for p in points
        ],
    }


def render_trend_json(points: Sequence[TrendPoint]) -> str:
    return json.dumps(trend_json(points), ensure_ascii=False, indent=2) + "\n"
