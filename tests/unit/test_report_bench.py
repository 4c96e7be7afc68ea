"""The report benchmark at a tiny size: it fills a store, builds the report and the
trend, and times whole `tracker` processes against it (benchmarks are not run in CI,
so this keeps them working)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of scripts, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import tables  # noqa: E402
from benchmarks.report_bench import ReportSpec, run_report_bench  # noqa: E402


def test_small_report_benchmark_builds_times_and_tabulates(tmp_path: Path) -> None:
    spec = ReportSpec(revisions=3_000, sprint_issues=60, per_sprint=20, boards=3)
    result = run_report_bench(f"sqlite:///{tmp_path}/r.db", "SQLite", spec, 1, commands=True)
    assert result.rows["revisions"] == spec.issues * spec.revisions_per_issue
    assert result.changes > 0
    assert result.trend_sprints == 6  # every started sprint: 3 boards × 2
    assert result.report is not None and result.report.peak_mb > 0
    assert set(result.commands) >= {"tracker report (table)", "tracker trend --last 20"}
    assert all(seconds > 0 and mb > 10 for seconds, mb in result.commands.values())
    text = tables.report_table([result]) + tables.command_table([result])
    assert "report (60-issue sprint)" in text and "peak RSS MB" in text
