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
