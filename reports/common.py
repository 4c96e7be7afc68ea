"""The vocabulary every report format shares: verdict glyphs, words and styles, names,
links, ordering, the sprint's span and the one-line title and summary.

Each concept is declared here once, so the table, ``show``, CSV, Markdown, HTML and the
trend never disagree about how a verdict looks, who made a change, which URL is safe to
link or how far into the sprint it landed. No format imports helpers from another.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlsplit

from tracker import clock
from tracker.domain import Person, Sprint
from tracker.findings import (
    ChangeFinding,
    CriteriaDiff,
    IssueFinding,
    SprintReport,
    TrendPoint,
    Verdict,
)

# Worst first: the order the table and the summaries list changes in.
VERDICT_RANK = {Verdict.FLAGGED: 0, Verdict.DISCUSSED: 1, Verdict.COSMETIC: 2}
# A glyph per verdict, so no report relies on colour alone.
VERDICT_GLYPH = {Verdict.FLAGGED: "✗", Verdict.DISCUSSED: "✓", Verdict.COSMETIC: "~"}
# The terminal's colour per verdict (rich style names; HTML has its own CSS classes).
VERDICT_STYLE = {Verdict.FLAGGED: "bold red", Verdict.DISCUSSED: "green", Verdict.COSMETIC: "dim"}

# Several evidence kinds or URLs share one cell; "; " reads well and never starts a formula.
JOIN = "; "

_NATURAL = re.compile(r"(\d+)")
# Control characters (C0 but tab and newline, DEL, C1): an ESC or CSI in an issue title
# would otherwise drive the reader's terminal (clear it, hide text, retitle the window).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
T = TypeVar("T")
# Control characters browsers silently drop inside a URL ("java\tscript:" still runs).
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")


def printable(value: T) -> T:
    """``value`` with every control character removed from every text inside it: a
    string, or a tree of frozen dataclasses, tuples, lists and dicts (a report, a trend,
    a finding). What is already clean is returned as is, not copied."""
    return _scrub(value, {})


def _scrub(value: T, seen: dict[int, object]) -> T:
    if isinstance(value, str) and type(value) is str:
        text = value
        if _CONTROL.search(text) is None:
            return value
        return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))  # type: ignore[return-value]
    if isinstance(value, str | int | float | bool | datetime) or value is None:
        return value  # numbers, dates and enums (whose values are ours)
    key = id(value)
    if key in seen:
        return seen[key]  # type: ignore[return-value]
    result: object = value
    if isinstance(value, tuple | list):
        items = [_scrub(v, seen) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            result = type(value)(items)
    elif isinstance(value, dict):
        pairs = {_scrub(k, seen): _scrub(v, seen) for k, v in value.items()}
        if any(pairs.get(k) is not v for k, v in value.items()):
            result = pairs
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for field in dataclasses.fields(value):
            if field.init:
                old = getattr(value, field.name)
                new = _scrub(old, seen)
                if new is not old:
                    changed[field.name] = new
        if changed:
            result = dataclasses.replace(value, **changed)
    seen[key] = result
    return result  # type: ignore[return-value]


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


def reason_text(change: ChangeFinding) -> str:
    """The reason without the verdict word it starts with ("discussed: …"), for formats
    that show the verdict next to it already."""
    return change.reason.removeprefix(f"{change.verdict.value}: ")


def flagged_count(found: IssueFinding) -> int:
    return sum(1 for c in found.changes if c.verdict is Verdict.FLAGGED)


def title_line(report: SprintReport) -> str:
    """The sprint, its state and its span."""
    start = (clock.iso(report.sprint.started_at) or "?")[:10]
    end = (clock.iso(sprint_end(report)) or "…")[:10]
    planned = " (planned)" if report.sprint.ended_at is None and sprint_end(report) else ""
    return f"{sprint_label(report.sprint)} · {report.sprint.state} · {start} → {end}{planned}"


def summary_line(report: SprintReport) -> str:
    """What happened to the sprint's criteria, in one line."""
    s = report.summary
    return (
        f"{plural(s.issues, 'issue')}, {s.issues_with_ac_changes} with AC changes · "
        f"{plural(s.changes, 'change')}: {s.flagged} flagged, {s.discussed} discussed, "
        f"{s.cosmetic} cosmetic"
    )


def hours_text(hours: float | None) -> str:
    """``4.5 h`` or ``2.1 d``; an em dash when nothing was discussed."""
    if hours is None:
        return "—"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} d"


def fraction_text(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction:.0%}"
