"""Markdown for pasting into Confluence, GitHub or Slack.

The full report is a summary, a table of changes worst first, and per changed issue the
net diff against the baseline. ``summary_only`` gives a chat-sized version (at most 15
lines). Text from a tracker is escaped so an issue title cannot inject links, HTML or
table breaks; only http(s) URLs become links.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import tzinfo
from urllib.parse import quote

from reports.common import (
    DEFINED_NOTE,
    SHARE_NOTE,
    VERDICT_GLYPH,
    average_line,
    coverage_note,
    days_into_sprint,
    diff_counts,
    empty_text,
    hours_text,
    http_url,
    kind_notes,
    local_time,
    natural_key,
    notes_lines,
    person_name,
    shorten,
    summary_line,
    title_line,
    trend_label,
    trend_series,
    worst_first,
    zone_name,
)
from tracker.findings import (
    ChangeFinding,
    CriteriaDiff,
    IssueFinding,
    SprintReport,
    TrendPoint,
    Verdict,
)

# Characters that start emphasis, code, links, raw HTML, strikethrough or table cells.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!])")
SUMMARY_ITEMS = 5
_URL_SAFE = ":/?#@!$&'*+,;=%~"


def escape(text: str) -> str:
    """``text`` as literal Markdown on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def link(label: str, url: str | None) -> str:
    href = http_url(url)
    if href is None:
        return escape(label)
    # Percent-encode what would end the link early: spaces, parentheses, angle brackets.
    return f"[{escape(label)}]({quote(href, safe=_URL_SAFE)})"


def _verdict(change: ChangeFinding) -> str:
    text = f"{VERDICT_GLYPH[change.verdict]} {change.verdict}"
    return f"**{text}**" if change.verdict == Verdict.FLAGGED else text


def _when(report: SprintReport, change: ChangeFinding, tz: tzinfo | None) -> str:
    day = days_into_sprint(change, report.sprint)
    stamp = local_time(change.changed_at, tz)
    return stamp + (f" (day {day:.1f})" if day is not None else "")


def _change_row(report: SprintReport, change: ChangeFinding, tz: tzinfo | None) -> str:
    cells = [
        _verdict(change),
        link(change.issue.key, change.issue.url) + " " + escape(shorten(change.issue.title, 60)),
        _when(report, change, tz),
        escape(person_name(change.changed_by) or "unknown"),
        diff_counts(change.diff),
        escape(" · ".join([change.reason, *kind_notes(change)])),
    ]
    return "| " + " | ".join(cells) + " |"


def diff_markdown(diff: CriteriaDiff) -> list[str]:
    lines = [f"- ➕ {escape(text)}" for text in diff.added]
    lines += [f"- ➖ ~~{escape(text)}~~" for text in diff.removed]
    lines += [f"- ✏️ {escape(m.before)} → **{escape(m.after)}**" for m in diff.modified]
    return lines or ["- wording only (no criterion changed)"]


def _issue_section(found: IssueFinding, tz: tzinfo | None) -> list[str]:
    notes = []
    if found.added_after_start:
        notes.append("joined after sprint start")
    if found.baseline_approximate:
        notes.append("baseline approximate")
    if found.without_ac_at_start:
        notes.append(f"{DEFINED_NOTE} (no AC when committed)")
    heading = f"### {link(found.issue.key, found.issue.url)} {escape(found.issue.title)}"
    lines = [heading, ""]
    if notes:
        lines += ["_" + ", ".join(notes) + "_", ""]
    verdicts = ", ".join(f"{c.verdict} {local_time(c.changed_at, tz)[:10]}" for c in found.changes)
    lines += [f"Changes: {verdicts}", "", "Net change against the baseline:", ""]
    lines += [*diff_markdown(found.net_diff), ""]
    phrases = [p for c in found.changes for p in c.phrases]
    if phrases:
        lines += ["Said around the change:", ""]
        lines += [
            f"- “{escape(shorten(p.quote, 100))}” ({escape(p.by)}): {escape(p.suggestion)}"
            for p in phrases
        ]
        lines.append("")
    return lines


