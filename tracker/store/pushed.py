"""Writing what a webhook delivered (``tracker serve``), into the tables the sync writes.

The rules that make a webhook and a poll agree, stated first:
1. A delivery is stored once: its id goes into ``deliveries`` in the same transaction as
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

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tracker.domain import PushedEvent, TextRevision
from tracker.store.save import _comment_row, _link_row, _revision_row, upsert
from tracker.store.tables import (
    CommentRow,
    DeliveryRow,
    IssueRow,
    LinkRow,
    RevisionRow,
    SnapshotRow,
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


def claim_delivery(conn: Connection, source: str, delivery_id: str, at: datetime) -> bool:
    """Record a delivery id; False when it was recorded before (a retry or a replay)."""
    table = table_of(DeliveryRow)
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    # RETURNING, not rowcount: what rowcount says for a skipped row differs by driver.
    stmt = (
        insert(table)
        .values(source=source, delivery_id=delivery_id, received_at=at)
        .on_conflict_do_nothing(index_elements=["source", "delivery_id"])
        .returning(table.c.delivery_id)
    )
    return conn.execute(stmt).first() is not None


def save_event(conn: Connection, event: PushedEvent) -> None:
    """Store one delivery's facts (rules 2-4 above)."""
    if event.keeps_snapshots:
        for revision in event.revisions:
            _supersede_derived(conn, revision)
    origin = WEBHOOK_ORIGIN if event.keeps_snapshots else "changelog"
    upsert(
        conn,
        RevisionRow,
        [{**_revision_row(r), "origin": origin} for r in event.revisions],
        update=False,
    )
    if event.keeps_snapshots:
        upsert(conn, SnapshotRow, _snapshots(event), update=False)
    upsert(conn, CommentRow, [_comment_row(c) for c in event.comments], update=False)
    upsert(conn, LinkRow, [_link_row(link) for link in event.links], update=False)


def _snapshots(event: PushedEvent) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for r in event.revisions:
        for at, text in ((r.at - _BEFORE, r.from_text), (r.at, r.to_text)):
            rows.append({"source": r.source, "issue_key": r.issue_key, "seen_at": at, "text": text})
    return rows


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
