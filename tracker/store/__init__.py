"""The store: SQLite by default, any SQLAlchemy URL (PostgreSQL for teams).

``Store`` is the one object the rest of tracker talks to; SQL stays in this package.
Database failures surface as ``StoreError`` with one line that says what to check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import SQLModel

from tracker.domain import IssueBundle, IssueHistory, Sprint
from tracker.errors import StoreError
from tracker.notify.model import DeliveryKey
from tracker.store import deliveries, load, save
from tracker.store.engine import (
    create_store_engine,
    first_line,
    migrate,
    refresh_statistics,
    sync_lock,
)
from tracker.store.load import HistoryRead

__all__ = ["HistoryRead", "Store"]


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)
        migrate(self.engine)

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
