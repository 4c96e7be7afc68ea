"""Reading the report as a PM and a lead would (issue 12, items 7 and 8): the table fits
the terminal and keeps the words that changed; HTML says each thing once, its counts add
up, its risk chips name real risks and it reads on a phone."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from report_fixtures import sample_report

from reports import render_report
from reports.common import VERDICT_GLYPH
from tracker.ac._words import number_risk, word_risks
from tracker.findings import CriteriaDiff, Modified

TEMPLATES = Path(__file__).resolve().parents[2] / "reports" / "templates"
LONG_BEFORE = (
    "When the customer opens the billing page from any device the invoice list shows the last "
    "twelve months and the open the security review banner for 10 days"
)
LONG_AFTER = LONG_BEFORE.replace("for 10 days", "for 7 days, then archives it to cold storage")


def _with_long_rewording() -> object:
    report = sample_report()
    first = report.changes[0]
    modified = Modified(
        before=LONG_BEFORE,
        after=LONG_AFTER,
        removed_words=("10",),
        added_words=("7", "then", "archives", "it", "to", "cold", "storage"),
        risks=("number: 10 days → 7 days",),
    )
    changed = replace(first, diff=CriteriaDiff(modified=(modified,)))
    return replace(report, changes=(changed, *report.changes[1:]))


# 7. the terminal table


@pytest.mark.parametrize("width", [60, 100, 160])
def test_the_table_fits_the_width_it_is_given(width: int) -> None:
    text = render_report(sample_report(), "table", width=width)
    assert max(len(line) for line in text.splitlines()) <= width


def test_the_table_keeps_the_new_words_and_shows_the_risk() -> None:
    text = render_report(_with_long_rewording(), "table", width=100)  # type: ignore[arg-type]
    flat = " ".join(text.split())
    assert "archives" in flat and "(was: 10)" in flat
    assert "⚠ number: 10 days → 7 days" in flat


def test_the_cli_uses_columns_else_the_terminal_else_100(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.cli import output

    monkeypatch.setenv("COLUMNS", "72")
    assert output.terminal_width() == 72
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert output.terminal_width() == 100


# 8. the HTML page


def test_html_never_repeats_the_verdict_in_the_reason() -> None:
    html = render_report(sample_report(), "html")
    for verdict in ("discussed", "cosmetic", "flagged"):
        assert f"{verdict}: {verdict}:" not in html
        assert f"{verdict}:</b> {verdict}:" not in html


def test_html_counts_add_up() -> None:
    report = sample_report()
    html = render_report(report, "html")
    found = re.search(
        r"(\d+) issues: (\d+) with AC changes, (\d+) with cosmetic changes only, (\d+) unchanged",
        html,
    )
    assert found is not None
    total, with_ac, cosmetic_only, unchanged = map(int, found.groups())
    assert total == report.summary.issues == with_ac + cosmetic_only + unchanged
    assert with_ac == report.summary.issues_with_ac_changes
    assert f"Unchanged issues ({unchanged})" in html


def test_risk_chips_name_real_risks() -> None:
    assert number_risk("Retry 3 times", "Retry 3 times within 42 s") == "number added: 42 s"
    assert number_risk("Cap at 80", "Cap at 70") == "number: 80 → 70"
    modal = word_risks("Export once", "Export once and can be downloaded")
    assert modal and all("once" not in r and "(none)" not in r for r in modal)
    assert word_risks("The user must log in", "The user must not log in") == [
        "negation: must → must not"
    ]


def test_html_reads_on_a_phone_without_breaking_words() -> None:
    css = (TEMPLATES / "_style.css.j2").read_text(encoding="utf-8")
    assert "overflow-wrap: anywhere" not in css
    assert "max-width: 600px" in css


def test_one_glyph_per_verdict_everywhere() -> None:
    from reports.timeline import render_timeline

    report = sample_report()
    finding = next(i for i in report.issues if any(c.verdict == "cosmetic" for c in i.changes))
    assert f"{VERDICT_GLYPH['cosmetic']} cosmetic" in render_timeline(report.sprint, finding)  # type: ignore[index]


def test_formats_share_the_vocabulary_not_each_other() -> None:
    """Issue 15: markdown, html, trend and show take glyphs, words and helpers from
    ``reports.common`` (and ``reports.terminal``), never from another format."""
    root = TEMPLATES.parent
    for name in ("markdown.py", "html.py", "trend.py", "timeline.py", "csv.py"):
        source = (root / name).read_text(encoding="utf-8")
        assert not re.search(r"from reports\.(table|trend|markdown|html) import", source), name
        assert "_GLYPH = {" not in source and '== "flagged"' not in source, name


# 10. CSV for a spreadsheet, and --tz


def test_csv_has_a_spreadsheet_date_risks_evidence_and_the_cosmetic_diff() -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(render_report(sample_report(), "csv"))))
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["changed_at_utc"]) for r in rows)
    assert any(r["risks"] == "number: 2s → 500ms" for r in rows)
    assert any(r["evidence_text"].startswith("comment by Bob Chen:") for r in rows)
    cosmetic = next(r for r in rows if r["verdict"] == "cosmetic")
    assert "was: Fees are shwon" in cosmetic["diff_text"]
    assert "now: Fees are shown" in cosmetic["diff_text"]


def test_tz_shows_local_times_in_every_display_format() -> None:
    from zoneinfo import ZoneInfo

    from reports.timeline import render_timeline

    berlin = ZoneInfo("Europe/Berlin")
    report = sample_report()  # PAY-7's first change: 2024-05-08 14:30 UTC, 16:30 in Berlin
    assert "2024-05-08 16:30" in render_report(report, "markdown", tz=berlin)
    assert "When (Europe/Berlin)" in render_report(report, "markdown", tz=berlin)
    html = render_report(report, "html", tz=berlin)
    assert "2024-05-08 16:30" in html and "When (Europe/Berlin)" in html
    assert "Europe/Berlin" in render_report(report, "table", tz=berlin, width=120)
    rows = render_report(report, "csv", tz=berlin).splitlines()
    assert rows[0].endswith(",changed_at_local") and "2024-05-08T14:30:00Z" in "".join(rows)
    assert "2024-05-08 16:30:00" in "".join(rows)
    finding = next(i for i in report.issues if i.issue.key == "PAY-7")
    assert "2024-05-08 16:30 Europe/Berlin" in render_timeline(report.sprint, finding, tz=berlin)
    assert "2024-05-08T14:30:00Z" in render_report(report, "json", tz=berlin)


# 9. the trend: one series per source, active sprints partial, the share's denominator


def _two_sources() -> tuple[object, ...]:
    from report_fixtures import trend_points

    from tracker.domain import SprintState

    jira = list(trend_points())
    jira[-1] = replace(jira[-1], sprint=replace(jira[-1].sprint, state=SprintState.ACTIVE))
    linear = [
        replace(p, sprint=replace(p.sprint, source="acme-linear", board="ENG", key=f"ENG-{n}"))
        for n, p in enumerate(trend_points()[:2], start=11)
    ]
    return (*jira, *linear)


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_trend_draws_one_series_per_source_and_keeps_active_sprints_out_of_averages(
    fmt: str,
) -> None:
    from reports import render_trend

    text = render_trend(_two_sources(), fmt, width=140)  # type: ignore[arg-type]
    assert "acme-jira" in text and "acme-linear" in text
    assert text.index("ENG-11") > text.rindex("Payments Sprint 4")  # one series, then the next
    assert "(active, partial)" in text
    assert "over 3 complete sprints; 1 active sprint left out" in text
    assert "÷ all AC changes after the start" in text


def test_trend_csv_and_json_name_the_series_and_partial_sprints() -> None:
    import json

    from reports import render_trend

    points = _two_sources()
    data = json.loads(render_trend(points, "json"))  # type: ignore[arg-type]
    assert data["schema_version"] >= 1 and "cosmetic included" in data["share_flagged_of"]
    assert [s["series"] for s in data["series"]] == ["acme-jira", "acme-linear"]
    assert [p["partial"] for p in data["sprints"]].count(True) == 1
    header, *rows = render_trend(points, "csv").splitlines()  # type: ignore[arg-type]
    assert header.endswith(",series,partial") and sum(r.endswith(",true") for r in rows) == 1
