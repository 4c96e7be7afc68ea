"""The issue search query, built from the sprints and the cursor by a pure function."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

# JQL reads a date in the *requesting user's profile time zone* (reference §1.4, §2.1).
# Rather than spend a request per sync on /myself for that zone, a bound is written in UTC
# and moved back by the widest zone offset (UTC-12, with room to spare): whatever the
# user's zone, the query then starts at or before the wanted instant. fetch_issues drops
# issues updated before `since` exactly, before any per-issue call, so the margin costs a
# few rows in a search page and nothing else.
ZONE_MARGIN = timedelta(hours=14)
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


def jql_time(at: datetime) -> str:
    """A JQL date literal at or before ``at`` in any user time zone (minute precision)."""
    return (at.astimezone(UTC) - ZONE_MARGIN).strftime('"%Y-%m-%d %H:%M"')


def build_issue_jql(
    sprint_ids: Sequence[str],
    projects: Sequence[str],
    earliest_start: datetime | None,
    since: datetime | None,
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
        clause = f"({clause} OR (project in ({keys}) AND updated >= {jql_time(earliest_start)}))"
    if since is not None:
        clause = f"{clause} AND updated >= {jql_time(since)}"
    return f"{clause} ORDER BY updated ASC, key ASC"
