"""``tracker show ISSUE``: one issue's AC timeline in the terminal.

Every version from the baseline on, each change's criterion diff with the words that
changed, its verdict and the reason (the evidence that counted, or what was looked at).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.console import Console
from rich.markup import escape

from reports.common import (
    DEFINED_NOTE,
    VERDICT_GLYPH,
    VERDICT_STYLE,
    kind_notes,
    local_time,
    printable,
    zone_name,
)
from tracker.clock import iso
from tracker.domain import Sprint
from tracker.findings import ChangeFinding, CriteriaDiff, IssueFinding, Verdict


def render_timeline(
    sprint: Sprint,
    finding: IssueFinding,
    *,
    color: bool = False,
    width: int = 100,
    tz: tzinfo | None = None,
) -> str:
    """Times in UTC ISO-8601, or with ``tz`` as local ``YYYY-MM-DD HH:MM`` in that zone."""

    def at(moment: datetime | None) -> str:
        if tz is None:
            return iso(moment) or ""
        return f"{local_time(moment, tz)} {zone_name(tz)}" if moment else ""

    sprint, finding = printable(sprint), printable(finding)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        no_color=not color,
        highlight=False,
        force_terminal=color,
        soft_wrap=False,
    )
    issue = finding.issue
    console.print(f"[bold]{escape(issue.key)}[/] {escape(issue.title)}")
    console.print(f"{escape(issue.url)}")
    console.print(
        f"sprint: {escape(sprint.name)} ({at(sprint.started_at)} → {at(sprint.ended_at) or 'active'})"
    )
    notes = []
    if finding.added_after_start:
        notes.append("added after the sprint started")
    if finding.removed_before_end:
        notes.append("removed before the sprint ended")
    if finding.baseline_approximate:
        notes.append("baseline approximate: first seen after the start")
    if finding.without_ac_at_start:
        notes.append(f"{DEFINED_NOTE}: no AC when committed")
    if notes:
        console.print("note: " + "; ".join(notes))
    console.print()
    console.print(f"[bold]baseline[/] at {at(finding.baseline.at)}")
    _criteria(console, finding.baseline.criteria)
    if not finding.changes:
        console.print("\nno AC change after the baseline")
    for number, change in enumerate(finding.changes, start=1):
        _change(console, number, change, at)
    console.print()
    console.print("[bold]net change against the baseline[/]")
    if finding.net_diff.is_empty():
        console.print("  none: the AC say what they said at the baseline")
    else:
        _diff(console, finding.net_diff)
    return buffer.getvalue()


def _criteria(console: Console, criteria: tuple[str, ...]) -> None:
    if not criteria:
        console.print("  (no acceptance criteria)")
    for criterion in criteria:
        console.print(f"  • {escape(criterion)}")


def _change(
    console: Console, number: int, change: ChangeFinding, at: Callable[[datetime | None], str]
) -> None:
    who = change.changed_by.name if change.changed_by else "unknown"
    saves = f", {change.saves} saves" if change.saves > 1 else ""
    style = VERDICT_STYLE[change.verdict]
    console.print()
    console.print(
        f"[bold]version {number}[/] at {at(change.changed_at)} by {escape(who)}{saves}: "
        f"[{style}]{VERDICT_GLYPH[change.verdict]} {change.verdict.value}[/]"
    )
    console.print(f"  why: {escape(change.reason)}")
    kinds = kind_notes(change)
    if kinds:
        console.print(f"  [cyan]{escape(' · '.join(kinds))}[/]")
    if change.verdict is Verdict.UNKNOWN:
        console.print("  [yellow]the text before this edit was never seen[/]")
    _diff(console, change.diff)
    for evidence in change.evidence:
        console.print(
            f"  evidence: {evidence.kind.value} by {escape(evidence.by)}"
            f"{' (the editor)' if evidence.by_editor else ''} at {at(evidence.at)}: "
            f"{escape(evidence.text[:80])}"
        )
    if change.verdict in (Verdict.FLAGGED, Verdict.UNKNOWN):
        for item in change.considered:
            console.print(
                f"  looked at: {item.evidence.kind.value} by {escape(item.evidence.by)}: {escape(item.why_not)}"
            )
    for phrase in change.phrases:
        console.print(
            f"  [yellow]phrase[/] {escape(phrase.quote)!r} ({escape(phrase.by)}): {escape(phrase.suggestion)}"
        )


def _diff(console: Console, diff: CriteriaDiff) -> None:
    for text in diff.added:
        console.print(f"  [green]+ {escape(text)}[/]")
    for text in diff.removed:
        console.print(f"  [red]- {escape(text)}[/]")
    for item in diff.modified:
        console.print(f"  [yellow]~ {escape(item.before)}[/]")
        console.print(f"  [yellow]→ {escape(item.after)}[/]")
        words = []
        if item.removed_words:
            words.append("removed: " + " ".join(item.removed_words))
        if item.added_words:
            words.append("added: " + " ".join(item.added_words))
        if words:
            console.print(f"    words {escape('; '.join(words))}")
        for risk in item.risks:
            console.print(f"    [bold]watch:[/] {escape(risk)}")
