"""Sync: poll each source and store what changed, incrementally and idempotently.

The rules that make it safe to kill at any moment:
- the run's start time is captured first; the cursor never passes it;
- issues are fetched from the cursor minus an overlap (late arrivals, clock skew, JQL's
  minute precision); re-reads are free because every write is an upsert by natural key;
- one page is one transaction, and the cursor moves in that same transaction, only past
  what it committed. A killed run leaves the cursor at its last committed page.
- a sprint seen for the first time (or that changed state) gets its issues read in full,
  whatever the cursor says: its issues may not have been touched for weeks.
- a source that keeps answers between syncs (``Remembering``: server info, field lists)
  gets them back, and they are stored again when the run ends, failed or not (a failed
  run is when a source forgets what may be stale); ``full`` starts it from nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker import clock
from tracker.domain import IssueBundle
from tracker.errors import SourceError, TrackerError
from tracker.ports import Remembering, SkipsStored, Source
from tracker.store import Store

log = logging.getLogger("tracker.sync")

OVERLAP = timedelta(minutes=10)

# Called after each committed page with the source's name and its issues stored so far.
OnPage = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class SyncResult:
    source: str
    sprints: int = 0
    issues: int = 0
    pages: int = 0
    error: TrackerError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def sync_source(
    store: Store,
    source: Source,
    *,
    url: str = "",
    full: bool = False,
    overlap: timedelta = OVERLAP,
    on_page: OnPage | None = None,
) -> SyncResult:
    """Sync one source; raises TrackerError (SourceError, StoreError, SyncBusy) on failure."""
    run_start = clock.now()
    with store.lock(source.name):
        store.save_source(
            source.name, str(source.kind), url, run_start, exact_history=source.exact_history
        )
        if not isinstance(source, Remembering):
            return _sync_locked(store, source, run_start, full, overlap, on_page)
        if not full:
            source.recall(store.memo(source.name))
        try:
            result = _sync_locked(store, source, run_start, full, overlap, on_page)
        except BaseException:
            with contextlib.suppress(TrackerError):  # never hide why the run failed
                store.save_memo(source.name, source.remembered(), run_start)
            raise
        store.save_memo(source.name, source.remembered(), run_start)
        return result


def _sync_locked(
    store: Store,
    source: Source,
    run_start: datetime,
    full: bool,
    overlap: timedelta,
    on_page: OnPage | None,
) -> SyncResult:
    known = {(s.id, s.state) for s in store.sprints(source.name)}
    sprints = source.fetch_sprints()
    cursor = None if full else store.cursor(source.name)
    # A sprint is stored as known only once its issues were read in full, so a run
    # killed during that read does it again next time.
    fresh = [s for s in sprints if (s.id, s.state) not in known]
    store.save_sprints([s for s in sprints if s not in fresh])
    issues = pages = 0
    if cursor is not None and fresh:
        log.info(
            "%s: %d new or changed sprints, reading their issues in full",
            source.name,
            len(fresh),
        )
        for page in source.fetch_issues(fresh, None):
            store.save_page(source.name, page, seen_at=run_start, cursor=None)
            issues, pages = issues + len(page), pages + 1
        store.save_sprints(fresh)
    since = cursor - overlap if cursor is not None else None
    if since is not None and isinstance(source, SkipsStored):
        # The overlap is for late arrivals; what is stored as it is now needs no re-read.
        source.skip_stored(store.updated_since(source.name, since))
    for page in source.fetch_issues(sprints, since):
        cursor = _high_water(page, run_start, cursor) or cursor
        store.save_page(source.name, page, seen_at=run_start, cursor=cursor)
        issues, pages = issues + len(page), pages + 1
        log.info("%s: stored page %d (%d issues)", source.name, pages, len(page))
        if on_page is not None:
            on_page(source.name, issues)
    store.save_sprints(fresh)
    store.set_cursor(source.name, run_start, run_start)
    if issues:
        store.refresh_statistics()
    return SyncResult(source.name, sprints=len(sprints), issues=issues, pages=pages)


def _high_water(
    page: Sequence[IssueBundle], run_start: datetime, cursor: datetime | None
) -> datetime | None:
    """The newest ``updated`` of a committed page, capped at the run's start, never
    moving the cursor backwards."""
    stamps = [b.issue.updated_at for b in page if b.issue.updated_at is not None]
    if not stamps:
        return None
    high = min(max(stamps), run_start)
    return high if cursor is None or high > cursor else None


def sync_all(
    store: Store,
    sources: Sequence[tuple[Source, str]],
    *,
    full: bool = False,
    on_page: OnPage | None = None,
) -> list[SyncResult]:
    """Sync every source; one failing does not stop the others (each stores what it got).

    Not even an unexpected error (a bug, or an answer no one foresaw): it fails its own
    source with one line, and the other sources are still synced. Only an interrupt
    (Ctrl-C) or a lost database stops the run."""
    results = []
    for source, url in sources:
        try:
            results.append(sync_source(store, source, url=url, full=full, on_page=on_page))
        except TrackerError as exc:
            log.debug("sync of %s failed", source.name, exc_info=True)
            results.append(SyncResult(source.name, error=exc))
        except Exception as exc:  # isolate sources: one bug must not cost the others a night
            log.debug("sync of %s failed unexpectedly", source.name, exc_info=True)
            results.append(SyncResult(source.name, error=unexpected(exc)))
    return results


def unexpected(exc: Exception) -> SourceError:
    """One line for an error no one foresaw (the traceback goes to the --verbose log)."""
    detail = " ".join(str(exc).split())[:200]
    return SourceError(
        f"unexpected {type(exc).__name__}{': ' + detail if detail else ''} (run with --verbose "
        "for details, and please report it); what was stored before it is kept"
    )
