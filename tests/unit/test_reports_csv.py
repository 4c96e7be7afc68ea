"""CSV for the retrospective: golden file, column order, formula neutralisation, BOM.

Regenerate the golden files after an intended change with
``python tests/unit/test_reports_csv.py`` and review the diff.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import FORMULA_CELLS, empty_report, hostile_report, sample_report, trend_points

from reports import render_report, render_trend
from reports.common import printable
from reports.csv import neutralise

GOLDEN = Path(__file__).parent / "golden"
CONTRACT = [
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
]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline="")))


def test_sample_report_matches_the_golden_file() -> None:
    expected = (GOLDEN / "sample_report.csv").read_text(encoding="utf-8")
    assert render_report(sample_report(), "csv") == expected


def test_trend_matches_the_golden_file() -> None:
    expected = (GOLDEN / "trend.csv").read_text(encoding="utf-8")
    assert render_trend(trend_points(), "csv") == expected


def test_columns_start_in_the_contract_order() -> None:
    for report in (sample_report(), empty_report()):
        columns = header(render_report(report, "csv"))
        assert columns[: len(CONTRACT)] == CONTRACT
        assert columns[0] != "ID"  # Excel opens a file starting "ID" as SYLK


def test_one_row_per_change_with_counts_and_readable_diff() -> None:
    found = rows(render_report(sample_report(), "csv"))
    assert [r["issue_key"] for r in found] == ["PAY-15", "PAY-7", "PAY-12", "PAY-7", "PAY-21"]
    refund = found[1]
    assert (refund["criteria_added"], refund["criteria_removed"], refund["criteria_modified"]) == (
        "1",
        "0",
        "1",
    )
    assert refund["diff_text"].splitlines() == [
        "added: Refunds over 1 000 € need a second approver",
        "changed: The customer gets a confirmation email within 2s"
        " → The customer gets a confirmation email within 500ms",
    ]
    assert refund["changed_at"] == "2024-05-08T14:30:00Z"
    assert refund["days_into_sprint"] == "2.2"
    assert found[2]["evidence_kind"] == "issue_link"
    assert found[2]["evidence_url"] == "https://acme.atlassian.net/browse/PAY-31"


def test_empty_report_is_just_the_header() -> None:
    text = render_report(empty_report(), "csv")
    assert text.count("\n") == 1 and rows(text) == []


def test_formula_cells_are_neutralised() -> None:
    for cell in FORMULA_CELLS:
        assert neutralise(cell) == "'" + cell
    for cell in ("Refund", "2024-05-06T09:00:00Z", "a=b", "", "'=already"):
        assert neutralise(cell) == cell
    assert neutralise(3) == 3


def test_hostile_report_has_no_live_formula_in_any_cell() -> None:
    for row in rows(render_report(hostile_report(), "csv")):
        for column, value in row.items():
            assert not value.lstrip().startswith(("=", "+", "-", "@")), (column, value)
            assert not value.startswith(("\t", "\r")), (column, value)
    hostile = next(
        r for r in rows(render_report(hostile_report(), "csv")) if r["issue_key"] == "PAY-66"
    )
    assert hostile["reason"].startswith("'=reason")
    assert hostile["changed_by_id"].startswith("'=cmd")


def test_bom_option_prepends_a_utf8_byte_order_mark() -> None:
    plain = render_report(sample_report(), "csv")
    marked = render_report(sample_report(), "csv", bom=True)
    assert not plain.startswith("\ufeff")
    assert marked == "\ufeff" + plain
    assert marked.encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_unicode_survives_a_round_trip() -> None:
    found = rows(render_report(sample_report(), "csv"))
    assert {r["changed_by"] for r in found} >= {"Zoë Müller", "山田 健司"}
    assert any("🚀" in r["diff_text"] for r in found)


@settings(max_examples=60, deadline=None)
@given(title=st.text(st.characters(codec="utf-8"), min_size=1, max_size=40))
def test_any_title_reads_back_as_its_neutralised_self(title: str) -> None:
    report = sample_report()
    change = report.changes[0]
    hacked = replace(change, issue=replace(change.issue, title=title))
    text = render_report(replace(report, changes=(hacked,)), "csv")
    (row,) = rows(text)
    # Control characters are stripped (issue 16): what remains is neutralised.
    expected = str(neutralise(printable(title)))
    assert row["issue_title"] == expected.replace("\r\n", "\n").replace("\r", "\n")
    assert row["issue_key"] == change.issue.key


if __name__ == "__main__":
    (GOLDEN / "sample_report.csv").write_text(render_report(sample_report(), "csv"), "utf-8")
    (GOLDEN / "trend.csv").write_text(render_trend(trend_points(), "csv"), "utf-8")
