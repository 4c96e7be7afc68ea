"""The benchmark's tables, as Markdown: readable in a terminal, quotable in the README."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from benchmarks.floor import Floor
from benchmarks.linear_bench import HOURLY_POINTS, LinearFloor, LinearResult
from benchmarks.report_bench import ReportResult, Timing
from benchmarks.sync_bench import SizeResult, SyncRun

# Which floor category each simulator route belongs to.
CATEGORY = {
    "GET /rest/api/2/serverInfo": "setup",
    "GET /rest/api/2/field": "setup",
    "GET /rest/agile/1.0/board/{id}": "setup",
    "GET /rest/agile/1.0/board/{id}/sprint": "setup",
    "GET /rest/api/2/search/jql": "search",
    "POST /rest/api/2/search/jql": "search",
    "POST /rest/api/2/changelog/bulkfetch": "bulk",
    "GET /rest/api/2/issue/{key}/comment": "comments",
    "GET /rest/api/2/issue/{key}/remotelink": "remote_links",
    "GET /rest/api/2/issue/{key}/changelog": "changelogs",
    "GET /rest/api/2/issue/{key}": "changelogs",
}


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    return "\n".join([line, rule, *body])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def requests_table(result: SizeResult) -> str:
    rows = [
        (run.label, run.issues, run.requests, run.floor.total, f"{run.ratio:.2f}x", run.wall)
        for key, run in result.runs.items()
        if key != "sequential"
    ]
    return table(("sync", "issues stored", "requests", "floor", "ratio", "wall s"), rows)


def shaped_table(results: Sequence[SizeResult]) -> str:
    rows = []
    for r in results:
        naive = r.naive_predicted[0]
        for run in r.runs.values():
            first = run is r.runs["first"]
            rows.append(
                (
                    f"{r.grant:,}",
                    f"{r.ac_share:.0%}",
                    run.label,
                    run.issues,
                    run.requests,
                    run.floor.total,
                    f"{run.ratio:.2f}x",
                    f"{naive:,} ({naive / max(1, run.requests):.1f}x)" if first else "",
                    run.wall,
                    f"{run.peak_mb:,.0f}",
                )
            )
    return table(
        ("histories a page", "AC in saves", "sync", "issues stored", "requests", "floor",
         "ratio", "naive requests (x ours)", "wall s", "peak RSS MB"),
        rows,
    )  # fmt: skip


def categories(run: SyncRun) -> Counter[str]:
    out: Counter[str] = Counter()
    for route, n in run.by_endpoint.items():
        out[CATEGORY.get(route, route)] += n
    return out


def waste_table(run: SyncRun) -> str:
    made = categories(run)
    floor = run.floor.as_dict()
    rows = [
        (name, made.get(name, 0), floor.get(name, 0), made.get(name, 0) - floor.get(name, 0))
        for name in ("setup", "search", "bulk", "comments", "remote_links", "changelogs")
    ]
    rows += [(k, v, 0, v) for k, v in made.items() if k not in floor]
    return table(("requests for", "made", "floor", "above floor"), rows)


def concurrency_table(seq: SizeResult, largest: SizeResult, concurrency: int) -> str:
    conc, alone = seq.runs["first"], seq.runs["sequential"]
    scale = largest.size / seq.size
    big = largest.runs["first"]
    rows: list[tuple[object, ...]] = [
        (f"{seq.size:,} issues", conc.requests, conc.wall, alone.wall, "measured"),
    ]
    rows += [
        (
            f"{largest.size:,} issues",
            big.requests,
            big.wall,
            alone.wall * scale,
            f"concurrency 1 extrapolated x{scale:g} from {seq.size:,}",
        ),
    ][: 0 if largest is seq else 1]
    return table(
        (
            "first sync",
            "requests",
            f"wall s, concurrency {concurrency}",
            "wall s, concurrency 1",
            "how",
        ),
        rows,
    )


def naive_table(measured: SizeResult, largest: SizeResult) -> str:
    rows = []
    for label in ("first", "nightly"):
        naive = measured.naive[label]
        ours = measured.runs[label]
        rows.append(
            (
                f"{label} ({measured.size:,} issues)",
                naive.requests,
                ours.requests,
                f"{naive.requests / max(1, ours.requests):.1f}x",
                naive.wall,
                ours.wall,
                f"{naive.wall / max(1e-9, ours.wall):.1f}x",
                f"{naive.ac_missed} AC edits in {naive.issues_missed} issues",
            )
        )
    if largest is not measured and largest.naive_predicted:
        scale = largest.size / measured.size
        ours = largest.runs["first"]
        predicted = largest.naive_predicted
        rows.append(
            (
                f"first ({largest.size:,} issues, predicted)",
                predicted[0],
                ours.requests,
                f"{predicted[0] / max(1, ours.requests):.1f}x",
                measured.naive["first"].wall * scale,
                ours.wall,
                f"{measured.naive['first'].wall * scale / max(1e-9, ours.wall):.1f}x",
                f"{predicted[1]} AC edits in {predicted[2]} issues",
            )
        )
    return table(
        ("read", "naive requests", "tracker requests", "ratio", "naive wall s", "tracker wall s",
         "ratio", "naive missed (truncation)"),
        rows,
    )  # fmt: skip


def growth_table(results: Sequence[SizeResult], reports: dict[int, ReportResult]) -> str:
    rows = []
    for r in results:
        first, nightly = r.runs["first"], r.runs["nightly"]
        rep = reports.get(r.size)
        rows.append(
            (
                r.size,
                r.histories,
                first.requests,
                first.floor.total,
                f"{first.ratio:.2f}x",
                first.wall,
                f"{1000 * first.wall / r.size:.1f}",
                nightly.requests,
                nightly.wall,
                _best(rep.report if rep else None),
                rep.report_issues if rep else "",
            )
        )
    return table(
        ("issues", "histories", "first: requests", "floor", "ratio", "wall s", "ms/issue",
         "nightly: requests", "wall s", "report s (SQLite)", "sprint issues"),
        rows,
    )  # fmt: skip


def _best(timing: Timing | None) -> str:
    return f"{timing.best:.2f}" if timing else ""


def report_table(results: Sequence[ReportResult]) -> str:
    rows = []
    for r in results:
        for name, timing, detail in (
            (f"report ({r.report_issues:,}-issue sprint)", r.report, f"{r.changes} changes"),
            (f"trend --last 20 ({r.trend_issues:,} issues)", r.trend, f"{r.trend_sprints} sprints"),
        ):
            if timing is None:
                continue
            rows.append(
                (
                    r.backend,
                    r.rows.get("revisions", 0),
                    name,
                    timing.best,
                    timing.load or "-",
                    timing.peak_mb or "-",
                    detail,
                )
            )
    return table(
        ("database", "revisions", "what", "wall s", "of which load s", "peak MB (tracemalloc)", ""),
        rows,
    )


def command_table(results: Sequence[ReportResult]) -> str:
    """Whole processes, as a user runs them: wall time and peak resident memory."""
    names = [name for r in results for name in r.commands]
    rows = []
    for name in dict.fromkeys(names):
        cells: list[object] = [name]
        for r in results:
            seconds, mb = r.commands.get(name, (None, None))
            cells += [
                "" if seconds is None else f"{seconds:.2f}",
                "" if mb is None else f"{mb:.0f}",
            ]
        rows.append(cells)
    headers = ["command"]
    for r in results:
        headers += [f"{r.backend} wall s", f"{r.backend} peak RSS MB"]
    return table(headers, rows)


def floor_line(floor: Floor) -> str:
    parts = ", ".join(f"{k} {v:,}" for k, v in floor.as_dict().items() if k != "total")
    return f"floor {floor.total:,} = {parts}"


# Which Linear floor category each GraphQL operation belongs to.
LINEAR_CATEGORY = {
    "Cycles": "cycles",
    "DiscussionSince": "discovery",
    "CommentsSince": "discovery",
    "AttachmentsSince": "discovery",
    "IssuesPage": "issues",
    "IssuesById": "issues",
}


def linear_table(result: LinearResult) -> str:
    rows = [
        (
            run.label,
            run.issues,
            run.requests,
            run.floor.total,
            f"{run.ratio:.2f}x",
            run.best.total,
            f"{run.ratio_best:.2f}x",
            run.points,
            f"{100 * run.points / HOURLY_POINTS:.1f}%",
            run.wall,
        )
        for run in result.runs.values()
    ]
    return table(
        ("sync", "issues stored", "requests", f"floor (page {result.issue_page})", "ratio",
         f"floor (page {result.max_page})", "ratio", "complexity points", "of 3M/h budget",
         "wall s"),
        rows,
    )  # fmt: skip


def linear_waste_table(result: LinearResult) -> str:
    """Requests per floor category and run: made / floor at the connector's page size."""
    made: dict[str, Counter[str]] = {}
    for key, run in result.runs.items():
        made[key] = Counter()
        for operation, n in run.by_operation.items():
            made[key][LINEAR_CATEGORY.get(operation, "follow_ups")] += n
    rows = []
    for name in ("cycles", "discovery", "issues", "follow_ups"):
        cells = [
            f"{made[k][name]:,} / {run.floor.as_dict()[name]:,}" for k, run in result.runs.items()
        ]
        rows.append((name, *cells))
    labels = [f"{run.label}: made / floor" for run in result.runs.values()]
    return table(("requests for", *labels), rows)


def linear_operations(result: LinearResult) -> str:
    parts = []
    for run in result.runs.values():
        ops = ", ".join(f"{op} {n:,}" for op, n in sorted(run.by_operation.items()))
        parts.append(f"{run.label}: {ops}")
    return "; ".join(parts)


def linear_floor_line(floor: LinearFloor) -> str:
    parts = ", ".join(f"{k} {v:,}" for k, v in floor.as_dict().items() if k != "total")
    return f"floor {floor.total:,} = {parts}"
