"""Nudge deliveries: which change went out on which channel, claimed before it is sent.

A delivery is keyed by the change (source, issue, the time of its first save) and the
channel, so a change is nudged once per channel, ever. Several cron jobs, or two
machines on one PostgreSQL, may try the same delivery at once; the primary key decides:

1. **claim**: insert the row as ``claimed`` with a token of our own, committed before
   anything is sent. An insert that finds the row already there loses, unless the row is
   a claim older than the lease (its sender died): then it is taken over by a
   compare-and-swap on the old token, which only one claimant can win.
2. **send**, outside any transaction.
3. **record**: an accepted message turns the claim into ``sent`` (only if the claim is
   still ours); a refused one deletes the claim so the next run tries again.

A crash between 2 and 3 leaves a stale claim, which a run after the lease sends again:
delivery is at least once, never lost (the README says why).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from tracker.notify.model import DeliveryKey
from tracker.store.tables import UTCDateTime, table_of

CLAIMED = "claimed"
SENT = "sent"


class DeliveryRow(SQLModel, table=True):
    __tablename__ = "deliveries"
    source: str = Field(primary_key=True)
    issue_key: str = Field(primary_key=True)
    changed_at: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    channel: str = Field(primary_key=True)
    state: str
    claim: str
    claimed_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    remote_id: str | None = None


_T = table_of(DeliveryRow)


def _is(key: DeliveryKey) -> ColumnElement[bool]:
    return and_(
        _T.c.source == key.source,
        _T.c.issue_key == key.issue_key,
        _T.c.changed_at == key.changed_at,
        _T.c.channel == key.channel,
    )


def claim(conn: Connection, key: DeliveryKey, token: str, now: datetime, lease: timedelta) -> bool:
    """Claim one delivery for ``token``; False when it was sent, or another sender holds
    a claim younger than ``lease``."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(_T).on_conflict_do_nothing(
        index_elements=["source", "issue_key", "changed_at", "channel"]
    )
    row = {
        "source": key.source,
        "issue_key": key.issue_key,
        "changed_at": key.changed_at,
        "channel": key.channel,
        "state": CLAIMED,
        "claim": token,
        "claimed_at": now,
    }
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT sent this way.
    if conn.execute(stmt.returning(_T.c.claim), row).first() is not None:
        return True
    stale = (
        update(_T)
        .where(_is(key), _T.c.state == CLAIMED, _T.c.claimed_at < now - lease)
        .values(claim=token, claimed_at=now)
        .returning(_T.c.claim)
    )
    return conn.execute(stale).first() is not None


def mark_sent(
    conn: Connection, key: DeliveryKey, token: str, now: datetime, remote_id: str | None
) -> bool:
    """Record an accepted delivery; False if the claim was taken over meanwhile (the
    other sender records it)."""
    done = (
        update(_T)
        .where(_is(key), _T.c.claim == token)
        .values(state=SENT, sent_at=now, remote_id=remote_id)
        .returning(_T.c.claim)
    )
    return conn.execute(done).first() is not None


def release(conn: Connection, key: DeliveryKey, token: str) -> None:
    """Give a claim back after the channel refused the message: nothing was sent."""
    conn.execute(delete(_T).where(_is(key), _T.c.claim == token, _T.c.state == CLAIMED))


def load_sent(conn: Connection, sources: Sequence[str]) -> set[DeliveryKey]:
    """Every delivery recorded as sent for these sources."""
    query = select(_T.c.source, _T.c.issue_key, _T.c.changed_at, _T.c.channel).where(
        _T.c.state == SENT, _T.c.source.in_(list(sources))
    )
    return {
        DeliveryKey(
            source=r.source, issue_key=r.issue_key, changed_at=r.changed_at, channel=r.channel
        )
        for r in conn.execute(query)
    }