def _full(report: SprintReport, tz: tzinfo | None) -> str:
    lines = [
        f"## AC changes · {escape(report.sprint.name)}",
        "",
        escape(title_line(report)) + "  ",
        *(f"**{escape(note)}**  " for note in (coverage_note(report),) if note),
        escape(summary_line(report)) + ("  " if notes_lines(report) else ""),
        *_with_breaks([escape(note) for note in notes_lines(report)]),
        "",
    ]
    if not report.changes:
        lines.append(empty_text(report))
        return "\n".join(lines) + "\n"
    lines += [
        f"| Verdict | Issue | When ({zone_name(tz)}) | By | Δ | Why |",
        "|---|---|---|---|---|---|",
        *(_change_row(report, c, tz) for c in worst_first(report.changes)),
        "",
    ]
    changed = sorted(
        (i for i in report.issues if i.changes), key=lambda i: natural_key(i.issue.key)
    )
    for found in changed:
        lines += _issue_section(found, tz)
    return "\n".join(lines).rstrip("\n") + "\n"


def _with_breaks(lines: list[str]) -> list[str]:
    """Markdown lines that render as separate lines of one paragraph."""
    return [line + "  " for line in lines[:-1]] + lines[-1:]


def _summary(report: SprintReport, tz: tzinfo | None) -> str:
    s = report.summary
    unknown = f", {s.unknown} unknown" if s.unknown else ""
    lines = [
        f"**AC changes · {escape(report.sprint.name)}**",
        *(escape(note) for note in (coverage_note(report),) if note),
        f"{s.changes} changes after sprint start: {s.flagged} flagged, "
        f"{s.discussed} discussed, {s.cosmetic} cosmetic{unknown} "
        f"({s.issues_with_ac_changes} of {s.issues} issues changed)",
        *(escape(note) for note in notes_lines(report)),
    ]
    if s.defined_after_start:
        lines.append(f"{s.defined_after_start} {DEFINED_NOTE}")
    flagged = [c for c in worst_first(report.changes) if c.verdict == Verdict.FLAGGED]
    if flagged:
        lines.append("Changed without an engineering-impact discussion:")
    for change in flagged[:SUMMARY_ITEMS]:
        who = escape(person_name(change.changed_by) or "unknown")
        lines.append(
            f"- {link(change.issue.key, change.issue.url)} "
            f"{escape(shorten(change.issue.title, 50))}, {diff_counts(change.diff)} "
            f"by {who}, {_when(report, change, tz)}"
        )
    if len(flagged) > SUMMARY_ITEMS:
        lines.append(f"- … and {len(flagged) - SUMMARY_ITEMS} more")
    return "\n".join(lines) + "\n"


def render_markdown(
    report: SprintReport, *, summary_only: bool = False, tz: tzinfo | None = None
) -> str:
    return _summary(report, tz) if summary_only else _full(report, tz)


def render_trend_markdown(points: Sequence[TrendPoint]) -> str:
    """A section per series: its table, then its average over complete sprints."""
    if not points:
        return "No sprints to compare yet.\n"
    lines = ["## AC change trend", ""]
    for series in trend_series(points):
        lines += [
            f"### {escape(series.label)}",
            "",
            "| Sprint | Start | Issues | With AC changes | Changes | Flagged | Share flagged "
            "| Median time to discussion |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for p in series.points:
            s = p.summary
            lines.append(
                f"| {escape(trend_label(p))} | {local_time(p.sprint.started_at)[:10]} "
                f"| {s.issues} | {s.issues_with_ac_changes} | {s.changes} | {s.flagged} "
                f"| {p.share_flagged:.0%} | {hours_text(p.median_hours_to_discussion)} |"
            )
        lines += ["", escape(average_line(series)), ""]
    lines.append(f"_{SHARE_NOTE}; an active sprint is partial and left out of the average._")
    return "\n".join(lines) + "\n"
