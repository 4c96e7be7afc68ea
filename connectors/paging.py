"""Pagination that cannot run for ever, whatever the server says.

A server (or a proxy in front of it) that repeats its ``nextPageToken``, hands back a
Linear cursor that never ends, or sends the same page again would otherwise keep a sync
paging until it has spent the hour's budget or the night, holding its lock. Every paged
read is watched by one :class:`PageGuard`: the next page is asked for only when the cursor
is new, the page brought at least one item not seen before, and (where the server states a
total) no more pages have been read than the total allows. Otherwise the read stops with
an ``UpstreamError``: what earlier pages stored is kept and the sync's cursor stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.errors import UpstreamError


class PageGuard:
    """Watches one paged read: call :meth:`more` before asking for each next page."""

    def __init__(self, service: str, what: str) -> None:
        self._service = service  # "Jira at https://…"
        self._what = what
        self._cursors: set[Any] = set()
        self._seen: set[Any] = set()
        self.pages = 0

    def more(
        self,
        ids: Iterable[Any],
        cursor: Any = None,
        *,
        total: int | None = None,
    ) -> None:
        """Record a page (its items' ids) and the cursor it gave for the next one; raise
        when following that cursor could not bring anything new."""
        self.pages += 1
        ids = list(ids)
        if cursor is not None:
            if cursor in self._cursors:
                self._stop("sent a page cursor it had sent before")
            self._cursors.add(cursor)
        fresh = {i for i in ids if i not in self._seen}
        self._seen.update(fresh)
        if not fresh:
            self._stop("sent a page with nothing new on it")
        # Pages may shrink (Jira trims them by response size) but each brings something
        # new, so a total of N items never needs more than N pages.
        if total is not None and self.pages > max(total, 0):
            self._stop(f"promised {total} items but kept sending pages")

    def _stop(self, why: str) -> None:
        raise UpstreamError(
            f"{self._service} {why} for {self._what} (after {self.pages} pages): stopped "
            "paging; what was stored is kept and the sync's cursor stays; try again later"
        )
