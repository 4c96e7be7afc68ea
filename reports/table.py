"""The terminal report: a rich table, worst offenders first, and a one-line summary.

Rendered into a string at a fixed width (100 by default) so it fits a standard terminal
and the CLI can write it anywhere; with ``color=False`` (``NO_COLOR``, not a TTY) the
text carries no ANSI codes at all.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from reports.common import (
    VERDICT_GLYPH,
    VERDICT_STYLE,
    coverage_note,
    days_into_sprint,
    diff_counts,
    empty_text,
    kind_notes,
    local_time,
    notes_lines,
    person_name,
    shorten,
    summary_line,
    title_line,
    worst_first,
    zone_name,
)
from reports.terminal import render_to_text
from tracker.findings import ChangeFinding, CriteriaDiff, SprintReport, Verdict

# Criteria shown per change before "… n more": the table is an overview, not the diff.
MAX_DIFF_LINES = 3
COMPACT_BELOW = 80


def _diff_text(diff: CriteriaDiff, limit: int) -> Text:
    """The first criteria of the diff. A reworded criterion shows its new text around
    the words that changed (never cut before them), what it said before, and its risk
    call-outs (``number: 80 → 70``) as HTML and ``show`` do."""
    text = Text()
    shown = 0
    for sign, body, style in [("+ ", a, "green") for a in diff.added] + [
        ("- ", r, "red") for r in diff.removed
    ]:
        if shown == MAX_DIFF_LINES:
            break
        text.append(sign, style=style)
        text.append(shorten(body, limit) + "\n")
        shown += 1
    for item in diff.modified:
        if shown == MAX_DIFF_LINES:
            break
        text.append("~ ", style="yellow")
        text.append(excerpt(item.after, item.added_words, limit))
        if item.removed_words:
            text.append(f" (was: {' '.join(item.removed_words)})", style="dim")
        text.append("\n")
        for risk in item.risks:
            text.append(f"  ⚠ {risk}\n", style="bold yellow")
        shown += 1
    total = len(diff.added) + len(diff.removed) + len(diff.modified)
    if total > shown:
        text.append(f"… {total - shown} more\n", style="dim")
    if not total:
        text.append("wording only\n", style="dim")
    return text


def excerpt(text: str, words: tuple[str, ...], limit: int) -> str:
    """``text`` in about ``limit`` characters with the ``words`` that changed in view: up
    to twice as long when that keeps them all, else cut around the first of them (a
    long criterion is cut around its change, never before it)."""
    flat = " ".join(text.split())
    found = [m.span() for w in words if (m := re.search(rf"(?<!\w){re.escape(w)}(?!\w)", flat))]
    if len(flat) <= limit or not found:
        return shorten(flat, limit)
    end = max(stop for _, stop in found)
    if end < 2 * limit:
        return shorten(flat, max(limit, end + 1))
    start = max(min(at for at, _ in found) - limit // 3, 0)
    window = flat[start : start + 2 * limit - 2]
    tail = "…" if start + 2 * limit - 2 < len(flat) else ""
    return "…" + window.strip() + tail


def _what(change: ChangeFinding, limit: int) -> Text:
    if change.verdict is Verdict.UNKNOWN:
        text = Text("text before the edit never seen\n", style="yellow")
    else:
        text = _diff_text(change.diff, limit)
    notes = kind_notes(change)
    if notes:
        text.append(shorten(" · ".join(notes), limit) + "\n", style="cyan")
    return text


def _row(
    report: SprintReport,
    change: ChangeFinding,
    change_width: int,
    compact: bool,
    tz: tzinfo | None = None,
) -> list[Text]:
    style = VERDICT_STYLE[change.verdict]
    label = "" if compact else f" {change.verdict}"
    verdict = Text(f"{VERDICT_GLYPH[change.verdict]}{label}", style=style)
    issue = Text(change.issue.key, style="bold")
    issue.append("\n" + shorten(change.issue.title, 40))
    if change.added_after_start:
        issue.append("\njoined late", style="dim")
    days = days_into_sprint(change, report.sprint)
    when = Text(local_time(change.changed_at, tz)[:10])
    if days is not None:
        when.append(f"\nday {days:.1f}", style="dim")
    when.append("\n" + shorten(person_name(change.changed_by) or "unknown", 14))
    what = _what(change, change_width * 2)
    what.append(shorten(change.reason, change_width * 3), style="italic dim")
    for phrase in change.phrases[:1]:  # one is enough to prompt the conversation
        what.append(
            "\n" + shorten(f"“{phrase.quote}”: {phrase.suggestion}", change_width * 3),
            style="yellow",
        )
    if compact:
        return [verdict, issue, when, what]
    return [verdict, issue, when, Text(diff_counts(change.diff)), what]


def build_table(report: SprintReport, width: int, tz: tzinfo | None = None) -> Table:
    """Five columns; below 80 columns the verdict shrinks to its glyph and Δ goes."""
    compact = width < COMPACT_BELOW
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=True, pad_edge=False)
    table.add_column("" if compact else "Verdict", no_wrap=True, width=1 if compact else 11)
    table.add_column("Issue", ratio=2, overflow="fold", min_width=8)
    table.add_column("When / who", width=12 if compact else 14, overflow="ellipsis")
    if not compact:
        table.add_column("Δ", width=6, no_wrap=True)
    table.add_column("What changed · why", ratio=5, overflow="fold")
    # Room for about two lines of the last column (it gets 5/8 of what is left).
    fixed = 20 if compact else 44
    change_width = max((width - fixed) * 5 // 8, 16)
    for change in worst_first(report.changes):
        table.add_row(*_row(report, change, change_width, compact, tz))
    return table


def render_table(
    report: SprintReport, *, width: int = 100, color: bool = False, tz: tzinfo | None = None
) -> str:
    zone = f" · times in {zone_name(tz)}" if tz is not None else ""
    header = Text(shorten(title_line(report) + zone, width), style="bold")
    coverage = coverage_note(report)
    if coverage:
        header.append("\n" + coverage, style="yellow")
    # Wrapped, not cut: the counts at its end (unknown, points added) must stay visible.
    footer = Text(summary_line(report))
    if not report.changes:
        body: RenderableType = Text(empty_text(report))
    else:
        body = build_table(report, width, tz)
    notes = [Text(line, style="yellow") for line in notes_lines(report)]
    return render_to_text([header, body, *notes, footer], width=width, color=color)
