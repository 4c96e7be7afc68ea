"""The kinds of change real teams make, and the estimate beside each (pure; no I/O).

- **Placeholders**: a criterion that says nothing yet ("TBD", "AC to follow", "to be
  defined", an empty ``Given … When … Then`` skeleton, ``<condition>`` slots) counts as no
  criterion. A version made only of placeholders has no criteria.
- **Defined after start**: a change whose previous version had no criteria writes the
  spec after the commitment; its diff is the criteria written, so its scope is
  ``expanded``.
- **Scope** of a non-cosmetic change: ``expanded`` (criteria only added), ``reduced``
  (only removed), ``rewritten`` (anything else).
- **Estimate**: the value at a moment is the ``to_value`` of the last recorded change
  at or before it, else the ``from_value`` of the first change after it, else the
  issue's estimate now. A change was re-estimated when the estimate moved between its
  first save and ``window_after`` past its last.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from tracker.domain import EstimateChange
from tracker.findings import CriteriaDiff, EstimateView, Reestimate, Scope

# Template slots and fillers: <condition>, [user], {value}, ___, …
# Only word-like slots: a JSON object or a real link in a criterion is content, not a slot.
_SLOTS = re.compile(
    r"<[^\W\d_][\w .'-]{0,40}>|\[[^\W\d_][\w .'-]{0,40}\]|\{[^\W\d_][\w .'-]{0,40}\}"
    r"|_{2,}|\.{2,}|…"
)
_WORD = re.compile(r"[^\W_]+")
# A criterion is a placeholder when every word is a template keyword or filler, and it is
# either pure template ("Given … When … Then …") or says outright that the AC are not
# there yet ("TBD", "to be defined", "AC to follow"). Two sets keep a real criterion made
# of common words ("it is done") from ever reading as a placeholder.
_TEMPLATE = frozenset(
    [
        "given",
        "when",
        "then",
        "and",
        "but",
        "scenario",
        "outline",
        "example",
        "examples",
        "background",
        "as",
        "a",
        "an",
        "i",
        "we",
        "want",
        "so",
        "that",
        "in",
        "order",
        "to",
        "the",
    ]
)
_FILLER = frozenset(
    [
        "be",
        "is",
        "are",
        "will",
        "here",
        "of",
        "ac",
        "acs",
        "acceptance",
        "criteria",
        "criterion",
        "definition",
        "done",
        "dod",
        "more",
        "details",
        "detail",
        "still",
        "yet",
    ]
)
_SAYS_MISSING = frozenset(
    [
        "tbd",
        "tbc",
        "tba",
        "todo",
        "wip",
        "n",
        "na",
        "xxx",
        "placeholder",
        "pending",
        "later",
        "soon",
        "coming",
        "follow",
        "follows",
        "following",
        "defined",
        "determined",
        "confirmed",
        "decided",
        "written",
        "fill",
        "filled",
        "refined",
    ]
)
_EMPTY_WORDS = _TEMPLATE | _FILLER | _SAYS_MISSING


@functools.lru_cache(maxsize=4096)
def is_placeholder(criterion: str) -> bool:
    """True when the criterion is only template words and placeholder talk."""
    words = set(_WORD.findall(_SLOTS.sub(" ", criterion).lower()))
    if not words <= _EMPTY_WORDS:
        return False
    return words <= _TEMPLATE or bool(words & _SAYS_MISSING)


def real_criteria(criteria: Sequence[str]) -> tuple[str, ...]:
    """The criteria that say something: placeholders left out."""
    return tuple(c for c in criteria if not is_placeholder(c))


def has_criteria(criteria: Sequence[str]) -> bool:
    return any(not is_placeholder(c) for c in criteria)


def scope_of(diff: CriteriaDiff) -> Scope | None:
    """``expanded``, ``reduced`` or ``rewritten``; None for an empty diff."""
    if diff.is_empty():
        return None
    if diff.added and not (diff.removed or diff.modified):
        return Scope.EXPANDED
    if diff.removed and not (diff.added or diff.modified):
        return Scope.REDUCED
    return Scope.REWRITTEN


def estimate_at(
    changes: Sequence[EstimateChange], current: float | None, at: datetime
) -> float | None:
    """The estimate as it stood at ``at`` (``changes`` sorted by time)."""
    before = [c for c in changes if c.at <= at]
    if before:
        return before[-1].to_value
    if changes:
        return changes[0].from_value
    return current


def reestimate_after(
    changes: Sequence[EstimateChange], first_at: datetime, last_at: datetime, window: timedelta
) -> Reestimate | None:
    """The first real move of the estimate from the change's first save to ``window``
    after its last; None when nobody re-estimated."""
    for change in changes:
        if first_at <= change.at <= last_at + window and change.from_value != change.to_value:
            return Reestimate(change.from_value, change.to_value, change.at, change.author)
    return None


def estimate_view(
    changes: Sequence[EstimateChange],
    current: float | None,
    at_start: datetime,
    until: datetime,
    reestimated: Reestimate | None = None,
) -> EstimateView | None:
    """The estimate at the baseline and at the end of the span; None when the issue
    has never had one as far as the tracker knows."""
    start, now = estimate_at(changes, current, at_start), estimate_at(changes, current, until)
    if start is None and now is None and reestimated is None:
        return None
    return EstimateView(start, now, reestimated)


def points_added(at_start: float | None, now: float | None, *, joined_late: bool) -> float:
    """Points the sprint took on after its start because of this issue: the whole
    estimate of an issue that joined late, else what re-estimation added."""
    if joined_late:
        return now or 0.0
    return max((now or 0.0) - (at_start or 0.0), 0.0)
