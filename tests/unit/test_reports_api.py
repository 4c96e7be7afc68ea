"""The public entry points, the helpers every format shares, and the DataFrames."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest
from report_fixtures import empty_report, sample_report, trend_points

from reports import FORMATS, TREND_FORMATS, render_report, render_trend
from reports.common import http_url, natural_key, worst_first
from reports.frame import CHANGE_COLUMNS, frame_changes, frame_trend
from tracker.clock import reset_clock, set_clock
from tracker.errors import UsageError


def test_formats_are_the_contract() -> None:
    assert FORMATS == ("table", "csv", "json", "markdown", "html")
    assert TREND_FORMATS == ("table", "csv", "json", "markdown", "html")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_text(fmt: str) -> None:
    for report in (sample_report(), empty_report()):
        text = render_report(report, fmt)
        assert isinstance(text, str) and text.endswith("\n")


@pytest.mark.parametrize("fmt", TREND_FORMATS)
def test_every_trend_format_renders_text(fmt: str) -> None:
    assert render_trend(trend_points(), fmt).endswith("\n")
    assert render_trend((), fmt).endswith("\n")


def test_unknown_formats_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="use one of table, csv"):
        render_report(sample_report(), "xlsx")
    with pytest.raises(UsageError, match="markdown"):
        render_trend(trend_points(), "xlsx")


def test_output_does_not_depend_on_the_wall_clock() -> None:
    outputs = []
    for year in (2000, 2030):
        set_clock(partial(datetime, year, 1, 1, tzinfo=UTC))
        try:
            outputs.append([render_report(sample_report(), fmt) for fmt in FORMATS])
        finally:
            reset_clock()
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.atlassian.net/browse/PAY-7", "https://acme.atlassian.net/browse/PAY-7"),
        ("  http://x.example/a  ", "http://x.example/a"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("\x01javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("vbscript:x", None),
        ("//evil.example/x", None),
        ("/browse/PAY-7", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_only_http_urls_become_links(url: str | None, expected: str | None) -> None:
    assert http_url(url) == expected


def test_natural_order_of_issue_keys() -> None:
    keys = ["PAY-12", "PAY-7", "ENG-3", "PAY-100"]
    assert sorted(keys, key=natural_key) == ["ENG-3", "PAY-7", "PAY-12", "PAY-100"]


def test_worst_first_puts_flagged_first() -> None:
    changes = worst_first(sample_report().changes)
    assert [(c.verdict.value, c.issue.key) for c in changes] == [
        ("flagged", "PAY-7"),
        ("flagged", "PAY-21"),
        ("discussed", "PAY-7"),
        ("discussed", "PAY-12"),
        ("cosmetic", "PAY-15"),
    ]


def test_change_frame_has_typed_columns_even_when_empty() -> None:
    for report in (sample_report(), empty_report()):
        frame = frame_changes(report)
        assert tuple(frame.columns) == CHANGE_COLUMNS
        assert str(frame["criteria_added"].dtype) == "int64"
        assert str(frame["days_into_sprint"].dtype) == "float64"
    frame = frame_changes(sample_report())
    assert frame["criteria_added"].sum() == 3
    assert list(frame["verdict"]) == ["cosmetic", "flagged", "discussed", "discussed", "flagged"]


def test_trend_frame_keeps_the_given_order() -> None:
    frame = frame_trend(trend_points())
    assert list(frame["sprint_id"]) == ["39", "40", "41", "42"]
    assert list(frame["flagged"]) == [3, 1, 4, 0]
    assert frame["changes_by_editor"].iloc[3] == "Zoë Müller: 2; Priya Nair: 1"
