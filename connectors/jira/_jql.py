"""The issue search query, built from the sprints and the cursor by a pure function."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

# JQL reads a date literal in the *requesting user's profile time zone*, which no answer
# states; a period ("-90m") is read against the server's own clock instead, whatever the
# zone, so the bound needs no zone margin (which would re-read hours of edits every sync)
# and no /myself request. SLACK covers what separates the two clocks: skew between this
# machine and the server, and the search's later pages running after the query was
# written. Sync's own overlap covers the search's eventual consistency, and fetch_issues
# drops issues updated before `since` exactly, so the slack costs a few search rows.
SLACK = timedelta(minutes=2)
_PLAIN_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
_NUMBER = re.compile(r"^[0-9]+$")
_CONTROL = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Words JQL reads as syntax, not as a value, wherever they stand.
_KEYWORDS = frozenset(
    {"AND", "OR", "NOT", "IN", "IS", "WAS", "EMPTY", "NULL", "ORDER", "BY", "ASC", "DESC",
     "CHANGED", "ON", "AFTER", "BEFORE", "DURING", "FROM", "TO"}
)  # fmt: skip


def jql_string(value: str) -> str:
    """A JQL string literal: ``"..."`` with ``\\`` and ``"`` escaped, so no value, from the
    config or from the server, can change the query's structure."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " else _CONTROL.get(c, " ") for c in escaped)
    return f'"{escaped}"'


def jql_value(value: str, plain: re.Pattern[str] = _PLAIN_KEY) -> str:
    """``value`` as it may stand bare (a plain key, a number), else as a quoted string."""
    if plain.fullmatch(value) and value.upper() not in _KEYWORDS:
        return value
    return jql_string(value)


def jql_since(at: datetime, now: datetime) -> str:
    """A JQL period reaching back to ``at`` or before, read against the server's clock
    (whole minutes: JQL's precision)."""
    minutes = math.ceil((now - at + SLACK).total_seconds() / 60)
    return f'"-{max(0, minutes)}m"'


def build_issue_jql(
    sprint_ids: Sequence[str],
    projects: Sequence[str],
    earliest_start: datetime | None,
    since: datetime | None,
    now: datetime,
) -> str:
    """Issues in the sprints now, or that may have left one, updated at or after ``since``.

    ``sprint in (...)`` sees only the Sprint field's current value, so an issue removed
    from a sprint mid-sprint no longer matches it, and JQL has no ``WAS`` for Sprint.
    Removing it updated the issue, after the sprint started: so issues of the boards'
    projects updated since the earliest sprint start cover them. The over-selection
    (project issues never in these sprints) is dropped after the bulk changelog shows
    their Sprint history, before any per-issue call.
    """
    clause = f"sprint in ({', '.join(jql_value(i, _NUMBER) for i in sprint_ids)})"
    if projects and earliest_start is not None:
        keys = ", ".join(jql_value(k) for k in projects)
        clause = (
            f"({clause} OR (project in ({keys}) AND updated >= {jql_since(earliest_start, now)}))"
        )
    if since is not None:
        clause = f"{clause} AND updated >= {jql_since(since, now)}"
    return f"{clause} ORDER BY updated ASC, key ASC"
