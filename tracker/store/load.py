"""Reading: rows back into domain records for the analysis, in a handful of queries.

What to read is the caller's decision, a ``HistoryRead``; how to read it is decided
here. A sprint's report (or a trend's sprints) reads every table once for the sprints'
issues, selected by a subquery on memberships, so its cost grows with the sprints, not
the database.

Each table has one reader: a method whose parameters are named after the columns it
needs. The columns are selected in the order of those parameters and each row is passed
to it whole, so a value always arrives under its column's name, whatever the order of
the table's columns.
"""

from __future__ import annotations

import inspect
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Select, Subquery, func, literal, select
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

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
    Sprint,
    SprintState,
    TextEdit,
    TextRevision,
)
from tracker.store.engine import prefer_index_probes
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

R = TypeVar("R")
_Keyed = tuple[str, R]  # (issue key, record)


@dataclass(frozen=True, slots=True)
class HistoryRead:
    """What an analysis needs from the store.

    The issues that were ever in any of ``sprint_ids`` of ``source`` (or only
    ``issue_key``), each with everything the analysis looks at:

    - ``windowed``: revisions from the start of the earliest of those sprints the issue
      was in, plus the latest one before it, which holds the text at that start (most of
      a busy issue's history predates its sprint). An issue only in sprints that have
      not started is read whole.
    - ``evidence_of_changed_only`` (with ``windowed``): comments and links only for
      issues whose text was saved inside their window; the others have no change to
      judge. Sound only where the revisions are the whole history (``exact_history``).
    - ``exact_history``: the source's own history holds every old text, so sync's
      snapshots and text edits are not needed.
    """

    source: str
    sprint_ids: tuple[str, ...]
    exact_history: bool
    issue_key: str | None = None
    windowed: bool = False
    evidence_of_changed_only: bool = False

    def __post_init__(self) -> None:
        if self.evidence_of_changed_only and not (self.windowed and self.exact_history):
            raise ValueError("evidence_of_changed_only needs windowed and exact_history")


