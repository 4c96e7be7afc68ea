"""The store: SQLite by default, any SQLAlchemy URL (PostgreSQL for teams).

``Store`` is the one object the rest of tracker talks to; SQL stays in this package.
Database failures surface as ``StoreError`` with one line that says what to check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import SQLModel

from tracker.domain import IssueBundle, IssueHistory, PushedEvent, Sprint
from tracker.errors import StoreError
from tracker.notify.model import DeliveryKey
from tracker.store import deliveries, load, pushed, save
from tracker.store.engine import (
    create_store_engine,
    current_revision,
    first_line,
    migrate,
    refresh_statistics,
    require_schema,
    sync_lock,
)
from tracker.store.load import HistoryRead
from tracker.store.pushed import PushedDelivery

__all__ = ["HistoryRead", "PushedDelivery", "Store"]


class Store:
    def __init__(self, url: str, *, create: bool = True) -> None:
        """``create``: make the database and bring its schema up to date (writers);
        without it the database must exist at this tracker's schema (readers)."""
        self.url = url
        self.engine = create_store_engine(url, create=create)
        try:
            if create:
                migrate(self.engine)
            else:
                require_schema(self.engine)
        except BaseException:
            self.engine.dispose()
            raise

    @property
    def revision(self) -> str | None:
        """The schema revision the database is at (None: no schema yet)."""
        return current_revision(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def _begin(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreError(
                f"database error: {first_line(exc)} (check `database` in tracker.toml)"
            ) from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"database error: {first_line(exc)}") from exc

    def lock(self, source: str) -> contextlib.AbstractContextManager[None]:
        return sync_lock(self.engine, source)

    def save_source(
        self, name: str, kind: str, url: str, at: datetime, *, exact_history: bool = True
    ) -> None:
        with self._begin() as conn:
            save.save_source(conn, name, kind, url, at, exact_history=exact_history)

    def save_sprints(self, sprints: Sequence[Sprint]) -> int:
        with self._begin() as conn:
            return save.save_sprints(conn, sprints)

    def save_page(
        self,
        source: str,
        bundles: Sequence[IssueBundle],
        *,
        seen_at: datetime,
        cursor: datetime | None,
    ) -> None:
        """One page, its snapshots and the cursor past it, in one transaction."""
        with self._begin() as conn:
            save.save_bundles(conn, source, bundles, seen_at)
            if cursor is not None:
                save.set_cursor(conn, source, cursor, seen_at)

    @contextlib.contextmanager
    def pushed_writer(self) -> Iterator[Callable[[Sequence[PushedDelivery]], list[bool]]]:
        """For ``tracker serve``'s one writer thread: a function that stores a batch of
        webhook deliveries in one transaction (one commit for many: a group commit), on
        one connection kept for the writer's life; for each delivery, False when it was
        stored before. Opening a SQLite connection per delivery, and the checkpoint its
        close runs, would cost more than the delivery itself.

        On SQLite this connection commits with ``synchronous=NORMAL`` (WAL): a commit
        survives tracker being killed, but not a power loss in the same instant, and it
        skips the disk flush that would otherwise be most of a delivery's cost. What such
        a loss takes is a delivery's precision only: the poll still sees the edit."""
        try:
            conn = self.engine.connect()
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                conn.commit()
        except SQLAlchemyError as exc:
            raise StoreError(f"database error: {first_line(exc)}") from exc

        def write(batch: Sequence[PushedDelivery]) -> list[bool]:
            try:
                with conn.begin():
                    return pushed.save_deliveries(conn, batch)
            except SQLAlchemyError as exc:
                raise StoreError(f"database error: {first_line(exc)}") from exc

        try:
            yield write
        finally:
            conn.close()

    def save_pushed(
        self,
        events: Sequence[PushedEvent],
        *,
        delivery: tuple[str, str] | None,
        at: datetime,
    ) -> bool:
        """One webhook delivery (``delivery`` is its source and id) and what it carried, in
        one transaction; False when that delivery was stored before (nothing is stored)."""
        with self._begin() as conn:
            return pushed.save_deliveries(conn, [pushed.PushedDelivery(events, delivery, at)])[0]

    def issue_key_of(self, source: str, issue_id: str) -> str | None:
        """The key of the issue with the tracker's own id ``issue_id``, if stored."""
        with self._begin() as conn:
            return pushed.load_issue_key(conn, source, issue_id)

    def cursor(self, source: str) -> datetime | None:
        with self._begin() as conn:
            return save.get_cursor(conn, source)

    def set_cursor(self, source: str, value: datetime, at: datetime) -> None:
        with self._begin() as conn:
            save.set_cursor(conn, source, value, at)

    def updated_since(self, source: str, since: datetime) -> dict[str, datetime]:
        """Issue key -> ``updated`` of the source's issues stored as updated at or after
        ``since``: what an incremental sync's overlap would read again."""
        with self._begin() as conn:
            return save.get_updated_since(conn, source, since)

    def memo(self, source: str) -> dict[str, Any]:
        """What the source kept from its last sync (``save_memo``); {} when nothing."""
        with self._begin() as conn:
            return save.get_memo(conn, source)

    def save_memo(self, source: str, value: dict[str, Any], at: datetime) -> None:
        with self._begin() as conn:
            save.set_memo(conn, source, value, at)

    def sprints(self, source: str | None = None) -> list[Sprint]:
        with self._begin() as conn:
            return load.load_sprints(conn, source)

    def sprints_of_issue(self, issue_key: str, source: str | None = None) -> list[Sprint]:
        with self._begin() as conn:
            return load.load_sprints_of_issue(conn, issue_key, source)

    def keeps_exact_history(self, source: str) -> bool:
        """Whether ``source`` declared that its own history holds every old text."""
        with self._begin() as conn:
            return load.load_exact_history(conn, source)

    def histories(self, read: HistoryRead) -> list[IssueHistory]:
        """The issues ``read`` names, with their history, in one read."""
        with self._begin() as conn:
            return load.load_histories(conn, read)

    def refresh_statistics(self) -> None:
        """After a sync that stored issues: keep the planner's statistics current."""
        try:
            refresh_statistics(self.engine, sorted(SQLModel.metadata.tables))
        except SQLAlchemyError as exc:
            raise StoreError(f"database error: {first_line(exc)}") from exc

    # -- nudge deliveries (see deliveries.py for the claim protocol) -------------------
    def claim_delivery(self, key: DeliveryKey, token: str, now: datetime, lease: timedelta) -> bool:
        with self._begin() as conn:
            return deliveries.claim(conn, key, token, now, lease)

    def mark_delivered(
        self, key: DeliveryKey, token: str, now: datetime, remote_id: str | None = None
    ) -> bool:
        with self._begin() as conn:
            return deliveries.mark_sent(conn, key, token, now, remote_id)

    def release_delivery(self, key: DeliveryKey, token: str) -> None:
        with self._begin() as conn:
            deliveries.release(conn, key, token)

    def delivered(self, sources: Sequence[str]) -> set[DeliveryKey]:
        with self._begin() as conn:
            return deliveries.load_sent(conn, sources)

    def counts(self) -> dict[str, int]:
        """Rows per table: for `doctor`, tests and benchmarks."""
        with self._begin() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
                for name, table in SQLModel.metadata.tables.items()
            }
