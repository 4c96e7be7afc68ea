"""Writing: idempotent upserts by natural key, one transaction per page.

Raw history (revisions, text edits, memberships) is immutable once stored: a re-read
inserts nothing. Mutable facts (issue fields, comment bodies, link titles) are updated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tracker.domain import (
    Comment,
    EstimateChange,
    IssueBundle,
    Link,
    MembershipChange,
    Person,
    Sprint,
    TextEdit,
    TextRevision,
)
from tracker.store.tables import (
    CommentRow,
    CursorRow,
    EstimateRow,
    IssueRow,
    LinkRow,
    MembershipRow,
    RevisionRow,
    SnapshotRow,
    SourceMemoRow,
    SourceRow,
    SprintRow,
    TextEditRow,
    table_of,
)

Row = dict[str, Any]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHUNK = 500


def upsert(conn: Connection, model: Any, rows: Sequence[Row], *, update: bool) -> None:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE / DO NOTHING, for SQLite and
    PostgreSQL. Rows repeating a key within the batch keep the last one (PostgreSQL
    refuses to touch a row twice in one statement)."""
    if not rows:
        return
    table = table_of(model)
    keys = [c.name for c in table.primary_key.columns]
    unique = list({tuple(r[k] for k in keys): r for r in rows}.values())
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for start in range(0, len(unique), _CHUNK):
        stmt = insert(table)
        if update:
            changing = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
            stmt = stmt.on_conflict_do_update(index_elements=keys, set_=changing)
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=keys)
        conn.execute(stmt, unique[start : start + _CHUNK])


def person_columns(person: Person | None, prefix: str = "author_") -> Row:
    if person is None:
        return {
            f"{prefix}id": None,
            f"{prefix}name": None,
            f"{prefix}email": None,
            f"{prefix}bot": False,
        }
    return {
        f"{prefix}id": person.id,
        f"{prefix}name": person.name,
        f"{prefix}email": person.email,
        f"{prefix}bot": person.is_bot,
    }


def save_source(
    conn: Connection, name: str, kind: str, url: str, at: datetime, *, exact_history: bool
) -> None:
    existing = conn.execute(
        select(table_of(SourceRow)).where(table_of(SourceRow).c.name == name)
    ).first()
    row = {
        "name": name,
        "kind": kind,
        "url": url,
        "exact_history": exact_history,
        "last_synced_at": at,
    }
    row["first_synced_at"] = existing.first_synced_at if existing else at
    upsert(conn, SourceRow, [row], update=True)


def save_sprints(conn: Connection, sprints: Iterable[Sprint]) -> int:
    rows = [
        {
            "source": s.source,
            "sprint_id": s.id,
            "name": s.name,
            "state": str(s.state),
            "started_at": s.started_at,
            "ended_at": s.ended_at,
            "planned_end": s.planned_end,
            "board": s.board,
            "key": s.key,
            "start_is_planned": s.start_is_planned,
        }
        for s in sprints
    ]
    upsert(conn, SprintRow, rows, update=True)
    return len(rows)


def save_bundles(
    conn: Connection, source: str, bundles: Sequence[IssueBundle], seen_at: datetime
) -> None:
    """Store one page of issues. Snapshots and the revisions derived from them are
    written here too, in the same transaction, so a crash leaves neither half."""
    upsert(conn, IssueRow, [_issue_row(b) for b in bundles], update=True)
    upsert(
        conn, RevisionRow, [_revision_row(r) for b in bundles for r in b.revisions], update=False
    )
    upsert(conn, TextEditRow, [_edit_row(e) for b in bundles for e in b.text_edits], update=False)
    upsert(
        conn, EstimateRow, [_estimate_row(e) for b in bundles for e in b.estimates], update=False
    )
    upsert(
        conn,
        MembershipRow,
        [_membership_row(m) for b in bundles for m in _memberships(b)],
        update=False,
    )
    upsert(conn, CommentRow, [_comment_row(c) for b in bundles for c in b.comments], update=True)
    upsert(conn, LinkRow, [_link_row(link) for b in bundles for link in b.links], update=True)
    _save_snapshots(conn, source, bundles, seen_at)


def _memberships(bundle: IssueBundle) -> list[MembershipChange]:
    """The bundle's memberships, plus one for each current sprint nothing explains: the
    issue was created in it (Jira records no Sprint item for that)."""
    found = list(bundle.memberships)
    explained = {m.sprint_id for m in found if m.added}
    at = bundle.issue.created_at or _EPOCH
    for sprint_id in bundle.sprint_ids:
        if sprint_id not in explained:
            found.append(
                MembershipChange(bundle.issue.source, bundle.issue.key, sprint_id, at, added=True)
            )
    return found


def _save_snapshots(
    conn: Connection, source: str, bundles: Sequence[IssueBundle], seen_at: datetime
) -> None:
    last = _last_snapshots(conn, source, [b.issue.key for b in bundles])
    snapshots: list[Row] = []
    derived: list[Row] = []
    for bundle in bundles:
        key = bundle.issue.key
        if key in last and last[key][1] == bundle.current_text:
            continue
        snapshots.append(
            {"source": source, "issue_key": key, "seen_at": seen_at, "text": bundle.current_text}
        )
        if key in last and not bundle.revisions:
            derived.append(_derived_revision(bundle, last[key], seen_at))
    upsert(conn, SnapshotRow, snapshots, update=True)
    upsert(conn, RevisionRow, derived, update=False)


