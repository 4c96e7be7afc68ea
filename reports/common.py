"""Small helpers every report format shares: names, links, ordering, the sprint's span.

Nothing here formats a whole report; each helper turns one finding detail into the plain
value that all formats agree on, so the table, CSV, Markdown and HTML never disagree
about who made a change, which URL is safe to link or how far into the sprint it landed.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from tracker.clock import iso
from tracker.domain import Person, Sprint
from tracker.findings import ChangeFinding, CriteriaDiff, SprintReport, TrendPoint, Verdict

# Worst first: the order the table and the summaries list changes in. An unknown change
# sits just after the flagged ones: nobody can say it was discussed.
VERDICT_RANK = {Verdict.FLAGGED: 0, Verdict.UNKNOWN: 1, Verdict.DISCUSSED: 2, Verdict.COSMETIC: 3}
# A glyph per verdict, so no report relies on colour alone.
VERDICT_GLYPH = {
    Verdict.FLAGGED: "✗",
    Verdict.DISCUSSED: "✓",
    Verdict.COSMETIC: "~",
    Verdict.UNKNOWN: "?",
}

# The plain sentences every format uses for the kinds of change (DESIGN §4).
DEFINED_NOTE = "committed before its AC were written"
ESTIMATE_NOTE = "scope grew, no re-estimate"

# Several evidence kinds or URLs share one cell; "; " reads well and never starts a formula.
JOIN = "; "

_NATURAL = re.compile(r"(\d+)")
# Control characters browsers silently drop inside a URL ("java\tscript:" still runs).
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")


def person_name(person: Person | None) -> str | None:
    """The display name reports show; None when the tracker did not say who."""
    return person.name if person is not None else None


def person_id(person: Person | None) -> str | None:
    """The email where the API shows it, else the account id."""
    if person is None:
        return None
    return person.email or person.id


def http_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None.

    Trackers hand us whatever users typed into a link field, including ``javascript:``;
    only http and https are ever rendered as links.
    """
    if not url:
        return None
    cleaned = _URL_JUNK.sub("", url)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def natural_key(text: str) -> tuple[tuple[int, str], ...]:
    """Sort key that puts ``PAY-7`` before ``PAY-12``."""
    return tuple(
        (int(part), "") if part.isdigit() else (-1, part.lower())
        for part in _NATURAL.split(text)
        if part
    )


def worst_key(change: ChangeFinding) -> tuple[object, ...]:
    """Flagged first, then discussed, then cosmetic; within each, by issue and time."""
    return (VERDICT_RANK[change.verdict], natural_key(change.issue.key), change.changed_at)


def worst_first(changes: tuple[ChangeFinding, ...]) -> list[ChangeFinding]:
    return sorted(changes, key=worst_key)


def diff_lines(diff: CriteriaDiff) -> list[str]:
    """The diff as readable lines that start with a word, never with ``+``/``-``/``=``
    (a spreadsheet would take those for a formula)."""
    lines = [f"added: {text}" for text in diff.added]
    lines += [f"removed: {text}" for text in diff.removed]
    lines += [f"changed: {m.before} → {m.after}" for m in diff.modified]
    return lines


def diff_counts(diff: CriteriaDiff) -> str:
    """``+2 −1 ~1``: how many criteria were added, removed and reworded."""
    parts = []
    if diff.added:
        parts.append(f"+{len(diff.added)}")
    if diff.removed:
        parts.append(f"−{len(diff.removed)}")
    if diff.modified:
        parts.append(f"~{len(diff.modified)}")
    return " ".join(parts) or "±0"


def sprint_end(report: SprintReport) -> datetime | None:
    """Where the sprint's span ends: its completion, else its planned end."""
    return report.sprint.ended_at or report.sprint.planned_end


def hours_into_sprint(change: ChangeFinding, sprint: Sprint) -> float | None:
    """Hours from sprint start to the change; analysis usually computed it already."""
    if change.hours_into_sprint is not None:
        return change.hours_into_sprint
    if sprint.started_at is None:
        return None
    return (change.changed_at - sprint.started_at).total_seconds() / 3600


def days_into_sprint(change: ChangeFinding, sprint: Sprint) -> float | None:
    hours = hours_into_sprint(change, sprint)
    return None if hours is None else round(hours / 24, 1)


def sprint_label(sprint: Sprint) -> str:
    """``Payments Sprint 42`` or ``ENG-12 · Cycle 12``: how reports name a sprint."""
    if sprint.key and sprint.key not in sprint.name:
        return f"{sprint.key} · {sprint.name}"
    return sprint.name


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)].rstrip() + "…"


def plural(count: int, noun: str) -> str:
    """``1 issue``, ``2 issues``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def editors_text(point: TrendPoint) -> str:
    """``Priya Nair: 4; Zoë Müller: 2``, most changes first."""
    ranked = sorted(point.changes_by_editor, key=lambda pair: (-pair[1], pair[0]))
    return JOIN.join(f"{name}: {count}" for name, count in ranked)


def points(value: float | None) -> str:
    """``3``, ``0.5``, ``—`` for no estimate."""
    if value is None:
        return "—"
    return f"{value:g}"


def estimate_text(change: ChangeFinding) -> str | None:
    """``estimate 3 → 8, re-estimated by Kenji`` or ``estimate 3; scope grew, no
    re-estimate``; None where the tracker has no estimate."""
    estimate = change.estimate
    if estimate is None:
        return None
    if estimate.at_start == estimate.now:
        text = f"estimate {points(estimate.now)}"
    else:
        text = f"estimate {points(estimate.at_start)} → {points(estimate.now)}"
    again = estimate.reestimated
    if again is not None:
        who = f" by {again.by.name}" if again.by is not None else ""
        text += f", re-estimated {points(again.from_value)} → {points(again.to_value)}{who}"
    elif change.scope_grew_unestimated:
        text += f"; {ESTIMATE_NOTE}"
    return text


def kind_notes(change: ChangeFinding) -> list[str]:
    """What kind of change it was and the estimate beside it, as short phrases."""
    notes = []
    if change.defined_after_start:
        notes.append(DEFINED_NOTE)
    if change.scope is not None:
        notes.append(f"scope {change.scope}")
    estimate = estimate_text(change)
    if estimate is not None:
        notes.append(estimate)
    return notes


def coverage_note(report: SprintReport) -> str | None:
    """Says when the report cannot be the whole story: a sprint not started yet, or
    one still running."""
    if report.not_started:
        return "not started yet: there is nothing to compare against"
    if report.partial:
        as_of = (iso(report.generated_at) or "").replace("T", " ")[:16]
        return f"partial: the sprint is still running; this covers it up to {as_of} UTC"
    return None


def baseline_note(report: SprintReport) -> str | None:
    """How many issues the tracker first saw after the start, with edits it never saw."""
    n = report.summary.issues_baseline_approximate
    if not n:
        return None
    return (
        f"{plural(n, 'issue')} with an approximate baseline "
        "(first synced after the start: earlier text never seen)"
    )


def without_ac_at_start(report: SprintReport) -> list[str]:
    """Keys of issues that were committed (at start or on joining) with no criteria."""
    return sorted((f.issue.key for f in report.issues if f.without_ac_at_start), key=natural_key)
