"""Answers a source rarely sees change, kept between syncs so a quiet night costs little.

A Jira site's server info, its field list and a board's details change perhaps once a
year, yet each costs a request per sync. A :class:`Memo` keeps such answers (plain JSON)
with the time each was fetched: an entry younger than ``ttl`` is used instead of asking,
an older one is asked for again, and :meth:`Memo.forget` drops entries an answer showed
to be out of date. Sync stores :meth:`Memo.dump` with the source and hands it back with
:meth:`Memo.load` the next time; ``sync --full`` starts from an empty memo.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from tracker.clock import parse_time

TTL = timedelta(days=1)


class Memo:
    def __init__(self, now: Callable[[], datetime], ttl: timedelta = TTL) -> None:
        self._now = now
        self._ttl = ttl
        self._entries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def load(self, stored: Mapping[str, Any]) -> None:
        """Take the entries of a previous :meth:`dump` that are still fresh."""
        now = self._now()
        with self._lock:
            for key, entry in stored.items():
                at = _time_of(entry)
                if at is not None and now - self._ttl < at <= now:
                    self._entries[key] = dict(entry)

    def get(self, key: str, fetch: Callable[[], Any]) -> Any:
        """The fresh entry for ``key``, else ``fetch()``'s answer, kept from now on."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            return entry["value"]
        value = fetch()
        with self._lock:
            self._entries[key] = {"at": self._now().isoformat(), "value": value}
        return value

    def known(self, key: str) -> bool:
        with self._lock:
            return key in self._entries

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
