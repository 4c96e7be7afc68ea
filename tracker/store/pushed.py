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
5. A Linear save whose old text is not the text last seen before it reveals an edit no
   delivery brought; it is derived from the two texts, as the poll derives one, so the
   receiver never hides an edit the poll would have found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
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
    TextEditRow,
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
    """Store deliveries' facts (rules 2-5 above)."""
    exact = [r for e in events if e.keeps_snapshots for r in e.revisions]
    derived = _issues_with_derived(conn, exact)
    for revision in exact:
        if (revision.source, revision.issue_key) in derived:
            _supersede_derived(conn, revision)
    upsert(conn, RevisionRow, _gaps(conn, exact), update=False)
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


def _gaps(conn: Connection, exact: Sequence[TextRevision]) -> list[dict[str, Any]]:
    """Rule 5: a save whose text before differs from the text last seen before it had an
    edit in between that no delivery brought (the receiver was down, or that delivery is
    still to come): it is derived from the two texts, as the poll would have derived it,
    so no edit goes missing; rule 4 replaces it if its delivery arrives later."""
    rows: list[dict[str, Any]] = []
    latest = _latest_snapshots(conn, exact)
    seen: dict[tuple[str, str], tuple[datetime, str | None]] = {}
    for r in sorted(exact, key=lambda r: (r.source, r.issue_key, r.at)):
        before_at = r.at - _BEFORE
        last = latest.get((r.source, r.issue_key))
        if last is not None and last[0] >= before_at:  # a late delivery: look further back
            last = _snapshot_before(conn, r.source, r.issue_key, before_at)
        in_batch = seen.get((r.source, r.issue_key))
        if (
            in_batch is not None
            and in_batch[0] < before_at
            and (last is None or in_batch[0] > last[0])
        ):
            last = in_batch
        seen[(r.source, r.issue_key)] = (r.at, r.to_text)
        if last is None or last[1] == r.from_text:
            continue
        edit = _newest_edit(conn, r, last[0], before_at)
        rows.append(
            {
                "source": r.source,
                "issue_key": r.issue_key,
                "revision_id": f"{_DERIVED_PREFIX}{before_at.isoformat()}",
                "at": edit.get("at") or before_at,
                "field": r.field,
                "from_text": last[1],
                "to_text": r.from_text,
                "origin": _DERIVED_ORIGIN,
                **{k: v for k, v in edit.items() if k.startswith("author_")},
            }
        )
    return rows


def _latest_snapshots(
    conn: Connection, revisions: Sequence[TextRevision]
) -> dict[tuple[str, str], tuple[datetime, str | None]]:
    """The newest snapshot of each issue among ``revisions``, in one query: in the usual
    order of things a delivery is newer than all of them."""
    table = table_of(SnapshotRow)
    found: dict[tuple[str, str], tuple[datetime, str | None]] = {}
    by_source: dict[str, set[str]] = {}
    for r in revisions:
        by_source.setdefault(r.source, set()).add(r.issue_key)
    for source, keys in by_source.items():
        newest = (
            select(table.c.issue_key, func.max(table.c.seen_at).label("seen_at"))
            .where(table.c.source == source, table.c.issue_key.in_(sorted(keys)))
            .group_by(table.c.issue_key)
            .subquery()
        )
        rows = conn.execute(
            select(table.c.issue_key, table.c.seen_at, table.c.text)
            .join(
                newest,
                (table.c.issue_key == newest.c.issue_key) & (table.c.seen_at == newest.c.seen_at),
            )
            .where(table.c.source == source)
        )
        for key, at, text in rows:
            found[(source, str(key))] = (at, text)
    return found


def _snapshot_before(
    conn: Connection, source: str, key: str, at: datetime
) -> tuple[datetime, str | None] | None:
    table = table_of(SnapshotRow)
    row = conn.execute(
        select(table.c.seen_at, table.c.text)
        .where(table.c.source == source, table.c.issue_key == key, table.c.seen_at < at)
        .order_by(table.c.seen_at.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def _newest_edit(
    conn: Connection, r: TextRevision, after: datetime, until: datetime
) -> dict[str, Any]:
    """Who and when, from the poll's record of edits (Linear history), if it has one."""
    table = table_of(TextEditRow)
    row = conn.execute(
        select(table)
        .where(
            table.c.source == r.source,
            table.c.issue_key == r.issue_key,
            table.c.at > after,
            table.c.at <= until,
        )
        .order_by(table.c.at.desc(), table.c.edit_id.desc())
        .limit(1)
    ).first()
    return dict(row._mapping) if row is not None else {}


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
