"""Time in one place: the only module that reads the wall clock, and the one parser for
every timestamp form the trackers send.

Forms seen on the wire: Jira core ``2022-06-20T18:12:34.989+0700`` (no colon in the
offset, the *requesting user's* time zone), Jira Agile ``2015-04-11T15:22:00.000+10:00``
and ``...Z``, Linear ``2024-05-01T10:00:00.000Z``, and epoch milliseconds from Jira's
``changelog/bulkfetch`` (as an int or a digit string).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Jira core: +HHMM; Python 3.11 parses it, but normalising keeps one code path.
_OFFSET_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def now() -> datetime:
    """The current time, UTC-aware. Tests replace it with ``set_clock``."""
    return _now()


def set_clock(fn: Callable[[], datetime]) -> None:
    global _now
    _now = fn


def reset_clock() -> None:
    set_clock(lambda: datetime.now(UTC))


def parse_time(value: str | int | float | datetime | None) -> datetime | None:
    """Parse any timestamp form the trackers send into an aware UTC datetime.

    Naive values (SQLite drops tzinfo) are taken as UTC. Raises ValueError on garbage.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return ensure_utc(value)
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = _OFFSET_NO_COLON.sub(r"\1:\2", text)
    return ensure_utc(datetime.fromisoformat(text))


def ensure_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    """``"10m"``, ``"3d"``, ``"2h"``, ``"90s"``, ``"1w"`` → timedelta; ValueError otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 10m, 2h, 3d, 1w)")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])


def iso(value: datetime | None) -> str | None:
    """ISO-8601 UTC with a ``Z``, seconds precision: the one format reports write."""
    if value is None:
        return None
    return ensure_utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")
