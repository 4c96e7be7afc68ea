"""Answers a source rarely sees change, kept between syncs so a quiet night costs little.

A Jira site's server info, its field list and a board's details change perhaps once a
year, yet each costs a request per sync. A :class:`Memo` keeps such answers (plain JSON)
with the time each was fetched: an entry younger than ``ttl`` (a day) is used instead of
asking. Past that it is asked for again, but one entry a sync, the oldest first: a
nightly sync runs a day after the last, when every entry expires at once, and asking for
them all would cost one request per board every night. An entry older than ``max_age``
(a week) is always asked for. :meth:`Memo.forget` drops entries an answer showed to be
out of date. Sync stores :meth:`Memo.dump` with the source and hands it back with
:meth:`Memo.load` the next time; ``sync --full`` starts from an empty memo.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from tracker.clock import parse_time

TTL = timedelta(days=1)
MAX_AGE = timedelta(days=7)


class Memo:
    def __init__(
        self, now: Callable[[], datetime], ttl: timedelta = TTL, max_age: timedelta = MAX_AGE
    ) -> None:
        self._now = now
        self._ttl = ttl
        self._max_age = max_age
        self._entries: dict[str, dict[str, Any]] = {}
        self._renew: str | None = None  # the one expired entry this sync asks for again
        self._lock = threading.Lock()

    def load(self, stored: Mapping[str, Any]) -> None:
        """Take the entries of a previous :meth:`dump` younger than ``max_age``."""
        now = self._now()
        expired: list[tuple[datetime, str]] = []
        with self._lock:
            for key, entry in stored.items():
                at = _time_of(entry)
                if at is not None and now - self._max_age < at <= now:
                    self._entries[key] = dict(entry)
                    if at <= now - self._ttl:
                        expired.append((at, key))
            self._renew = min(expired)[1] if expired else None

    def get(self, key: str, fetch: Callable[[], Any]) -> Any:
        """The kept entry for ``key`` (unless it is this sync's one to renew), else
        ``fetch()``'s answer, kept from now on."""
        with self._lock:
            entry = None if key == self._renew else self._entries.get(key)
        if entry is not None:
            return entry["value"]
        value = fetch()
        with self._lock:
            self._entries[key] = {"at": self._now().isoformat(), "value": value}
            if key == self._renew:
                self._renew = None
        return value

    def known(self, key: str) -> bool:
        """Was ``key`` kept rather than asked for in this sync (and so possibly stale)?"""
        with self._lock:
            entry = self._entries.get(key)
            return entry is not None and key != self._renew

    def forget(self, *keys: str) -> None:
        """Drop ``keys`` (every entry when none is named): they are asked for again."""
        with self._lock:
            if not keys:
                self._entries.clear()
            for key in keys:
                self._entries.pop(key, None)

    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {key: dict(entry) for key, entry in self._entries.items()}


def _time_of(entry: Any) -> datetime | None:
    if not isinstance(entry, Mapping) or "value" not in entry:
        return None
    try:
        return parse_time(entry.get("at"))
    except (TypeError, ValueError):
        return None
