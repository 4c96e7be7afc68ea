"""Issue 6's benchmark: requests against the floor, concurrency, the naive baseline,
report speed and memory, and growth from 1k to 20k issues, in one run.

    python benchmarks/run.py            # full: 1k, 5k, 20k issues; 400k revisions; Linear 5k;
                                        # the real-shaped site at 100 and 10,000 histories a page
    python benchmarks/run.py --quick    # small sizes, about two minutes

Prints Markdown tables and writes them to ``benchmarks/results.md``. PostgreSQL is
measured when ``--postgres URL`` or ``$TRACKER_TEST_POSTGRES_URL`` names a server (a
scratch database is created and dropped). Never asserts anything about time.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/run.py` from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import tables
from benchmarks.linear_bench import (
    HOURLY_POINTS,
    HOURLY_REQUESTS,
    LinearLimits,
    LinearResult,
    run_linear,
)
from benchmarks.report_bench import (
    ReportResult,
    ReportSpec,
    run_report_bench,
    scratch_postgres,
)
from benchmarks.sync_bench import SizeResult, run_shaped, run_size

OUT = Path(__file__).with_name("results.md")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes (about two minutes)")
    p.add_argument("--sizes", type=_ints, help="issue counts, e.g. 1000,5000,20000")
    p.add_argument("--latency", type=float, default=0.05, help="seconds per request (0.05)")
    p.add_argument("--concurrency", type=int, default=4, help="JiraSource concurrency (4)")
    p.add_argument("--naive-issues", type=int, help="size the naive client runs at")
    p.add_argument(
        "--sequential-issues", type=int, help="size of the concurrency-1 run (5000; quick 2000)"
    )
    p.add_argument("--report-revisions", type=int, help="revisions in the report database")
    p.add_argument("--linear-issues", type=int, help="issues in the Linear run (5000; 0 skips)")
    p.add_argument("--report-sprint", type=int, help="issues in the reported sprint")
    p.add_argument(
        "--grants",
        type=_ints,
        default=[100, 10_000],
        help="histories a bulk changelog page the simulator grants, for the real-shaped "
        "site (100,10000; empty skips it)",
    )
    p.add_argument(
        "--shaped-latency", type=float, default=0.02, help="seconds per request there (0.02)"
    )
    p.add_argument("--postgres", default=os.environ.get("TRACKER_TEST_POSTGRES_URL", ""))
    p.add_argument("--no-report", action="store_true", help="skip the report benchmark")
    p.add_argument("--out", type=Path, default=OUT, help="where the tables go (Markdown)")
    args = p.parse_args(argv)
    quick = args.quick
    args.sizes = args.sizes or ([500, 2000] if quick else [1000, 5000, 20000])
    args.naive_issues = args.naive_issues or (200 if quick else 500)
    # Concurrency 1 at a size where overlapping the search, the bulk changelogs and the
    # per-issue calls shows (at 1,000 issues the fixed setup requests are a third of it).
    args.sequential_issues = args.sequential_issues or (2000 if quick else 5000)
    args.report_revisions = args.report_revisions or (20_000 if quick else 400_000)
    args.report_sprint = args.report_sprint or (200 if quick else 2000)
    if args.linear_issues is None:
        args.linear_issues = 500 if quick else 5000
    return args


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_syncs(args: argparse.Namespace) -> list[SizeResult]:
    sizes = sorted(set(args.sizes) | {args.naive_issues, args.sequential_issues})
    results = []
    for size in sizes:
        _say(f"sync benchmark: {size:,} issues, latency {args.latency * 1000:g} ms")
        results.append(
            run_size(
                size,
                latency=args.latency,
                concurrency=args.concurrency,
                sequential=size == args.sequential_issues,
                naive=size == args.naive_issues,
            )
        )
    return results


def run_shaped_section(args: argparse.Namespace) -> list[SizeResult]:
    """The real-shaped site at each grant (AC edited in 5% of saves), then at the first
    grant with AC edited in 15% of saves (most issues' AC changes after a start)."""
    runs: list[tuple[int, float]] = [(g, 0.05) for g in args.grants]
    runs += [(args.grants[0], 0.15)] if args.grants and not args.quick else []
    results = []
    for grant, share in runs:
        _say(f"real-shaped site: {grant:,} histories a page, AC in {share:.0%} of saves")
        results.append(
            run_shaped(
                grant, latency=args.shaped_latency, concurrency=args.concurrency, ac_share=share
            )
        )
    return results


def render_shaped(args: argparse.Namespace, shaped: list[SizeResult]) -> list[str]:
    if not shaped:
        return []
    one = shaped[0]
    out = [
        f"## 0. A real-shaped site ({one.size:,} issues on one board over six sprints, "
        f"{one.histories:,} histories, 40 issues with over 100, 2,000 in the active sprint "
        f"edited until minutes before each sync; {args.shaped_latency * 1000:g} ms per request)",
        "",
        tables.shaped_table(shaped),
        "",
        "The floor of each first sync, term by term (setup: serverInfo, field list, board, "
        "sprint page; after the first sync what may be kept is not asked again):",
        "",
    ]
    out += [
        f"- {r.grant:,} a page, AC in {r.ac_share:.0%} of saves ({r.needy:,} issues with an AC "
        f"change after a start): {r.runs['first'].floor.terms()}"
        for r in shaped
    ]
    return [*out, ""]


def run_reports(args: argparse.Namespace) -> tuple[list[ReportResult], dict[int, ReportResult]]:
    """The full-size report on SQLite (and PostgreSQL), plus SQLite at each sync size
    with the same proportions, for the growth table."""
    spec = ReportSpec(revisions=args.report_revisions, sprint_issues=args.report_sprint)
    main: list[ReportResult] = []
    growth: dict[int, ReportResult] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sorted(args.sizes):
            scaled = ReportSpec(revisions=20 * size, sprint_issues=max(10, size // 10))
            if scaled.revisions == spec.revisions and scaled.sprint_issues == spec.sprint_issues:
                continue
            _say(f"report benchmark: SQLite, {scaled.revisions:,} revisions")
            growth[size] = run_report_bench(
                f"sqlite:///{tmp}/g{size}.db", "SQLite", scaled, 1, full=False
            )
        _say(f"report benchmark: SQLite, {spec.revisions:,} revisions")
        main.append(
            run_report_bench(f"sqlite:///{tmp}/report.db", "SQLite", spec, 1, commands=True)
        )
    growth[spec.issues] = main[0]
    if args.postgres:
        _say(f"report benchmark: PostgreSQL, {spec.revisions:,} revisions")
        with scratch_postgres(args.postgres) as url:
            # Python-side memory does not depend on the database: traced once, on SQLite.
            main.append(
                run_report_bench(url, "PostgreSQL", spec, 1, trace_trend=False, commands=True)
            )
    return main, growth


def run_linear_section(args: argparse.Namespace) -> LinearResult | None:
    if args.linear_issues <= 0:
        return None
    _say(f"Linear sync benchmark: {args.linear_issues:,} issues")
    result = run_linear(args.linear_issues, latency=args.latency)
    _say(f"Linear sync benchmark took {result.seconds:.0f} s")
    return result


def render_linear(result: LinearResult) -> list[str]:
    first = result.runs["first"]
    return [
        f"## 6. Linear ({result.size:,} issues in one team, {result.cycles} cycles, "
        f"{result.history:,} history entries, {result.comments:,} comments, "
        f"{result.attachments:,} attachments, {result.relations:,} relations)",
        "",
        tables.linear_table(result),
        "",
        f"The connector reads {result.issue_page} issues a page (an incremental sync starts at "
        f"{LinearLimits().incremental_page} and doubles); {result.max_page} is the most the "
        "same query fits under Linear's 10,000 points a query. "
        f"First sync: {tables.linear_floor_line(first.floor)}. "
        f"Section run time {result.seconds:,.0f} s (workspace built in "
        f"{result.build_seconds:,.1f} s).",
        "",
        _linear_budget_table(result),
        "",
        _budget_note(result),
        "",
        tables.linear_waste_table(result),
        "",
        f"Requests by operation: {tables.linear_operations(result)}.",
        "",
    ]


def _linear_budget_table(result: LinearResult) -> str:
    """Points and requests per sync against Linear's hourly budgets for an API key."""
    rows = []
    for run in result.runs.values():
        per_issue = run.points_per_issue
        rows.append(
            (
                run.label,
                run.issues,
                f"{run.requests:,} / {run.floor.total:,} ({run.ratio:.2f}x)",
                run.points,
                "-" if per_issue is None else f"{per_issue:,.0f}",
                f"{100 * run.points_share:.1f}%",
                f"{100 * run.requests_share:.1f}%",
                f"{run.paused:,.0f}",
                run.rejected,
            )
        )
    return tables.table(
        ("sync", "issues read", "requests / floor", "complexity points", "points per issue",
         f"of {HOURLY_POINTS:,} points/h", f"of {HOURLY_REQUESTS:,} requests/h",
         "waited for budget, s", "rejected (RATELIMITED)"),
        rows,
    )  # fmt: skip


def _budget_note(result: LinearResult) -> str:
    first = result.runs["first"]
    hours = first.points / result.points_per_hour
    note = (
        f"Linear's budgets are per user and hour: {HOURLY_POINTS:,} complexity points and "
        f"{HOURLY_REQUESTS:,} requests for an API key. The simulator enforced "
        f"{result.points_per_hour:,} points an hour here; the connector prices each query "
        "before sending it and waits for the budget to refill when it would not cover it "
        f"(its clock moves only by those waits). The first sync uses {100 * hours:.0f}% of "
        "an hour's points"
    )
    if first.paused:
        note += f", so it waited {first.paused / 60:,.0f} simulated minutes for the budget"
    refused = sum(run.rejected for run in result.runs.values())
    return note + f"; {refused} queries were refused as RATELIMITED."


def render(
    args: argparse.Namespace,
    syncs: list[SizeResult],
    reports: list[ReportResult],
    growth: dict[int, ReportResult],
    seconds: float,
    linear: LinearResult | None = None,
    shaped: list[SizeResult] | None = None,
) -> str:
    by_size = {r.size: r for r in syncs}
    largest = by_size[max(args.sizes)]
    first = largest.runs["first"]
    out = [
        "# tracker scale benchmark",
        "",
        f"`python benchmarks/run.py{' --quick' if args.quick else ''}` on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}); "
        f"simulated Jira Cloud with {args.latency * 1000:g} ms per request, "
        f"JiraSource concurrency {args.concurrency}; whole run {seconds:,.0f} s. "
        "Sections 1-5: the simulator grants 10,000 histories a bulk changelog page.",
        "",
        *render_shaped(args, shaped or []),
        f"## 1. Requests against the floor ({largest.size:,} issues, "
        f"{largest.histories:,} changelog entries, {largest.comments:,} comments)",
        "",
        tables.requests_table(largest),
        "",
        f"First sync: {tables.floor_line(first.floor)}.",
        "",
        "Where the first sync's requests went, against the floor:",
        "",
        tables.waste_table(first),
        "",
        "## 2. Concurrency (first sync)",
        "",
        tables.concurrency_table(by_size[args.sequential_issues], largest, args.concurrency),
        "",
        "## 3. Naive client side by side",
        "",
        tables.naive_table(by_size[args.naive_issues], largest),
        "",
        "The naive client reads each issue with `expand=changelog`, then its comments and "
        "remote links. On Cloud the inline changelog keeps the newest 100 histories, so AC "
        "edits older than that are never seen.",
        "",
    ]
    if reports:
        out += [
            "## 4. Report speed and memory",
            "",
            "Building the report (read the store, judge every change), cold: memoised "
            "extraction is cleared first, as in a new process.",
            "",
            tables.report_table(reports),
            "",
            "The same as whole `tracker` processes (best of 3), start-up, config, opening "
            "the store and rendering included:",
            "",
            tables.command_table(reports),
            "",
        ]
    out += ["## 5. Growth", "", tables.growth_table(syncs, growth), ""]
    if linear is not None:
        out += render_linear(linear)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    shaped = run_shaped_section(args)
    syncs = run_syncs(args)
    reports, growth = ([], {}) if args.no_report else run_reports(args)
    linear = run_linear_section(args)
    text = render(args, syncs, reports, growth, time.perf_counter() - started, linear, shaped)
    print(text)
    args.out.write_text(text + "\n", encoding="utf-8")
    _say(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
