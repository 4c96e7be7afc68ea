"""Reading: rows back into domain records for the analysis, in a handful of queries.

A sprint's report reads the sprint's memberships, then every table once for those
issues (chunked ``IN`` lists), so its cost grows with the sprint, not the database.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, Subquery, func, literal, select
from sqlalchemy.engine import Connection

from tracker.domain import (
    Comment,
    Issue,
    IssueHistory,
    Link,
    LinkKind,
    MembershipChange,
    Person,
    Snapshot,
    SourceKind,
    Sprint,
    SprintState,
    TextEdit,
    TextRevision,
)
from tracker.store.tables import (
    CommentRow,
    IssueRow,
    LinkRow,
    MembershipRow,
    RevisionRow,
    SnapshotRow,
    SourceRow,
    SprintRow,
    TextEditRow,
    UTCDateTime,
    table_of,
)


def person_from(row: Any, prefix: str = "author_") -> Person | None:
    pid = getattr(row, f"{prefix}id")
    name = getattr(row, f"{prefix}name")
    if pid is None and name is None:
        return None
    return Person(
        id=pid or name or "",
        name=name or pid or "",
        email=getattr(row, f"{prefix}email"),
        is_bot=bool(getattr(row, f"{prefix}bot")),
    )


def load_source_kinds(conn: Connection) -> dict[str, str]:
    return {r.name: r.kind for r in conn.execute(select(table_of(SourceRow)))}


def load_sprints(conn: Connection, source: str | None = None) -> list[Sprint]:
    table = table_of(SprintRow)
    query = select(table)
    if source is not None:
        query = query.where(table.c.source == source)
    sprints = [
        Sprint(
            source=r.source,
            id=r.sprint_id,
            name=r.name,
            state=SprintState(r.state),
            started_at=r.started_at,
            ended_at=r.ended_at,
            planned_end=r.planned_end,
            board=r.board,
            key=r.key,
            start_is_planned=r.start_is_planned,
        )
        for r in conn.execute(query)
    ]
    return sorted(sprints, key=lambda s: (s.source, s.started_at is None, s.started_at, s.id))


def load_histories(
    conn: Connection, source: str, sprint_ids: Sequence[str], *, windowed: bool = False
) -> list[IssueHistory]:
    """Every issue that was ever a member of any of the sprints, with all it needs.

    ``windowed``: each issue's revisions are read from the start of the earliest of the
    given sprints it was in, plus its latest earlier one, which holds the text at that
    start: most of a busy issue's history predates its sprint and is not needed to
    judge it. (An issue only in sprints that have not started is read whole.)
    """
    if conn.dialect.name == "postgresql":
        # The per-issue windows below are join conditions whose selectivity PostgreSQL
        # cannot estimate; at its default random_page_cost (4, for spinning disks) it
        # then prefers reading every revision to probing the index per issue (150 ms
        # against 20 ms for a 20-sprint trend). 1.1 is the setting its documentation
        # suggests for SSDs; LOCAL keeps it to this read-only transaction.
        conn.exec_driver_sql("SET LOCAL random_page_cost = 1.1")
    members = table_of(MembershipRow)
    in_sprints = (members.c.source == source, members.c.sprint_id.in_(list(sprint_ids)))
    # The sprints' issues as a subquery, not a list of keys: one statement per table
    # however large the sprints, and no thousand-parameter IN lists to parse.
    keys = select(members.c.issue_key).where(*in_sprints).distinct()
    kinds = load_source_kinds(conn)
    exact = kinds.get(source) != SourceKind.LINEAR
    # Snapshots and text edits matter only where the tracker keeps no old texts
    # (Linear); for Jira the changelog is the history and its rows are left unread.
    wanted = {n: m for n, m in _CHILDREN.items() if not exact or n not in _SNAPSHOT_ONLY}
    changed = keys
    windows = None
    if windowed:
        sprints = table_of(SprintRow)
        windows = (
            select(
                members.c.issue_key,
                # no start yet: the whole history (a plain bound keeps the index usable)
                func.coalesce(func.min(sprints.c.started_at), _EPOCH).label("since"),
            )
            .join(
                sprints,
                (sprints.c.source == members.c.source)
                & (sprints.c.sprint_id == members.c.sprint_id),
            )
            .where(*in_sprints)
            .group_by(members.c.issue_key)
            .subquery()
        )
        if exact:
            # Comments and links are evidence about changes: an issue whose AC-bearing
            # field was not saved in its window has none to judge; they stay unread.
            revisions = table_of(RevisionRow)
            changed = (
                select(revisions.c.issue_key)
                .join(windows, revisions.c.issue_key == windows.c.issue_key)
                .where(revisions.c.source == source, revisions.c.at > windows.c.since)
                .distinct()
            )
    grouped = defaultdict(
        lambda: defaultdict(list),
        {
            n: _grouped(conn, m, source, changed if n in _EVIDENCE else keys)
            for n, m in wanted.items()
        },
    )
    grouped["revisions"] = _grouped_rows(_revision_rows(conn, source, keys, windows))
    histories = []
    for row in _rows(conn, IssueRow, source, keys):
        key = row.issue_key
        histories.append(
            IssueHistory(
                issue=_issue(row),
                text_field=row.text_field,
                current_text=row.current_text,
                exact_history=exact,
                revisions=tuple(
                    sorted(
                        (_revision(r) for r in grouped["revisions"][key]),
                        key=lambda r: (r.at, r.id),
                    )
                ),
                snapshots=tuple(
                    sorted(
                        (Snapshot(r.seen_at, r.text) for r in grouped["snapshots"][key]),
                        key=lambda s: s.seen_at,
                    )
                ),
                text_edits=tuple(
                    sorted(
                        (_edit(r) for r in grouped["text_edits"][key]), key=lambda e: (e.at, e.id)
                    )
                ),
                memberships=tuple(
                    sorted(
                        (_membership(r) for r in grouped["memberships"][key]), key=lambda m: m.at
                    )
                ),
                sprint_ids=tuple(json.loads(row.sprint_ids)),
                comments=tuple(
                    sorted(
                        (_comment(r) for r in grouped["comments"][key]), key=lambda c: c.created_at
                    )
                ),
                links=tuple(_link(r) for r in grouped["links"][key]),
            )
        )
    return histories


_SNAPSHOT_ONLY = frozenset({"snapshots", "text_edits"})
_EVIDENCE = frozenset({"comments", "links"})
_CHILDREN: dict[str, Any] = {
    "snapshots": SnapshotRow,
    "text_edits": TextEditRow,
    "memberships": MembershipRow,
    "comments": CommentRow,
    "links": LinkRow,
}


def _rows(conn: Connection, model: Any, source: str, keys: Select[Any]) -> list[Any]:
    table = table_of(model)
    return list(
        conn.execute(select(table).where(table.c.source == source, table.c.issue_key.in_(keys)))
    )


def _grouped(conn: Connection, model: Any, source: str, keys: Select[Any]) -> dict[str, list[Any]]:
    return _grouped_rows(_rows(conn, model, source, keys))


def _grouped_rows(rows: list[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.issue_key].append(row)
    return groups


_EPOCH = literal(datetime(1970, 1, 1, tzinfo=UTC), UTCDateTime())


def _revision_rows(
    conn: Connection, source: str, keys: Select[Any], windows: Subquery | None
) -> list[Any]:
    if windows is None:
        return _rows(conn, RevisionRow, source, keys)
    table = table_of(RevisionRow)
    found = list(
        conn.execute(
            select(table)
            .join(windows, table.c.issue_key == windows.c.issue_key)
            .where(table.c.source == source, table.c.at > windows.c.since)
        )
    )
    # The latest revision at or before each window's start: first each issue's MAX(at)
    # (one backward probe of the (source, issue_key, at) index per issue), then those
    # rows by the same index. Comparing every revision with a correlated MAX instead
    # costs a probe per revision, and a join on a grouped subquery makes SQLite scan
    # every revision.
    earlier = table.alias("earlier")
    latest = (
        select(func.max(earlier.c.at))
        .where(
            earlier.c.source == source,
            earlier.c.issue_key == windows.c.issue_key,
            earlier.c.at <= windows.c.since,
        )
        .scalar_subquery()
    )
    starts = select(windows.c.issue_key, latest.label("at")).subquery()
    found.extend(
        conn.execute(
            select(table)
            .join(starts, (table.c.issue_key == starts.c.issue_key) & (table.c.at == starts.c.at))
            .where(table.c.source == source)
        )
    )
    return found


def _issue(r: Any) -> Issue:
    return Issue(
        source=r.source,
        key=r.issue_key,
        id=r.issue_id,
        title=r.title,
        url=r.url,
        type=r.type,
        status=r.status,
        labels=tuple(json.loads(r.labels)),
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


def _revision(r: Any) -> TextRevision:
    return TextRevision(
        r.source, r.issue_key, r.revision_id, r.at, person_from(r), r.field, r.from_text, r.to_text
    )


def _edit(r: Any) -> TextEdit:
    return TextEdit(r.source, r.issue_key, r.edit_id, r.at, person_from(r))


def _membership(r: Any) -> MembershipChange:
    return MembershipChange(
        r.source, r.issue_key, r.sprint_id, r.at, r.added, person_from(r), r.automated
    )


def _comment(r: Any) -> Comment:
    return Comment(
        source=r.source,
        issue_key=r.issue_key,
        id=r.comment_id,
        created_at=r.created_at,
        author=person_from(r),
        body=r.body,
        updated_at=r.updated_at,
        url=r.url,
        parent_id=r.parent_id,
    )


def _link(r: Any) -> Link:
    return Link(
        source=r.source,
        issue_key=r.issue_key,
        id=r.link_id,
        kind=LinkKind(r.kind),
        title=r.title,
        url=r.url,
        relationship=r.relationship,
        added_at=r.added_at,
        added_by=person_from(r),
        target_key=r.target_key,
        target_type=r.target_type,
        target_labels=tuple(json.loads(r.target_labels)),
        app=r.app,
    )


def load_sprints_of_issue(
    conn: Connection, issue_key: str, source: str | None = None
) -> list[Sprint]:
    members = table_of(MembershipRow)
    query = select(members.c.source, members.c.sprint_id).where(members.c.issue_key == issue_key)
    if source is not None:
        query = query.where(members.c.source == source)
    pairs = {(row[0], row[1]) for row in conn.execute(query)}
    return [s for s in load_sprints(conn, source) if (s.source, s.id) in pairs]
