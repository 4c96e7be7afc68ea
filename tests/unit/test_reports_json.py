"""JSON is the machine contract: keys, types and invariants, parsed back."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from report_fixtures import (
    active_linear_report,
    empty_report,
    hostile_report,
    sample_report,
    trend_points,
)

from reports import render_report, render_trend
from tracker.findings import SprintReport

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SPRINT_KEYS = {"source", "id", "name", "state", "started_at", "ended_at"}
SUMMARY_KEYS = {
    "issues",
    "issues_with_ac_changes",
    "changes",
    "flagged",
    "discussed",
    "cosmetic",
    "unknown",
    "defined_after_start",
}
SUMMARY_EXTRA_KEYS = {
    "issues_without_ac",
    "issues_baseline_approximate",
    "points_added_after_start",
}
CHANGE_KEYS = {
    "issue_key",
    "issue_title",
    "issue_url",
    "changed_at",
    "changed_by",
    "changed_by_id",
    "verdict",
    "reason",
    "added_after_start",
    "baseline_approximate",
    "defined_after_start",
    "scope",
    "estimate",
    "diff",
    "evidence",
}
EVIDENCE_KEYS = {"kind", "at", "by", "url", "text", "by_editor"}
EVIDENCE_KINDS = {
    "comment",
    "marker",
    "issue_link",
    "relation",
    "remote_link",
    "attachment",
    "engineer_edit",
}


def parsed(report: SprintReport | None = None) -> Any:
    return json.loads(render_report(report or sample_report(), "json"))


def is_time(value: object) -> bool:
    return isinstance(value, str) and bool(ISO_UTC.match(value))


def check_change(change: Any) -> None:
    assert change.keys() >= CHANGE_KEYS
    for key in ("issue_key", "issue_title", "issue_url", "verdict", "reason"):
        assert isinstance(change[key], str), key
    assert is_time(change["changed_at"])
    assert change["changed_by"] is None or isinstance(change["changed_by"], str)
    assert change["changed_by_id"] is None or isinstance(change["changed_by_id"], str)
    assert change["verdict"] in {"flagged", "discussed", "cosmetic", "unknown"}
    assert isinstance(change["defined_after_start"], bool)
    assert change["scope"] in {"expanded", "reduced", "rewritten", None}
    if change["verdict"] in {"cosmetic", "unknown"}:
        assert change["scope"] is None
    estimate = change["estimate"]
    if estimate is not None:
        assert {"at_start", "now", "reestimated"} <= estimate.keys()
    assert isinstance(change["added_after_start"], bool)
    assert isinstance(change["baseline_approximate"], bool)
    diff = change["diff"]
    assert isinstance(diff, dict)
    assert {"added", "removed", "modified"} <= diff.keys()
    assert all(isinstance(t, str) for t in diff["added"] + diff["removed"])
    for item in diff["modified"]:
        assert isinstance(item["before"], str)
        assert isinstance(item["after"], str)
    assert isinstance(change["evidence"], list)
    for evidence in change["evidence"]:
        assert evidence.keys() >= EVIDENCE_KEYS
        assert evidence["kind"] in EVIDENCE_KINDS
        assert evidence["at"] is None or is_time(evidence["at"])
        assert isinstance(evidence["by"], str)
        assert evidence["url"] is None or isinstance(evidence["url"], str)
        assert isinstance(evidence["text"], str)
        assert isinstance(evidence["by_editor"], bool)


def test_top_level_sprint_and_summary_follow_the_contract() -> None:
    data = parsed()
    assert {"sprint", "summary", "changes"} <= data.keys()
    sprint = data["sprint"]
    assert sprint.keys() >= SPRINT_KEYS
    assert sprint["id"] == "42" and sprint["state"] == "closed"
    assert sprint["started_at"] == "2024-05-06T09:00:00Z"
    assert sprint["ended_at"] == "2024-05-17T17:00:00Z"
    summary = data["summary"]
    assert set(summary) == SUMMARY_KEYS | SUMMARY_EXTRA_KEYS
    assert all(isinstance(summary[k], int) for k in SUMMARY_KEYS)
    counted = ("flagged", "discussed", "cosmetic", "unknown")
    assert sum(summary[k] for k in counted) == summary["changes"]
    assert summary["changes"] == len(data["changes"])
    assert summary == {
        "issues": 5,
        "issues_with_ac_changes": 3,
        "changes": 5,
        "flagged": 2,
        "discussed": 2,
        "cosmetic": 1,
        "unknown": 0,
        "defined_after_start": 0,
        "issues_without_ac": 0,
        "issues_baseline_approximate": 0,
        "points_added_after_start": 0,
    }


def test_every_change_has_the_contract_keys_and_types() -> None:
    for report in (sample_report(), hostile_report()):
        for change in parsed(report)["changes"]:
            check_change(change)


def test_changes_keep_the_order_by_time_then_issue_key() -> None:
    changes = parsed()["changes"]
    order = [(c["changed_at"], c["issue_key"]) for c in changes]
    assert order == sorted(order)
    assert [c["issue_key"] for c in changes] == ["PAY-15", "PAY-7", "PAY-12", "PAY-7", "PAY-21"]


def test_people_are_named_by_display_name_and_identified_by_email_or_id() -> None:
    by_key = {(c["issue_key"], c["verdict"]): c for c in parsed()["changes"]}
    refund = by_key[("PAY-7", "flagged")]
    assert (refund["changed_by"], refund["changed_by_id"]) == ("Priya Nair", "priya@acme.com")
    # Jira Cloud hides Zoë's email: her account id stands in.
    export = by_key[("PAY-12", "discussed")]
    assert (export["changed_by"], export["changed_by_id"]) == ("Zoë Müller", "712020:zoe")


def test_diff_and_evidence_carry_the_findings() -> None:
    by_key = {(c["issue_key"], c["verdict"]): c for c in parsed()["changes"]}
    refund = by_key[("PAY-7", "flagged")]
    assert refund["diff"]["added"] == ["Refunds over 1 000 € need a second approver"]
    modified = refund["diff"]["modified"][0]
    assert modified["before"].endswith("within 2s") and modified["after"].endswith("500ms")
    assert modified["risks"] == ["number: 2s → 500ms"]
    assert refund["evidence"] == []
    assert next(c["why_not"] for c in refund["considered"]) == "written by the editor"
    assert refund["phrases"][0]["suggestion"].startswith("Ask engineering")
    assert refund["saves"] == 3
    export = by_key[("PAY-12", "discussed")]
    assert export["evidence"][0]["kind"] == "issue_link"
    assert export["evidence"][0]["at"] == "2024-05-08T10:00:00Z"
    late = by_key[("PAY-21", "flagged")]
    assert late["added_after_start"] is True


def test_unicode_is_written_as_is_not_escaped() -> None:
    text = render_report(sample_report(), "json")
    assert "Zoë Müller" in text and "山田 健司" in text and "🚀" in text


def test_empty_sprint_and_unknown_times_are_valid() -> None:
    data = parsed(empty_report())
    assert data["changes"] == []
    assert data["summary"]["changes"] == 0
    assert data["issues"][0]["issue_key"] == "PAY-3"


def test_times_are_converted_to_utc() -> None:
    from dataclasses import replace
    from datetime import timedelta, timezone

    report = sample_report()
    berlin = timezone(timedelta(hours=2))
    sprint = replace(report.sprint, started_at=datetime(2024, 5, 6, 11, 0, tzinfo=berlin))
    data = json.loads(render_report(replace(report, sprint=sprint), "json"))
    assert data["sprint"]["started_at"] == "2024-05-06T09:00:00Z"
    assert datetime.fromisoformat(data["generated_at"]) == datetime(2024, 5, 18, 8, tzinfo=UTC)


def test_trend_json_lists_each_sprint_with_its_measures() -> None:
    data = json.loads(render_trend(trend_points(), "json"))
    sprints = data["sprints"]
    assert [s["sprint"]["id"] for s in sprints] == ["39", "40", "41", "42"]
    first = sprints[0]
    assert first["summary"]["changes"] == 6 and first["share_flagged"] == 0.5
    assert first["changes_by_editor"][0] == {"editor": "Priya Nair", "changes": 3}
    assert sprints[3]["median_hours_to_discussion"] == 22.5


def test_unknown_author_and_open_sprint_are_null() -> None:
    data = parsed(active_linear_report())
    assert data["sprint"]["ended_at"] is None
    assert data["sprint"]["key"] == "ENG-12"
    change = data["changes"][0]
    check_change(change)
    assert change["changed_by"] is None and change["changed_by_id"] is None
    assert change["baseline_approximate"] is True
    assert [e["kind"] for e in change["evidence"]] == ["attachment", "relation"]
    assert change["evidence"][1]["at"] is None and change["evidence"][1]["url"] is None
