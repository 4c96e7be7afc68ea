"""The terminal report: a rich table, worst offenders first, and a one-line summary.

Rendered into a string at a fixed width (100 by default) so it fits a standard terminal
and the CLI can write it anywhere; with ``color=False`` (``NO_COLOR``, not a TTY) the
text carries no ANSI codes at all.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from reports.common import (
    DEFINED_NOTE,
    VERDICT_GLYPH,
    baseline_note,
    coverage_note,
    days_into_sprint,
    diff_counts,
    kind_notes,
    person_name,
    plural,
    shorten,
    sprint_end,
    sprint_label,
    without_ac_at_start,
    worst_first,
)
from tracker.clock import iso
from tracker.findings import ChangeFinding, CriteriaDiff, SprintReport, Verdict

VERDICT_STYLE = {
    Verdict.FLAGGED: "bold red",
    Verdict.DISCUSSED: "green",
    Verdict.COSMETIC: "dim",
    Verdict.UNKNOWN: "bold yellow",
}
# Criteria shown per change before "… n more": the table is an overview, not the diff.
MAX_DIFF_LINES = 3
COMPACT_BELOW = 80


def make_console(width: int, color: bool) -> Console:
    """A console that writes into memory at exactly ``width`` columns."""
    return Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )


def render_to_text(renderables: list[RenderableType], *, width: int, color: bool) -> str:
    console = make_console(width, color)
    for renderable in renderables:
        console.print(renderable)
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue()


def title_line(report: SprintReport) -> str:
    """The sprint, its state and its span."""
    start = (iso(report.sprint.started_at) or "?")[:10]
    end = (iso(sprint_end(report)) or "…")[:10]
    planned = " (planned)" if report.sprint.ended_at is None and sprint_end(report) else ""
    return f"{sprint_label(report.sprint)} · {report.sprint.state} · {start} → {end}{planned}"


def summary_line(report: SprintReport) -> str:
    """What happened to the sprint's criteria, in one line."""
    s = report.summary
    line = (
        f"{plural(s.issues, 'issue')}, {s.issues_with_ac_changes} with AC changes · "
        f"{plural(s.changes, 'change')}: {s.flagged} flagged, {s.discussed} discussed, "
        f"{s.cosmetic} cosmetic"
    )
    if s.unknown:
        line += f", {s.unknown} unknown"
    if s.defined_after_start:
        line += f" · {s.defined_after_start} {DEFINED_NOTE}"
    if s.issues_without_ac:
        line += f" · {plural(s.issues_without_ac, 'issue')} without AC"
    if s.points_added_after_start:
        line += f" · {s.points_added_after_start:g} points added after start"
    return line


def notes_lines(report: SprintReport) -> list[str]:
    """The caveats and lists every summary carries below its counts."""
    lines = [note for note in (baseline_note(report),) if note]
    late = without_ac_at_start(report)
    if late:
        lines.append(f"{DEFINED_NOTE} (no AC when committed): {', '.join(late)}")
    return lines


def empty_text(report: SprintReport) -> str:
    """What a report with no changes says: never "no changes" when it could not see."""
    if report.not_started:
        return "This sprint has not started yet: there is nothing to compare against."
    if report.summary.issues_baseline_approximate:
        return (
            "No acceptance-criteria change was seen after the sprint started, but some "
            "baselines are approximate (see below)."
        )
    return "No acceptance criteria changed after the sprint started."


def _diff_text(diff: CriteriaDiff, limit: int) -> Text:
    text = Text()
    lines = [("+ ", a, "green") for a in diff.added]
    lines += [("- ", r, "red") for r in diff.removed]
    lines += [("~ ", m.after, "yellow") for m in diff.modified]
    was = [""] * (len(diff.added) + len(diff.removed))
    was += [
        f" (was: {' '.join(m.removed_words)})" if m.removed_words else "" for m in diff.modified
    ]
    for (sign, body, style), old in list(zip(lines, was, strict=True))[:MAX_DIFF_LINES]:
        text.append(sign, style=style)
        text.append(shorten(body, limit - len(old)))
        text.append(old + "\n", style="dim")
    if len(lines) > MAX_DIFF_LINES:
        text.append(f"… {len(lines) - MAX_DIFF_LINES} more\n", style="dim")
    if not lines:
        text.append("wording only\n", style="dim")
    return text


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
    report: SprintReport, change: ChangeFinding, change_width: int, compact: bool
) -> list[Text]:
    style = VERDICT_STYLE[change.verdict]
    label = "" if compact else f" {change.verdict}"
    verdict = Text(f"{VERDICT_GLYPH[change.verdict]}{label}", style=style)
    issue = Text(change.issue.key, style="bold")
    issue.append("\n" + shorten(change.issue.title, 40))
    if change.added_after_start:
        issue.append("\njoined late", style="dim")
    days = days_into_sprint(change, report.sprint)
    when = Text((iso(change.changed_at) or "")[:10])
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


def build_table(report: SprintReport, width: int) -> Table:
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
        table.add_row(*_row(report, change, change_width, compact))
    return table


def render_table(report: SprintReport, *, width: int = 100, color: bool = False) -> str:
    header = Text(shorten(title_line(report), width), style="bold")
    # Wrapped, not cut: the counts at its end (unknown, points added) must stay visible.
    footer = Text(summary_line(report))
    if not report.changes:
        body: RenderableType = Text(empty_text(report))
    else:
        body = build_table(report, width)
    coverage = coverage_note(report)
    if coverage:
        header.append("\n" + coverage, style="yellow")
    notes = [Text(line, style="yellow") for line in notes_lines(report)]
    return render_to_text([header, body, *notes, footer], width=width, color=color)