class _Records:
    """The readers of one read: row → record, one method per table. A method's
    parameters name the columns it takes; ``_columns`` selects them in that order."""

    def __init__(self, source: str) -> None:
        self.source = source
        # One object per distinct person: a report's rows name a few dozen people
        # thousands of times.
        self._people: dict[tuple[str | None, str | None, str | None, bool], Person | None] = {}

    def _person(
        self, pid: str | None, name: str | None, email: str | None, bot: bool
    ) -> Person | None:
        key = (pid, name, email, bot)
        try:
            return self._people[key]
        except KeyError:
            pass
        person = None
        if pid is not None or name is not None:
            person = Person(id=pid or name or "", name=name or pid or "", email=email, is_bot=bot)
        self._people[key] = person
        return person

    def snapshot(self, issue_key: str, seen_at: datetime, text: str | None) -> _Keyed[Snapshot]:
        return issue_key, Snapshot(seen_at=seen_at, text=text)

    def text_edit(
        self,
        issue_key: str,
        edit_id: str,
        at: datetime,
        author_id: str | None,
        author_name: str | None,
        author_email: str | None,
        author_bot: bool,
    ) -> _Keyed[TextEdit]:
        author = self._person(author_id, author_name, author_email, author_bot)
        return issue_key, TextEdit(
            source=self.source, issue_key=issue_key, id=edit_id, at=at, author=author
        )

    def estimate(
        self,
        issue_key: str,
        change_id: str,
        at: datetime,
        from_value: float | None,
        to_value: float | None,
        author_id: str | None,
        author_name: str | None,
        author_email: str | None,
        author_bot: bool,
    ) -> _Keyed[EstimateChange]:
        return issue_key, EstimateChange(
            source=self.source,
            issue_key=issue_key,
            id=change_id,
            at=at,
            author=self._person(author_id, author_name, author_email, author_bot),
            from_value=from_value,
            to_value=to_value,
        )

    def membership(
        self,
        issue_key: str,
        sprint_id: str,
        at: datetime,
        added: bool,
        automated: bool,
        author_id: str | None,
        author_name: str | None,
        author_email: str | None,
        author_bot: bool,
    ) -> _Keyed[MembershipChange]:
        return issue_key, MembershipChange(
            source=self.source,
            issue_key=issue_key,
            sprint_id=sprint_id,
            at=at,
            added=added,
            by=self._person(author_id, author_name, author_email, author_bot),
            automated=automated,
        )

    def comment(
        self,
        issue_key: str,
        comment_id: str,
        created_at: datetime,
        updated_at: datetime | None,
        body: str,
        url: str | None,
        parent_id: str | None,
        author_id: str | None,
        author_name: str | None,
        author_email: str | None,
        author_bot: bool,
    ) -> _Keyed[Comment]:
        return issue_key, Comment(
            source=self.source,
            issue_key=issue_key,
            id=comment_id,
            created_at=created_at,
            author=self._person(author_id, author_name, author_email, author_bot),
            body=body,
            updated_at=updated_at,
            url=url,
            parent_id=parent_id,
        )

    def link(
        self,
        issue_key: str,
        link_id: str,
        kind: str,
        title: str,
        url: str | None,
        relationship: str,
        added_at: datetime | None,
        target_key: str | None,
        target_type: str,
        target_labels: str,
        app: str,
        author_id: str | None,
        author_name: str | None,
        author_email: str | None,
        author_bot: bool,
    ) -> _Keyed[Link]:
        return issue_key, Link(
            source=self.source,
            issue_key=issue_key,
            id=link_id,
            kind=LinkKind(kind),
            title=title,
            url=url,
            relationship=relationship,
            added_at=added_at,
            added_by=self._person(author_id, author_name, author_email, author_bot),
            target_key=target_key,
            target_type=target_type,
            target_labels=tuple(json.loads(target_labels)),
            app=app,
        )

    def revision(
        self,
        issue_key: str,
        revision_id: str,
        at: datetime,
        field: str,
        from_text: str | None,
        to_text: str | None,
        author_id: str | None,
        author_name: str | None,
        author_email: str | None,
        author_bot: bool,
    ) -> _Keyed[TextRevision]:
        return issue_key, TextRevision(
            source=self.source,
            issue_key=issue_key,
            id=revision_id,
            at=at,
            author=self._person(author_id, author_name, author_email, author_bot),
            field=field,
            from_text=from_text,
            to_text=to_text,
        )


