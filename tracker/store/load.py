"""Reading: rows back into domain records for the analysis, in a handful of queries.

A sprint's report (or a trend's sprints) reads every table once for the sprints' issues,
selected by a subquery on memberships, so its cost grows with the sprints, not the
database.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, Subquery, Table, func, literal, select
from sqlalchemy.engine import Connection

from tracker.domain import (
    Comment,
    EstimateChange,
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
    EstimateRow,
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


class _People:
    """Authors as records, one object per distinct person: a report's rows name a few
    dozen people thousands of times."""

    def __init__(self) -> None:
        self._seen: dict[tuple[Any, ...], Person | None] = {}

    def __call__(
        self, pid: str | None, name: str | None, email: str | None, bot: Any
    ) -> Person | None:
        found = self._seen.get((pid, name, email, bot), _UNSEEN)
        if found is not _UNSEEN:
            return found  # type: ignore[return-value]
        person = None
        if pid is not None or name is not None:
            person = Person(
                id=pid or name or "", name=name or pid or "", email=email, is_bot=bool(bot)
            )
        self._seen[(pid, name, email, bot)] = person
        return person


_UNSEEN = object()


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
    conn: Connection,
    source: str,
    sprint_ids: Sequence[str],
    *,
    windowed: bool = False,
    issue_key: str | None = None,
) -> list[IssueHistory]:
    """Every issue that was ever a member of any of the sprints, with all it needs.

    ``windowed``: each issue's revisions are read from the start of the earliest of the
    given sprints it was in, plus its latest earlier one, which holds the text at that
    start: most of a busy issue's history predates its sprint and is not needed to
    judge it. (An issue only in sprints that have not started is read whole.)
    ``issue_key``: that issue only (`tracker show`).
    """
    if conn.dialect.name == "postgresql":
        # The per-issue windows below are join conditions whose selectivity PostgreSQL
        # cannot estimate; at its default random_page_cost (4, for spinning disks) it
        # then prefers reading every revision to probing the index per issue (150 ms
        # against 20 ms for a 20-sprint trend). 1.1 is the setting its documentation
        # suggests for SSDs; LOCAL keeps it to this read-only transaction.
        conn.exec_driver_sql("SET LOCAL random_page_cost = 1.1")
    members = table_of(MembershipRow)
    in_sprints = [members.c.source == source, members.c.sprint_id.in_(list(sprint_ids))]
    if issue_key is not None:
        in_sprints.append(members.c.issue_key == issue_key)
    # The sprints' issues as a subquery, not a list of keys: one statement per table
    # however large the sprints, and no thousand-parameter IN lists to parse.
    keys = select(members.c.issue_key).where(*in_sprints).distinct()
    kinds = load_source_kinds(conn)
    exact = kinds.get(source) != SourceKind.LINEAR
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
    person = _People()
    # Snapshots and text edits matter only where the tracker keeps no old texts
    # (Linear); for Jira the changelog is the history and its rows are left unread.
    read = {
        name: _children(conn, name, source, changed if name in _EVIDENCE else keys, person)
        for name in _CHILD_READERS
        if not exact or name not in _SNAPSHOT_ONLY
    }
    read["revisions"] = _revisions(conn, source, keys, windows, person)
    empty: tuple[Any, ...] = ()
    histories = []
    for row in conn.execute(select(*_ISSUE_COLUMNS).where(*_of(table_of(IssueRow), source, keys))):
        key = row[1]
        histories.append(
            IssueHistory(
                issue=_issue(row),
                text_field=row[10],
                current_text=row[11],
                exact_history=exact,
                revisions=read["revisions"].get(key, empty),
                snapshots=read.get("snapshots", {}).get(key, empty),
                text_edits=read.get("text_edits", {}).get(key, empty),
                memberships=read["memberships"].get(key, empty),
                sprint_ids=tuple(json.loads(row[12])),
                comments=read["comments"].get(key, empty),
                links=read["links"].get(key, empty),
                estimates=read["estimates"].get(key, empty),
            )
        )
    return histories


_SNAPSHOT_ONLY = frozenset({"snapshots", "text_edits"})
_EVIDENCE = frozenset({"comments", "links"})


def _of(table: Table, source: str, keys: Select[Any]) -> tuple[Any, ...]:
    return (table.c.source == source, table.c.issue_key.in_(keys))


def _columns(model: Any, *names: str) -> list[Any]:
    """The named columns, in order: rows are read as plain tuples (attribute access
    on a result row costs ten times an index), so each reader below unpacks by position."""
    table = table_of(model)
    return [table.c[name] for name in names]


_AUTHOR = ("author_id", "author_name", "author_email", "author_bot")
_ISSUE_COLUMNS = _columns(
    IssueRow,
    "source",
    "issue_key",
    "issue_id",
    "title",
    "url",
    "type",
    "status",
    "labels",
    "created_at",
    "updated_at",
    "text_field",
    "current_text",
    "sprint_ids",
    "estimate",
)


def _issue(r: Any) -> Issue:
    return Issue(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(json.loads(r[7])), r[8], r[9], r[13]
    )


# name: (table, its columns (issue key first), sort key, row → record)
_Reader = tuple[Any, list[Any], Callable[[Any], Any], Callable[[Any, str, _People], Any]]
_CHILD_READERS: dict[str, _Reader] = {
    "snapshots": (
        SnapshotRow,
        _columns(SnapshotRow, "issue_key", "seen_at", "text"),
        itemgetter(1),
        lambda r, source, person: Snapshot(r[1], r[2]),
    ),
    "text_edits": (
        TextEditRow,
        _columns(TextEditRow, "issue_key", "at", "edit_id", *_AUTHOR),
        itemgetter(1, 2),
        lambda r, source, person: TextEdit(source, r[0], r[2], r[1], person(*r[3:7])),
    ),
    "estimates": (
        EstimateRow,
        _columns(EstimateRow, "issue_key", "at", "change_id", "from_value", "to_value", *_AUTHOR),
        itemgetter(1, 2),
        lambda r, source, person: EstimateChange(
            source, r[0], r[2], r[1], person(*r[5:9]), r[3], r[4]
        ),
    ),
    "memberships": (
        MembershipRow,
        _columns(MembershipRow, "issue_key", "at", "sprint_id", "added", "automated", *_AUTHOR),
        itemgetter(1),
        lambda r, source, person: MembershipChange(
            source, r[0], r[2], r[1], r[3], person(*r[5:9]), r[4]
        ),
    ),
    "comments": (
        CommentRow,
        _columns(
            CommentRow,
            "issue_key",
            "created_at",
            "comment_id",
            "body",
            "updated_at",
            "url",
            "parent_id",
            *_AUTHOR,
        ),
        itemgetter(1),
        lambda r, source, person: Comment(
            source, r[0], r[2], r[1], person(*r[7:11]), r[3], r[4], r[5], r[6]
        ),
    ),
    "links": (
        LinkRow,
        _columns(
            LinkRow,
            "issue_key",
            "link_id",
            "kind",
            "title",
            "url",
            "relationship",
            "added_at",
            "target_key",
            "target_type",
            "target_labels",
            "app",
            *_AUTHOR,
        ),
        lambda r: 0,  # in the order stored
        lambda r, source, person: Link(
            source,
            r[0],
            r[1],
            LinkKind(r[2]),
            r[3],
            r[4],
            r[5],
            r[6],
            person(*r[11:15]),
            r[7],
            r[8],
            tuple(json.loads(r[9])),
            r[10],
        ),
    ),
}
_REVISION_COLUMNS = _columns(
    RevisionRow, "issue_key", "at", "revision_id", "field", "from_text", "to_text", *_AUTHOR
)


def _revision(r: Any, source: str, person: _People) -> TextRevision:
    return TextRevision(source, r[0], r[2], r[1], person(*r[6:10]), r[3], r[4], r[5])


def _grouped(
    rows: list[Any], order: Callable[[Any], Any], make: Callable[[Any], Any]
) -> dict[str, tuple[Any, ...]]:
    """Records per issue key, each issue's in ``order`` (one sort of all rows; the sort
    is stable, so rows that tie keep the order the database gave)."""
    rows.sort(key=order)
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row[0]].append(make(row))
    return {key: tuple(found) for key, found in groups.items()}


def _children(
    conn: Connection, name: str, source: str, keys: Select[Any], person: _People
) -> dict[str, tuple[Any, ...]]:
    model, columns, order, make = _CHILD_READERS[name]
    rows = list(conn.execute(select(*columns).where(*_of(table_of(model), source, keys))))
    return _grouped(rows, order, lambda r: make(r, source, person))


_EPOCH = literal(datetime(1970, 1, 1, tzinfo=UTC), UTCDateTime())


def _revisions(
    conn: Connection, source: str, keys: Select[Any], windows: Subquery | None, person: _People
) -> dict[str, tuple[TextRevision, ...]]:
    """Each issue's revisions by time: all of them, or those in its window plus the
    latest before it (which holds the text at the window's start)."""
    table = table_of(RevisionRow)
    if windows is None:
        rows = list(conn.execute(select(*_REVISION_COLUMNS).where(*_of(table, source, keys))))
    else:
        rows = list(
            conn.execute(
                select(*_REVISION_COLUMNS)
                .join(windows, table.c.issue_key == windows.c.issue_key)
                .where(table.c.source == source, table.c.at > windows.c.since)
            )
        )
        # The latest revision at or before each window's start: first each issue's
        # MAX(at) (one backward probe of the (source, issue_key, at) index per issue),
        # then those rows by the same index. Comparing every revision with a correlated
        # MAX instead costs a probe per revision, and a join on a grouped subquery
        # makes SQLite scan every revision.
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
        rows.extend(
            conn.execute(
                select(*_REVISION_COLUMNS)
                .join(
                    starts, (table.c.issue_key == starts.c.issue_key) & (table.c.at == starts.c.at)
                )
                .where(table.c.source == source)
            )
        )
    return _grouped(rows, itemgetter(1, 2), lambda r: _revision(r, source, person))


def load_sprints_of_issue(
    conn: Connection, issue_key: str, source: str | None = None
) -> list[Sprint]:
    members = table_of(MembershipRow)
    query = select(members.c.source, members.c.sprint_id).where(members.c.issue_key == issue_key)
    if source is not None:
        query = query.where(members.c.source == source)
    pairs = {(row[0], row[1]) for row in conn.execute(query)}
    return [s for s in load_sprints(conn, source) if (s.source, s.id) in pairs]
