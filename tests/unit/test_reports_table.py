"""The terminal table: fits the width, no ANSI without colour, worst offenders first."""

from __future__ import annotations

import re

from report_fixtures import (
    active_linear_report,
    empty_report,
    hostile_report,
    sample_report,
    trend_points,
)
from rich.cells import cell_len

from reports import render_report, render_trend

VERDICT_CELL = re.compile(r"^ [✗✓~] (flagged|discussed|cosmetic) ", re.MULTILINE)


def widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


def test_fits_100_columns_including_wide_characters() -> None:
    for report in (sample_report(), hostile_report(), empty_report()):
        assert widest(render_report(report, "table")) <= 100


def test_narrower_terminals_are_respected() -> None:
    assert widest(render_report(sample_report(), "table", width=80)) <= 80


def test_no_ansi_codes_without_colour_and_some_with_it() -> None:
    plain = render_report(sample_report(), "table", color=False)
    assert "\x1b[" not in plain
    assert "\x1b[" in render_report(sample_report(), "table", color=True)


def test_flagged_changes_come_first_then_by_issue() -> None:
    text = render_report(sample_report(), "table")
    verdict_rows = VERDICT_CELL.findall(text)
    assert verdict_rows == ["flagged", "flagged", "discussed", "discussed", "cosmetic"]
    assert text.index("PAY-7") < text.index("PAY-21") < text.index("PAY-12") < text.index("PAY-15")


def test_title_and_one_line_summary() -> None:
    lines = render_report(sample_report(), "table").splitlines()
    assert lines[0] == "Payments Sprint 42 · closed · 2024-05-06 → 2024-05-17"
    assert lines[-1] == (
        "5 issues, 3 with AC changes · 5 changes: 2 flagged, 2 discussed, 1 cosmetic"
    )


def test_shows_what_changed_and_why() -> None:
    text = render_report(sample_report(), "table")
    assert "500ms (was: 2s)" in text
    assert "joined late" in text
    assert "山田 健司" in text


def test_markup_in_tracker_text_is_printed_literally() -> None:
    # rich would read "[bold]" as markup if titles were printed as markup strings.
    text = render_report(hostile_report(), "table")
    assert "<script>window.__pwned" in text
    assert "\x1b[" not in text


def test_empty_sprint_says_so() -> None:
    text = render_report(empty_report(), "table")
    assert "No acceptance criteria changed" in text


def test_trend_table_fits_and_lists_every_sprint() -> None:
    text = render_trend(trend_points(), "table")
    assert widest(text) <= 100
    assert "\x1b[" not in text
    for n in (39, 40, 41, 42):
        assert f"Sprint {n}" in text
    assert "57%" in text and "22.5 h" in text
    assert render_trend((), "table").strip() == "No sprints to compare yet."


def test_narrow_terminal_keeps_the_glyph_and_drops_the_counts() -> None:
    text = render_report(sample_report(), "table", width=60)
    assert widest(text) <= 60
    assert "Δ" not in text and "✗" in text


def test_open_sprint_shows_its_planned_end_and_unknown_editors() -> None:
    text = render_report(active_linear_report(), "table")
    assert text.splitlines()[0] == "ENG-12 · Cycle 12 · active · 2024-05-06 → 2024-05-20 (planned)"
    assert "unknown" in text
    assert text.splitlines()[-1].startswith("1 issue, 1 with AC changes · 1 change:")


def test_a_trust_eroding_phrase_is_quoted_under_its_change() -> None:
    from report_fixtures import sample_report

    from reports import render_report

    report = sample_report()
    quoted = next(p for c in report.changes for p in c.phrases)
    text = " ".join(render_report(report, "table", width=100).split())
    assert " ".join(quoted.quote.split()[:3]) in text
