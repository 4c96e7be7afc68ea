"""No escape sequence or other control character from a tracker reaches the terminal
(issue 16, finding 5): titles, criteria, names and sprint names, in every format but
JSON (which escapes them), in `show` and in `trend`."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from report_fixtures import sample_report, trend_points

from reports import FORMATS, TREND_FORMATS, render_report, render_trend
from reports.common import printable
from reports.timeline import render_timeline
from tracker.domain import Person
from tracker.findings import SprintReport

CLEAR = "\x1b[2J"
CONCEAL = "\x1b[8m"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_LINK = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
C1_CSI = "\x9b2J"
ATTACKS = CLEAR + CONCEAL + OSC_TITLE + OSC_LINK + C1_CSI + "\x08\x00"
# Any control character but tab and newline, except the SGR colour codes a coloured
# table writes itself (tested uncoloured, so none at all is allowed here).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _hostile() -> SprintReport:
    report = sample_report()
    mallory = Person("m", f"Mallory{ATTACKS}", None)
    sprint = replace(report.sprint, name=f"Sprint 42{ATTACKS}")
    changes = tuple(
        replace(
            c,
            issue=replace(c.issue, title=f"{c.issue.title}{ATTACKS}"),
            changed_by=mallory,
            reason=f"{c.reason}{ATTACKS}",
            diff=replace(c.diff, added=tuple(f"{a}{ATTACKS}" for a in c.diff.added)),
        )
        for c in report.changes
    )
    return replace(report, sprint=sprint, changes=changes)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "json"])
def test_no_control_character_in_any_report_format(fmt: str) -> None:
    text = render_report(_hostile(), fmt, color=False)
    if fmt == "csv":
        text = text.replace("\r\n", "\n")
    assert not _CONTROL.findall(text)
    assert "[2J" in text  # the text is kept, only the control characters go


def test_json_keeps_the_text_but_escaped() -> None:
    text = render_report(_hostile(), "json")
    assert "\x1b" not in text and "\\u001b" in text


def test_show_strips_control_characters_from_every_value() -> None:
    report = _hostile()
    finding = next(i for i in report.issues if i.changes)
    hostile = replace(finding, issue=replace(finding.issue, title=f"t{ATTACKS}"))
    text = render_timeline(report.sprint, hostile, color=False)
    assert not _CONTROL.findall(text)
    assert "[2J" in text  # the text is kept, only the control characters go


@pytest.mark.parametrize("fmt", [f for f in TREND_FORMATS if f != "json"])
def test_trend_strips_control_characters(fmt: str) -> None:
    points = tuple(
        replace(p, sprint=replace(p.sprint, name=f"{p.sprint.name}{ATTACKS}", key=None))
        for p in trend_points()
    )
    assert not _CONTROL.findall(render_trend(points, fmt, color=False).replace("\r\n", "\n"))


def test_printable_leaves_clean_values_untouched() -> None:
    report = sample_report()
    assert printable(report) is report
    assert printable("a\r\nb\rc\x1b[2J") == "a\nb\nc[2J"