def _derived_revision(
    bundle: IssueBundle, previous: tuple[datetime, str | None], seen_at: datetime
) -> Row:
    """Two snapshots differ and the tracker kept no old text (Linear): the change is
    attributed to the newest recorded edit since the previous snapshot, else to the
    moment this poll saw it."""
    prev_at, prev_text = previous
    edits = sorted((e for e in bundle.text_edits if e.at > prev_at), key=lambda e: (e.at, e.id))
    edit = edits[-1] if edits else None
    return {
        "source": bundle.issue.source,
        "issue_key": bundle.issue.key,
        "revision_id": f"snapshot:{seen_at.isoformat()}",
        "at": edit.at if edit else seen_at,
        "field": bundle.text_field,
        "from_text": prev_text,
        "to_text": bundle.current_text,
        "origin": "snapshot",
        **person_columns(edit.author if edit else None),
    }


def _last_snapshots(
    conn: Connection, source: str, keys: list[str]
) -> dict[str, tuple[datetime, str | None]]:
    table = table_of(SnapshotRow)
    found: dict[str, tuple[datetime, str | None]] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        rows = conn.execute(
            select(table.c.issue_key, table.c.seen_at, table.c.text)
            .where(table.c.source == source, table.c.issue_key.in_(chunk))
            .order_by(table.c.seen_at)
        )
        for key, at, text in rows:
            found[key] = (at, text)
    return found


def get_cursor(conn: Connection, source: str, name: str = "issues") -> datetime | None:
    table = table_of(CursorRow)
    value = conn.execute(
        select(table.c.value).where(tuple_(table.c.source, table.c.name) == (source, name))
    ).scalar()
    return value if isinstance(value, datetime) else None


def set_cursor(
    conn: Connection, source: str, value: datetime, at: datetime, name: str = "issues"
) -> None:
    upsert(
        conn,
        CursorRow,
        [{"source": source, "name": name, "value": value, "updated_at": at}],
        update=True,
    )


def _issue_row(b: IssueBundle) -> Row:
    i = b.issue
    return {
        "source": i.source,
        "issue_key": i.key,
        "issue_id": i.id,
        "title": i.title,
        "url": i.url,
        "type": i.type,
        "status": i.status,
        "labels": json.dumps(list(i.labels)),
        "sprint_ids": json.dumps(list(b.sprint_ids)),
        "text_field": b.text_field,
        "current_text": b.current_text,
        "created_at": i.created_at,
        "updated_at": i.updated_at,
        "estimate": i.estimate,
    }


def _revision_row(r: TextRevision) -> Row:
    return {
        "source": r.source,
        "issue_key": r.issue_key,
        "revision_id": r.id,
        "at": r.at,
        "field": r.field,
        "from_text": r.from_text,
        "to_text": r.to_text,
        "origin": "changelog",
        **person_columns(r.author),
    }


def _estimate_row(e: EstimateChange) -> Row:
    return {
        "source": e.source,
        "issue_key": e.issue_key,
        "change_id": e.id,
        "at": e.at,
        "from_value": e.from_value,
        "to_value": e.to_value,
        **person_columns(e.author),
    }


def _edit_row(e: TextEdit) -> Row:
    return {
        "source": e.source,
        "issue_key": e.issue_key,
        "edit_id": e.id,
        "at": e.at,
        **person_columns(e.author),
    }


def _membership_row(m: MembershipChange) -> Row:
    return {
        "source": m.source,
        "issue_key": m.issue_key,
        "sprint_id": m.sprint_id,
        "at": m.at,
        "added": m.added,
        "automated": m.automated,
        **person_columns(m.by),
    }


def _comment_row(c: Comment) -> Row:
    return {
        "source": c.source,
        "issue_key": c.issue_key,
        "comment_id": c.id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "body": c.body,
        "url": c.url,
        "parent_id": c.parent_id,
        **person_columns(c.author),
    }


def _link_row(link: Link) -> Row:
    return {
        "source": link.source,
        "issue_key": link.issue_key,
        "link_id": link.id,
        "kind": str(link.kind),
        "title": link.title,
        "url": link.url,
        "relationship": link.relationship,
        "added_at": link.added_at,
        "target_key": link.target_key,
        "target_type": link.target_type,
        "target_labels": json.dumps(list(link.target_labels)),
        "app": link.app,
        **person_columns(link.added_by),
    }


def get_updated_since(conn: Connection, source: str, since: datetime) -> dict[str, datetime]:
    table = table_of(IssueRow)
    rows = conn.execute(
        select(table.c.issue_key, table.c.updated_at).where(
            table.c.source == source, table.c.updated_at >= since
        )
    )
    return {str(key): at for key, at in rows if isinstance(at, datetime)}


def get_memo(conn: Connection, source: str) -> dict[str, Any]:
    table = table_of(SourceMemoRow)
    text = conn.execute(select(table.c.value).where(table.c.source == source)).scalar()
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}  # unreadable: the source asks again, which is all a memo saves
    return value if isinstance(value, dict) else {}


def set_memo(conn: Connection, source: str, value: dict[str, Any], at: datetime) -> None:
    row = {"source": source, "value": json.dumps(value, sort_keys=True), "saved_at": at}
    upsert(conn, SourceMemoRow, [row], update=True)
