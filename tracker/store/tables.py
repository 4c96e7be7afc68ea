"""The tables (sqlmodel). Raw facts only: what the trackers said, never a verdict.

Natural keys are the primary keys, so a re-read upserts instead of duplicating. People
are stored inline (id, name, email) because they only ever appear as authors.
Every datetime column is ``UTCDateTime``: SQLite drops tzinfo, so UTC is re-attached on
read, and PostgreSQL stores ``timestamptz``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Index, Table, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; every time must be UTC-aware")
        value = value.astimezone(UTC)
        # SQLite has no time zone type: store naive UTC and re-attach on read.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _time(*, primary_key: bool = False, nullable: bool = True, index: bool = False) -> Any:
    return Field(
        default=None,
        sa_type=UTCDateTime,
        primary_key=primary_key,
        nullable=nullable and not primary_key,
        index=index,
    )


def _text() -> Any:
    return Field(default=None, sa_type=Text, nullable=True)


class SourceRow(SQLModel, table=True):
    __tablename__ = "sources"
    name: str = Field(primary_key=True)
    kind: str
    url: str = ""
    # What the connector declared (``tracker.ports.Source.exact_history``): its own
    # history holds every old text, so no snapshot is needed to know one.
    exact_history: bool = True
    first_synced_at: datetime | None = _time()
    last_synced_at: datetime | None = _time()


class SprintRow(SQLModel, table=True):
    __tablename__ = "sprints"
    source: str = Field(primary_key=True)
    sprint_id: str = Field(primary_key=True)
    name: str
    state: str
    started_at: datetime | None = _time()
    ended_at: datetime | None = _time()
    planned_end: datetime | None = _time()
    board: str = ""
    key: str | None = None
    start_is_planned: bool = False


class IssueRow(SQLModel, table=True):
    __tablename__ = "issues"
    source: str = Field(primary_key=True)
    issue_key: str = Field(primary_key=True)
    issue_id: str
    title: str
    url: str
    type: str = ""
    status: str = ""
    labels: str = "[]"  # JSON list
    sprint_ids: str = "[]"  # JSON list: the sprints the issue is in now
    text_field: str = ""
    current_text: str | None = _text()
    created_at: datetime | None = _time()
    updated_at: datetime | None = _time()
    estimate: float | None = None


class _Authored(SQLModel):
    author_id: str | None = None
    author_name: str | None = None
    author_email: str | None = None
    author_bot: bool = False


class MembershipRow(_Authored, table=True):
    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_sprint", "source", "sprint_id"),)
    source: str = Field(primary_key=True)
    issue_key: str = Field(primary_key=True)
    sprint_id: str = Field(primary_key=True)
    at: datetime = _time(primary_key=True)
    added: bool = Field(primary_key=True)
    automated: bool = False


class RevisionRow(_Authored, table=True):
    """A raw revision of the AC-bearing field. ``origin`` is ``changelog`` (text from the
    tracker's history) or ``snapshot`` (derived by sync from two description snapshots)."""

    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_issue_at", "source", "issue_key", "at"),)
    source: str = Field(primary_key=True)
    issue_key: str = Field(primary_key=True)
    revision_id: str = Field(primary_key=True)
    at: datetime = _time(nullable=False)
    field: str = ""
    from_text: str | None = _text()
    to_text: str | None = _text()
    origin: str = "changelog"


class SnapshotRow(SQLModel, table=True):
    __tablename__ = "snapshots"
    source: str = Field(primary_key=True)
    issue_key: str = Field(primary_key=True)
    seen_at: datetime = _time(primary_key=True)
    text: str | None = _text()


class TextEditRow(_Authored, table=True):
    __tablename__ = "text_edits"
    source: str = Field(primary_key=True)
    issue_key: str = Field(primary_key=True)
    edit_id: str = Field(primary_key=True)
    at: datetime = _time(nullable=False)


class EstimateRow(_Authored, table=True):
    """A recorded change of the estimate (Jira story points, Linear ``estimate``)."""

    __tablename__ = "estimates"
    source: str = Field(primary_key=True)
    issue_key: str = Field(primary_key=True)
    change_id: str = Field(primary_key=True)
    at: datetime = _time(nullable=False)
    from_value: float | None = None
    to_value: float | None = None


class CommentRow(_Authored, table=True):
    __tablename__ = "comments"
    source: str = Field(primary_key=True)
    issue_key: str = Field(primary_key=True)
    comment_id: str = Field(primary_key=True)
    created_at: datetime = _time(nullable=False)
    updated_at: datetime | None = _time()
    body: str = Field(default="", sa_type=Text)
    url: str | None = None
    parent_id: str | None = None


class LinkRow(_Authored, table=True):
    __tablename__ = "links"
    source: str = Field(primary_key=True)
    issue_key: str = Field(primary_key=True)
    link_id: str = Field(primary_key=True)
    kind: str
    title: str = Field(default="", sa_type=Text)
    url: str | None = _text()
    relationship: str = ""
    added_at: datetime | None = _time()
    target_key: str | None = None
    target_type: str = ""
    target_labels: str = "[]"
    app: str = ""


class SourceMemoRow(SQLModel, table=True):
    """Answers a source rarely sees change (server info, field list, boards), kept between
    syncs as the source's own JSON, each entry with the time it was fetched."""

    __tablename__ = "source_memos"
    source: str = Field(primary_key=True)
    value: str = Field(default="{}", sa_type=Text)
    saved_at: datetime | None = _time()


class CursorRow(SQLModel, table=True):
    """Sync state lives beside the data: the cursor moves in the same transaction as the
    page it covers, so it can never pass what is stored."""

    __tablename__ = "cursors"
    source: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    value: datetime | None = _time()
    updated_at: datetime | None = _time()


class WebhookDeliveryRow(SQLModel, table=True):
    """A webhook delivery `tracker serve` has stored: a retried delivery is stored once."""

    __tablename__ = "webhook_deliveries"
    source: str = Field(primary_key=True)
    delivery_id: str = Field(primary_key=True)
    received_at: datetime = _time(nullable=False)


def table_of(model: Any) -> Table:
    """The Core table behind a sqlmodel table class, for INSERT ... ON CONFLICT and
    column-level selects."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
