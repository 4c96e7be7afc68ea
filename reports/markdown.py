"""Markdown for pasting into Confluence, GitHub or Slack.

The full report is a summary, a table of changes worst first, and per changed issue the
net diff against the baseline. ``summary_only`` gives a chat-sized version (at most 15
lines). Text from a tracker is escaped so an issue title cannot inject links, HTML or
table breaks; only http(s) URLs become links.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from reports.common import (
    VERDICT_GLYPH,
    days_into_sprint,
    diff_counts,
    http_url,
    natural_key,
    person_name,
    shorten,
    summary_line,
    title_line,
    worst_first,
)
from tracker.clock import iso
from tracker.findings import ChangeFinding, CriteriaDiff, IssueFinding, SprintReport, Verdict

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


def _when(report: SprintReport, change: ChangeFinding) -> str:
    day = days_into_sprint(change, report.sprint)
    stamp = (iso(change.changed_at) or "").replace("T", " ").removesuffix("Z")[:16]
    return stamp + (f" (day {day:.1f})" if day is not None else "")


def _change_row(report: SprintReport, change: ChangeFinding) -> str:
    cells = [
        _verdict(change),
        link(change.issue.key, change.issue.url) + " " + escape(shorten(change.issue.title, 60)),
        _when(report, change),
        escape(person_name(change.changed_by) or "unknown"),
        diff_counts(change.diff),
        escape(change.reason),
    ]
    return "| " + " | ".join(cells) + " |"


def diff_markdown(diff: CriteriaDiff) -> list[str]:
    lines = [f"- ➕ {escape(text)}" for text in diff.added]
    lines += [f"- ➖ ~~{escape(text)}~~" for text in diff.removed]
    lines += [f"- ✏️ {escape(m.before)} → **{escape(m.after)}**" for m in diff.modified]
    return lines or ["- wording only (no criterion changed)"]


def _issue_section(found: IssueFinding) -> list[str]:
    notes = []
    if found.added_after_start:
        notes.append("joined after sprint start")
    if found.baseline_approximate:
        notes.append("baseline approximate")
    heading = f"### {link(found.issue.key, found.issue.url)} {escape(found.issue.title)}"
    lines = [heading, ""]
    if notes:
        lines += ["_" + ", ".join(notes) + "_", ""]
    verdicts = ", ".join(f"{c.verdict} {(iso(c.changed_at) or '')[:10]}" for c in found.changes)
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


def _full(report: SprintReport) -> str:
    lines = [
        f"## AC changes · {escape(report.sprint.name)}",
        "",
        escape(title_line(report)) + "  ",
        escape(summary_line(report)),
        "",
    ]
    if not report.changes:
        lines.append("No acceptance criteria changed after the sprint started.")
        return "\n".join(lines) + "\n"
    lines += [
        "| Verdict | Issue | When (UTC) | By | Δ | Why |",
        "|---|---|---|---|---|---|",
        *(_change_row(report, c) for c in worst_first(report.changes)),
        "",
    ]
    changed = sorted(
        (i for i in report.issues if i.changes), key=lambda i: natural_key(i.issue.key)
    )
    for found in changed:
        lines += _issue_section(found)
    return "\n".join(lines).rstrip("\n") + "\n"


def _summary(report: SprintReport) -> str:
    s = report.summary
    lines = [
        f"**AC changes · {escape(report.sprint.name)}**",
        f"{s.changes} changes after sprint start: {s.flagged} flagged, "
        f"{s.discussed} discussed, {s.cosmetic} cosmetic "
        f"({s.issues_with_ac_changes} of {s.issues} issues changed)",
    ]
    flagged = [c for c in worst_first(report.changes) if c.verdict == Verdict.FLAGGED]
    if flagged:
        lines.append("Changed without an engineering-impact discussion:")
    for change in flagged[:SUMMARY_ITEMS]:
        who = escape(person_name(change.changed_by) or "unknown")
        lines.append(
            f"- {link(change.issue.key, change.issue.url)} "
            f"{escape(shorten(change.issue.title, 50))}, {diff_counts(change.diff)} "
            f"by {who}, {_when(report, change)}"
        )
    if len(flagged) > SUMMARY_ITEMS:
        lines.append(f"- … and {len(flagged) - SUMMARY_ITEMS} more")
    return "\n".join(lines) + "\n"


def render_markdown(report: SprintReport, *, summary_only: bool = False) -> str:
    return _summary(report) if summary_only else _full(report)
