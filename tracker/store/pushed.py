"""Writing what a webhook delivered (``tracker serve``), into the tables the sync writes.

The rules that make a webhook and a poll agree, stated first:
1. A delivery is stored once: its id goes into ``webhook_deliveries`` in the same transaction as
   what it carried, so a retried delivery finds it and stores nothing.
2. Same natural keys as the sync: a Jira changelog item is ``<history id>:<item index>``
   whether the poll or the webhook saw it first; comments and links keep their ids. What
   the poll already stored is never overwritten by a webhook (the poll stays the source of
   truth for mutable facts such as a comment's url), and the poll's upserts refresh what a
   webhook stored first.
3. Linear keeps no old texts, so the sync derives revisions from its own description
   snapshots. A Linear save that arrives by webhook is exact: its revision is stored with
   ``origin = "webhook"`` and the texts just before and just after it become snapshots,
   so the next poll, finding its text already known, derives nothing a second time.
4. A webhook that arrives after a poll already derived a revision over the same save
   (Linear retries late deliveries) takes that derived revision's place: the derived one
   is dropped when the save explains all of it, else shortened to what the save leaves
   unexplained. Either way each save is stored once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tracker.domain import PushedEvent, TextRevision
from tracker.store.save import _comment_row, _link_row, _revision_row, upsert
from tracker.store.tables import (
    CommentRow,
    IssueRow,
    LinkRow,
    RevisionRow,
    SnapshotRow,
    WebhookDeliveryRow,
    table_of,
)

WEBHOOK_ORIGIN = "webhook"
_DERIVED_ORIGIN = "snapshot"
_DERIVED_PREFIX = "snapshot:"
# The text a Linear delivery shows as "before" is kept as seen a moment before the save.
# Linear's IssueHistory entry for the same save carries its own createdAt, which need not
# equal the delivery's to the millisecond; a second keeps that entry after the snapshot,
# so the snapshot reads as taken before the edit (an exact baseline), never after it.
_BEFORE = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def claim_deliveries(
    conn: Connection, ids: Sequence[tuple[str, str]], at: datetime
) -> set[tuple[str, str]]:
    """Record delivery ids (source, id); the ones not recorded before (not a retry)."""
    if not ids:
        return set()
    table = table_of(WebhookDeliveryRow)
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    rows = [{"source": s, "delivery_id": d, "received_at": at} for s, d in dict.fromkeys(ids)]
    # RETURNING, not rowcount: what rowcount says for a skipped row differs by driver. The
    # rows go as parameters of one statement, so it is compiled once, whatever their number.
    stmt = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["source", "delivery_id"])
        .returning(table.c.source, table.c.delivery_id)
    )
    return {(str(s), str(d)) for s, d in conn.execute(stmt, rows)}


@dataclass(frozen=True, slots=True)
class PushedDelivery:
    """One delivery to store: what it carried, and its (source, id) where it has one."""

    events: Sequence[PushedEvent]
    delivery: tuple[str, str] | None
    received_at: datetime


def save_deliveries(conn: Connection, batch: Sequence[PushedDelivery]) -> list[bool]:
    """Store a batch of deliveries in the caller's transaction, a statement per table for
    the whole batch; for each delivery, False when it was stored before (then nothing of
    it is stored; a second copy within the batch counts as stored before)."""
    ids = [item.delivery for item in batch if item.delivery is not None]
    fresh = claim_deliveries(conn, ids, max((i.received_at for i in batch), default=_EPOCH))
    stored: list[bool] = []
    events: list[PushedEvent] = []
    for item in batch:
        new = item.delivery is None or item.delivery in fresh
        if item.delivery is not None:
            fresh.discard(item.delivery)
        if new:
            events.extend(item.events)
        stored.append(new)
    save_events(conn, events)
    return stored


def save_events(conn: Connection, events: Sequence[PushedEvent]) -> None:
    """Store deliveries' facts (rules 2-4 above)."""
    exact = [r for e in events if e.keeps_snapshots for r in e.revisions]
    derived = _issues_with_derived(conn, exact)
    for revision in exact:
        if (revision.source, revision.issue_key) in derived:
            _supersede_derived(conn, revision)
    upsert(
        conn,
        RevisionRow,
        [
            {**_revision_row(r), "origin": WEBHOOK_ORIGIN if e.keeps_snapshots else "changelog"}
            for e in events
            for r in e.revisions
        ],
        update=False,
    )
    upsert(conn, SnapshotRow, [row for r in exact for row in _snapshots(r)], update=False)
    upsert(conn, CommentRow, [_comment_row(c) for e in events for c in e.comments], update=False)
    upsert(conn, LinkRow, [_link_row(link) for e in events for link in e.links], update=False)


def _issues_with_derived(
    conn: Connection, revisions: Sequence[TextRevision]
) -> set[tuple[str, str]]:
    """The issues among ``revisions``' that have a revision derived from snapshots: only
    those can need rule 4, so the rest cost no query of their own."""
    table = table_of(RevisionRow)
    found: set[tuple[str, str]] = set()
    by_source: dict[str, set[str]] = {}
    for r in revisions:
        by_source.setdefault(r.source, set()).add(r.issue_key)
    for source, keys in by_source.items():
        rows = conn.execute(
            select(table.c.issue_key)
            .where(
                table.c.source == source,
                table.c.issue_key.in_(sorted(keys)),
                table.c.origin == _DERIVED_ORIGIN,
            )
            .distinct()
        )
        found.update((source, str(key)) for (key,) in rows)
    return found


def _snapshots(r: TextRevision) -> list[dict[str, Any]]:
    return [
        {"source": r.source, "issue_key": r.issue_key, "seen_at": at, "text": text}
        for at, text in ((r.at - _BEFORE, r.from_text), (r.at, r.to_text))
    ]


def _supersede_derived(conn: Connection, revision: TextRevision) -> None:
    """Rule 4: a revision the poll derived from snapshots after this save happened, and
    which starts from the same text, covers this save."""
    table = table_of(RevisionRow)
    rows = conn.execute(
        select(table.c.revision_id, table.c.at, table.c.to_text).where(
            table.c.source == revision.source,
            table.c.issue_key == revision.issue_key,
            table.c.origin == _DERIVED_ORIGIN,
            table.c.from_text == revision.from_text
            if revision.from_text is not None
            else table.c.from_text.is_(None),
        )
    ).all()
    for revision_id, at, to_text in rows:
        seen = _derived_seen_at(str(revision_id))
        if seen is None or seen < revision.at:
            continue  # derived by a poll before this save: it covers an earlier one
        where = (
            table.c.source == revision.source,
            table.c.issue_key == revision.issue_key,
            table.c.revision_id == revision_id,
        )
        if to_text == revision.to_text:
            conn.execute(delete(table).where(*where))
        else:
            conn.execute(
                update(table)
                .where(*where)
                .values(from_text=revision.to_text, at=max(at, revision.at))
            )


def _derived_seen_at(revision_id: str) -> datetime | None:
    """The poll time a derived revision's id carries (``save._derived_revision``)."""
    if not revision_id.startswith(_DERIVED_PREFIX):
        return None
    try:
        return datetime.fromisoformat(revision_id.removeprefix(_DERIVED_PREFIX))
    except ValueError:
        return None


def load_issue_key(conn: Connection, source: str, issue_id: str) -> str | None:
    """Linear's attachment and relation deliveries name an issue by id only."""
    table = table_of(IssueRow)
    key = conn.execute(
        select(table.c.issue_key).where(table.c.source == source, table.c.issue_id == issue_id)
    ).scalar()
    return str(key) if key is not None else None
