"""Geometry of the inline SVG charts: every change on the axis, no two marks colliding."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

from report_fixtures import (
    START,
    active_linear_report,
    empty_report,
    hostile_report,
    sample_report,
    trend_points,
)

from reports import render_report
from reports.svg import MARK_ROOM, MAX_LANES, layout_timeline, layout_trend


def test_every_change_sits_between_start_and_end() -> None:
    report = hostile_report()
    timeline = layout_timeline(report)
    assert len(timeline.marks) == len(report.changes)
    for mark in timeline.marks:
        assert timeline.left <= mark.x <= timeline.right
        assert 0 < mark.y < timeline.axis_y
    assert timeline.start_label == "2024-05-06 09:00"
    assert timeline.end_label == "2024-05-17 17:00"


def test_marks_in_one_lane_leave_room_for_their_labels() -> None:
    report = sample_report()
    crowded = tuple(
        replace(c, changed_at=START + timedelta(hours=n))
        for n, c in enumerate((report.changes * 2)[:MAX_LANES])
    )
    timeline = layout_timeline(replace(report, changes=crowded))
    lanes: dict[float, list[float]] = {}
    for mark in timeline.marks:
        lanes.setdefault(mark.y, []).append(mark.x)
    assert len(lanes) > 1
    for xs in lanes.values():
        xs.sort()
        assert all(b - a >= MARK_ROOM for a, b in pairwise(xs))


def test_a_crowd_beyond_the_lanes_overlaps_rather_than_growing_forever() -> None:
    report = sample_report()
    crowd = tuple(
        replace(c, changed_at=START + timedelta(minutes=n))
        for n, c in enumerate(report.changes * 8)
    )
    timeline = layout_timeline(replace(report, changes=crowd))
    assert len(timeline.marks) == 40
    assert len({m.y for m in timeline.marks}) == MAX_LANES


def test_ticks_are_days_with_weekends_marked() -> None:
    ticks = layout_timeline(sample_report()).ticks
    assert [t.label for t in ticks][:3] == ["Tue 7", "Wed 8", "Thu 9"]
    assert [t.label for t in ticks if t.weekend] == ["Sat 11", "Sun 12"]


def test_long_cycles_tick_weekly() -> None:
    report = sample_report()
    sprint = replace(report.sprint, ended_at=START + timedelta(days=60))
    ticks = layout_timeline(replace(report, sprint=sprint)).ticks
    assert len(ticks) <= 10


def test_active_sprint_marks_when_the_report_was_made() -> None:
    timeline = layout_timeline(active_linear_report())
    assert timeline.now_x is not None and timeline.left < timeline.now_x < timeline.right
    assert layout_timeline(sample_report()).now_x is None
    assert "report made" in render_report(active_linear_report(), "html")


def test_a_sprint_without_start_or_changes_still_draws() -> None:
    report = empty_report()
    timeline = layout_timeline(replace(report, sprint=replace(report.sprint, started_at=None)))
    assert timeline.marks == () and timeline.right > timeline.left


def test_trend_bars_stack_to_the_number_of_changes() -> None:
    chart = layout_trend(trend_points())
    assert chart.max_changes == 8  # 7 changes at most, rounded up to a multiple of 4
    for bar, point in zip(chart.bars, trend_points(), strict=True):
        total = sum(height for _, _, height, _ in bar.segments)
        expected = (chart.base_y - chart.top_y) * point.summary.changes / chart.max_changes
        assert abs(total - expected) < 0.5
        assert chart.share_top <= bar.share_y <= chart.share_base
    assert chart.share_path.startswith("M") and chart.share_path.count("L") == 3
    assert layout_trend(()).bars == ()