@dataclass(frozen=True, slots=True)
class _Reader(Generic[R]):
    """One table: its model, the reader that builds its records, the columns that
    reader takes, and how an issue's records are ordered (None: as stored)."""

    model: type[SQLModel]
    build: Callable[..., _Keyed[R]]
    order: Callable[[R], tuple[datetime, str]] | None
    columns: list[ColumnElement[object]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", _columns(self.model, self.build))


def _columns(model: type[SQLModel], build: Callable[..., object]) -> list[ColumnElement[object]]:
    """The columns named by ``build``'s parameters (after ``self``), in their order."""
    table = table_of(model)
    names = list(inspect.signature(build).parameters)[1:]
    return [table.c[name] for name in names]


_SNAPSHOTS = _Reader(SnapshotRow, _Records.snapshot, lambda s: (s.seen_at, ""))
_TEXT_EDITS = _Reader(TextEditRow, _Records.text_edit, lambda e: (e.at, e.id))
_ESTIMATES = _Reader(EstimateRow, _Records.estimate, lambda e: (e.at, e.id))
_MEMBERSHIPS = _Reader(MembershipRow, _Records.membership, lambda m: (m.at, ""))
_COMMENTS = _Reader(CommentRow, _Records.comment, lambda c: (c.created_at, ""))
_LINKS = _Reader(LinkRow, _Records.link, None)
_REVISIONS = _Reader(RevisionRow, _Records.revision, lambda r: (r.at, r.id))


@dataclass(frozen=True, slots=True)
class _Issues:
    """The issues table's reader: an issue row and its records read before it."""

    source: str
    exact_history: bool
    revisions: dict[str, tuple[TextRevision, ...]]
    snapshots: dict[str, tuple[Snapshot, ...]]
    text_edits: dict[str, tuple[TextEdit, ...]]
    memberships: dict[str, tuple[MembershipChange, ...]]
    comments: dict[str, tuple[Comment, ...]]
    links: dict[str, tuple[Link, ...]]
    estimates: dict[str, tuple[EstimateChange, ...]]

    def history(
        self,
        issue_key: str,
        issue_id: str,
        title: str,
        url: str,
        type: str,
        status: str,
        labels: str,
        created_at: datetime | None,
        updated_at: datetime | None,
        text_field: str,
        current_text: str | None,
        sprint_ids: str,
        estimate: float | None,
    ) -> IssueHistory:
        issue = Issue(
            source=self.source,
            key=issue_key,
            id=issue_id,
            title=title,
            url=url,
            type=type,
            status=status,
            labels=tuple(json.loads(labels)),
            created_at=created_at,
            updated_at=updated_at,
            estimate=estimate,
        )
        return IssueHistory(
            issue=issue,
            text_field=text_field,
            current_text=current_text,
            exact_history=self.exact_history,
            revisions=self.revisions.get(issue_key, ()),
            snapshots=self.snapshots.get(issue_key, ()),
            text_edits=self.text_edits.get(issue_key, ()),
            memberships=self.memberships.get(issue_key, ()),
            sprint_ids=tuple(json.loads(sprint_ids)),
            comments=self.comments.get(issue_key, ()),
            links=self.links.get(issue_key, ()),
            estimates=self.estimates.get(issue_key, ()),
        )


_ISSUE_COLUMNS = _columns(IssueRow, _Issues.history)
_EPOCH = literal(datetime(1970, 1, 1, tzinfo=UTC), UTCDateTime())
_KeySelect = Select[tuple[str]]


def load_exact_history(conn: Connection, source: str) -> bool:
    """What ``source`` declared when it was synced; a source never synced has nothing
    stored, so the answer does not matter (True: read the least)."""
    table = table_of(SourceRow)
    found = conn.execute(select(table.c.exact_history).where(table.c.name == source)).scalar()
    return True if found is None else bool(found)


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


def load_histories(conn: Connection, read: HistoryRead) -> list[IssueHistory]:
    """Every issue of ``read``, with its history."""
    prefer_index_probes(conn)
    members = table_of(MembershipRow)
    in_sprints = [members.c.source == read.source, members.c.sprint_id.in_(read.sprint_ids)]
    if read.issue_key is not None:
        in_sprints.append(members.c.issue_key == read.issue_key)
    # The sprints' issues as a subquery, not a list of keys: one statement per table
    # however large the sprints, and no thousand-parameter IN lists to parse.
    keys: _KeySelect = select(members.c.issue_key).where(*in_sprints).distinct()
    windows = _windows(in_sprints) if read.windowed else None
    with_evidence = keys
    if windows is not None and read.evidence_of_changed_only:
        with_evidence = _changed(read.source, windows)
    records = _Records(read.source)

    def each(reader: _Reader[R], of: _KeySelect) -> dict[str, tuple[R, ...]]:
        return _read(conn, reader, records, of)

    issues = _Issues(
        source=read.source,
        exact_history=read.exact_history,
        revisions=_revisions(conn, records, keys, windows),
        snapshots={} if read.exact_history else each(_SNAPSHOTS, keys),
        text_edits={} if read.exact_history else each(_TEXT_EDITS, keys),
        memberships=each(_MEMBERSHIPS, keys),
        comments=each(_COMMENTS, with_evidence),
        links=each(_LINKS, with_evidence),
        estimates=each(_ESTIMATES, keys),
    )
    history: Callable[..., IssueHistory] = issues.history  # takes the row as it comes
    rows = conn.execute(select(*_ISSUE_COLUMNS).where(*_of(IssueRow, read.source, keys)))
    return [history(*row) for row in rows]


def _windows(in_sprints: list[ColumnElement[bool]]) -> Subquery:
    """Per issue, the start of the earliest of the sprints it was in (``since``)."""
    members, sprints = table_of(MembershipRow), table_of(SprintRow)
    return (
        select(
            members.c.issue_key,
            # no start yet: the whole history (a plain bound keeps the index usable)
            func.coalesce(func.min(sprints.c.started_at), _EPOCH).label("since"),
        )
        .join(
            sprints,
            (sprints.c.source == members.c.source) & (sprints.c.sprint_id == members.c.sprint_id),
        )
        .where(*in_sprints)
        .group_by(members.c.issue_key)
        .subquery()
    )


def _changed(source: str, windows: Subquery) -> _KeySelect:
    """The issues whose AC-bearing field was saved inside their window."""
    revisions = table_of(RevisionRow)
    return (
        select(revisions.c.issue_key)
        .join(windows, revisions.c.issue_key == windows.c.issue_key)
        .where(revisions.c.source == source, revisions.c.at > windows.c.since)
        .distinct()
    )


def _of(model: type[SQLModel], source: str, keys: _KeySelect) -> list[ColumnElement[bool]]:
    table = table_of(model)
    return [table.c.source == source, table.c.issue_key.in_(keys)]


def _read(
    conn: Connection, reader: _Reader[R], records: _Records, keys: _KeySelect
) -> dict[str, tuple[R, ...]]:
    query = select(*reader.columns).where(*_of(reader.model, records.source, keys))
    return _grouped([reader.build(records, *row) for row in conn.execute(query)], reader.order)


def _grouped(
    keyed: list[_Keyed[R]], order: Callable[[R], tuple[datetime, str]] | None
) -> dict[str, tuple[R, ...]]:
    """Records per issue key, each issue's in ``order`` (the sort is stable, so records
    that tie keep the order the database gave)."""
    groups: defaultdict[str, list[R]] = defaultdict(list)
    for key, record in keyed:
        groups[key].append(record)
    if order is None:
        return {key: tuple(found) for key, found in groups.items()}
    return {key: tuple(sorted(found, key=order)) for key, found in groups.items()}


def _revisions(
    conn: Connection, records: _Records, keys: _KeySelect, windows: Subquery | None
) -> dict[str, tuple[TextRevision, ...]]:
    """Each issue's revisions by time: all of them, or those in its window plus the
    latest before it (which holds the text at the window's start)."""
    if windows is None:
        return _read(conn, _REVISIONS, records, keys)
    source = records.source
    table = table_of(RevisionRow)
    columns = _REVISIONS.columns
    inside = (
        select(*columns)
        .join(windows, table.c.issue_key == windows.c.issue_key)
        .where(table.c.source == source, table.c.at > windows.c.since)
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
    at_start = (
        select(*columns)
        .join(starts, (table.c.issue_key == starts.c.issue_key) & (table.c.at == starts.c.at))
        .where(table.c.source == source)
    )
    keyed = [_REVISIONS.build(records, *row) for row in conn.execute(inside)]
    keyed.extend(_REVISIONS.build(records, *row) for row in conn.execute(at_start))
    return _grouped(keyed, _REVISIONS.order)


def load_sprints_of_issue(
    conn: Connection, issue_key: str, source: str | None = None
) -> list[Sprint]:
    members = table_of(MembershipRow)
    query = select(members.c.source, members.c.sprint_id).where(members.c.issue_key == issue_key)
    if source is not None:
        query = query.where(members.c.source == source)
    pairs = {(found.source, found.sprint_id) for found in conn.execute(query)}
    return [s for s in load_sprints(conn, source) if (s.source, s.id) in pairs]
