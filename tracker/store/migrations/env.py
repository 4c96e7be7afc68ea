"""Alembic environment: tracker runs migrations itself (``tracker.store.open_store``),
on the connection it hands over, so users never run alembic by hand."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import tracker.store.tables  # noqa: F401  (registers the tables on the metadata)

config = context.config
connection: Connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
)
with context.begin_transaction():
    context.run_migrations()
