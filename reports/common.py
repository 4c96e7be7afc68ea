"""The vocabulary every report format shares: verdict glyphs, words and styles, names,
links, ordering, the sprint's span and the one-line title and summary.

Each concept is declared here once, so the table, ``show``, CSV, Markdown, HTML and the
trend never disagree about how a verdict looks, who made a change, which URL is safe to
link or how far into the sprint it landed. No format imports helpers from another.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import TypeVar
from urllib.parse import urlsplit

from tracker import clock
from tracker.domain import Person, Sprint, SprintState
from tracker.findings import (
    ChangeFinding,
    CriteriaDiff,
    IssueFinding,
    SprintReport,
    TrendPoint,
    Verdict,
)

# Worst first: the order the table and the summaries list changes in.
# An unknown change sits just after the flagged ones: nobody can say it was discussed.
VERDICT_RANK = {Verdict.FLAGGED: 0, Verdict.UNKNOWN: 1, Verdict.DISCUSSED: 2, Verdict.COSMETIC: 3}
# A glyph per verdict, so no report relies on colour alone.
VERDICT_GLYPH = {
    Verdict.FLAGGED: "✗",
    Verdict.DISCUSSED: "✓",
    Verdict.COSMETIC: "~",
    Verdict.UNKNOWN: "?",
}
# The terminal's colour per verdict (rich style names; HTML has its own CSS classes).
VERDICT_STYLE = {
    Verdict.FLAGGED: "bold red",
    Verdict.DISCUSSED: "green",
    Verdict.COSMETIC: "dim",
    Verdict.UNKNOWN: "bold yellow",
}

# The plain sentences every format uses for the kinds of change (DESIGN §4).
DEFINED_NOTE = "committed before its AC were written"
ESTIMATE_NOTE = "scope grew, no re-estimate"

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


def cosmetic_lines(change: ChangeFinding, limit: int = 20) -> list[str]:
    """What a cosmetic change touched, so the claim can be checked: the criteria whose
    wording moved (``was: …`` / ``now: …``), else the raw lines (markup, whitespace)."""
    before, after = change.before.criteria, change.after.criteria
    if before == after:
        before, after = _lines(change.before.text), _lines(change.after.text)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    lines: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            lines += [f"was: {text}" for text in before[i1:i2]]
            lines += [f"now: {text}" for text in after[j1:j2]]
    return lines[:limit]


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.rstrip() for line in text.splitlines())


def risks_of(diff: CriteriaDiff) -> list[str]:
    """Every risk call-out of the reworded criteria, each once."""
    return list(dict.fromkeys(r for m in diff.modified for r in m.risks))


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


def local_time(moment: datetime | None, tz: tzinfo | None = None) -> str:
    """``2024-05-06 09:00`` in ``tz`` (UTC when None): how every format but JSON and the
    contract's CSV columns shows a moment. Empty for an unknown one."""
    if moment is None:
        return ""
    return moment.astimezone(tz or UTC).strftime("%Y-%m-%d %H:%M")


def zone_name(tz: tzinfo | None) -> str:
    """``UTC`` or the zone's key (``Europe/Berlin``), for column headers."""
    return "UTC" if tz is None else str(getattr(tz, "key", None) or tz)


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


def hours_text(hours: float | None) -> str:
    """``4.5 h`` or ``2.1 d``; an em dash when nothing was discussed."""
    if hours is None:
        return "—"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} d"


def fraction_text(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction:.0%}"


# What "share flagged" is a share of: every format that shows it says so.
SHARE_NOTE = "share flagged = flagged changes ÷ all AC changes after the start (cosmetic included)"


@dataclasses.dataclass(frozen=True, slots=True)
class Series:
    """The sprints of one source and board (a Linear team), oldest first: a trend never
    draws Jira sprints and Linear cycles on one line."""

    label: str
    points: tuple[TrendPoint, ...]

    @property
    def complete(self) -> tuple[TrendPoint, ...]:
        """The sprints that have ended: only they count in averages."""
        return tuple(p for p in self.points if not is_partial(p))

    def share_flagged(self) -> float | None:
        """Flagged ÷ changes over the complete sprints (pooled); None without any."""
        changes = sum(p.summary.changes for p in self.complete)
        return None if not changes else sum(p.summary.flagged for p in self.complete) / changes


def is_partial(point: TrendPoint) -> bool:
    """An active sprint: its numbers can still grow."""
    return point.sprint.state is SprintState.ACTIVE


def trend_series(points: Sequence[TrendPoint]) -> list[Series]:
    """``points`` grouped by source and board, in order of first appearance; a source
    with one board is labelled by its name alone."""
    groups: dict[tuple[str, str], list[TrendPoint]] = {}
    for point in points:
        groups.setdefault((point.sprint.source, point.sprint.board), []).append(point)
    boards: dict[str, int] = {}
    for source, _ in groups:
        boards[source] = boards.get(source, 0) + 1
    return [
        Series(source if boards[source] == 1 or not board else f"{source} · {board}", tuple(pts))
        for (source, board), pts in groups.items()
    ]


def trend_label(point: TrendPoint) -> str:
    """``ENG-12`` or ``Payments Sprint 42``, with ``(active, partial)`` while it runs."""
    name = point.sprint.key or point.sprint.name
    return f"{name} (active, partial)" if is_partial(point) else name


def average_line(series: Series) -> str:
    """One line under a series: the pooled share over its complete sprints."""
    share = series.share_flagged()
    complete = len(series.complete)
    if share is None:
        return f"{series.label}: no complete sprint with changes yet"
    partial = len(series.points) - complete
    left_out = f"; {plural(partial, 'active sprint')} left out" if partial else ""
    return (
        f"{series.label}: {share:.0%} of changes flagged over "
        f"{plural(complete, 'complete sprint')}{left_out}"
    )


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
        as_of = (clock.iso(report.generated_at) or "").replace("T", " ")[:16]
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
