"""Opening the database: engine, versioned migrations, and the per-source sync lock.

Migrations are alembic revisions shipped inside the package, applied when a writer
(``sync``, ``migrate``, ``demo``) opens the database, so an upgrade of tracker never asks a
user to delete the database; readers only check the schema and say what to run. Several cron
jobs may open the same database at once: the upgrade runs under a lock (PostgreSQL: an
advisory lock; SQLite: an flock on a file beside the database), and whoever gets it second
finds the schema up to date.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from tracker.errors import ConfigError, StoreError, StoreNotReady, SyncBusy

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

_MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 0x7472_6B72  # "trkr": one advisory lock id for schema upgrades
# The newest revision in migrations/versions (a test keeps the two equal): opening an
# up-to-date database compares it with one row and never imports alembic, which would
# cost a short command such as `tracker report` a tenth of a second.
SCHEMA_HEAD = "0004"


# The driver package each SQLAlchemy dialect needs by default, for the one-line fix.
_DRIVER_PACKAGES = {
    "mysql": "mysqlclient (or use mysql+pymysql:// with pymysql)",
    "mariadb": "mariadb (or use mariadb+pymysql:// with pymysql)",
    "mssql": "pyodbc",
    "oracle": "oracledb",
    "postgresql": "psycopg[binary]",
}


def create_store_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite gets WAL and a busy timeout so a reader
    and a cron writer can share the file. Without ``create`` a missing SQLite file is
    ``StoreNotReady`` and no folder is made: read commands never create a database."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        # Never echo the URL: it may carry a password.
        raise ConfigError(
            "`database` is not a SQLAlchemy URL (e.g. sqlite:///tracker.db or "
            "postgresql+psycopg://user@host/db): fix it in tracker.toml or $TRACKER_DATABASE_URL"
        ) from exc
    if parsed.drivername in ("postgres", "postgresql") or parsed.drivername.startswith(
        ("postgres+", "postgresql+psycopg2")
    ):
        # `postgres://` is what Heroku-style providers hand out; SQLAlchemy 2 dropped it.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            _sqlite_file(Path(database).expanduser(), create=create)
        engine = _engine(parsed, poolclass=NullPool, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return _engine(parsed, pool_pre_ping=True)


def _sqlite_file(path: Path, *, create: bool) -> None:
    if not create:
        if not path.is_file():
            raise StoreNotReady(f"no database at {path}: run `tracker sync` first")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the folder {path.parent} for the database: "
            f"{exc.strerror or exc}: fix `database` in tracker.toml"
        ) from exc
    if path.is_dir():
        raise ConfigError(f"the database {path} is a folder: name a file in `database`")


def _engine(parsed: URL, **kwargs: Any) -> Engine:
    backend = parsed.get_backend_name()
    try:
        return create_engine(parsed, **kwargs)
    except NoSuchModuleError as exc:
        raise ConfigError(
            f"unknown database kind {parsed.drivername!r} in `database`: "
            "use sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME"
        ) from exc
    except ImportError as exc:
        package = _DRIVER_PACKAGES.get(backend, exc.name or "the dialect's driver")
        raise ConfigError(
            f"the {backend} driver ({exc.name}) is not installed: pip install {package}"
        ) from exc


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _alembic_config(connection: Connection) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The head of the shipped migrations, as alembic reads them."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it has no schema yet)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if value is None else str(value)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already."""
    try:
        # Two first runs at once must not both create the tables: one waits for the other
        # (on SQLite even before its first look, so that no connection of its own meets the
        # other's schema transaction), then reads the version the first wrote.
        with _migration_file_lock(engine):
            if current_revision(engine) == SCHEMA_HEAD:
                return
            from alembic import command

            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
                command.upgrade(_alembic_config(conn), "head")
    except OperationalError as exc:
        raise StoreError(f"cannot open the database: {_db_problem(exc)}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot upgrade the database schema: {_db_problem(exc)}") from exc


@contextlib.contextmanager
def _migration_file_lock(engine: Engine) -> Iterator[None]:
    """SQLite: an exclusive flock beside the database file, waited for (no-op elsewhere)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with Path(f"{database}.migrate.lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the file closes
        yield


def require_schema(engine: Engine) -> None:
    """For read commands: the schema must be this tracker's, and is never changed here
    (a read-only user cannot migrate, and a shared database is upgraded on purpose)."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        revision = current_revision(engine)
    except OperationalError as exc:
        raise StoreError(f"cannot open the database: {_db_problem(exc)}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the database: {_db_problem(exc)}") from exc
    if revision == SCHEMA_HEAD:
        return
    if revision is None:
        raise StoreNotReady(f"no tracker data in {where}: run `tracker sync` first")
    if revision > SCHEMA_HEAD:  # revision ids are zero-padded numbers
        raise StoreError(
            f"the database schema ({revision}) is newer than this tracker knows ({SCHEMA_HEAD}): "
            "upgrade tracker"
        )
    raise StoreNotReady(
        f"the database schema is at {revision}, this tracker needs {SCHEMA_HEAD}: "
        "run `tracker migrate` (or `tracker sync`, which migrates first)"
    )


def refresh_statistics(engine: Engine, tables: list[str]) -> None:
    """Tell the query planner how large the tables are now. Without statistics SQLite
    guesses, and a report after a first sync would scan every revision instead of
    probing the (issue, time) index per issue; PostgreSQL's autovacuum gets there too,
    but only some time after a bulk load. SQLite samples at most 1,000 index rows per
    table (``analysis_limit``), so this costs milliseconds even on a large database."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
        elif conn.dialect.name == "postgresql":
            quoted = ", ".join(conn.dialect.identifier_preparer.quote(t) for t in tables)
            conn.exec_driver_sql(f"ANALYZE {quoted}")


def prefer_index_probes(conn: Connection) -> None:
    """For the rest of this transaction, on PostgreSQL: plan for probing an index.

    A report's per-issue windows are join conditions whose selectivity PostgreSQL cannot
    estimate; at its default ``random_page_cost`` (4, for spinning disks) it then
    prefers reading every revision to probing the index once per issue. 1.1 is the
    setting its documentation suggests for SSDs; ``LOCAL`` keeps it to the transaction.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL random_page_cost = 1.1")


def first_line(exc: SQLAlchemyError) -> str:
    """The driver's own message, first line only: what a user can act on."""
    lines = str(getattr(exc, "orig", exc)).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _db_problem(exc: SQLAlchemyError) -> str:
    return first_line(exc) + " (check `database` in tracker.toml)"


def _lock_key(source: str) -> int:
    digest = hashlib.sha256(f"tracker-sync:{source}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def sync_lock(engine: Engine, source: str) -> Iterator[None]:
    """Hold the sync lock of one source, or raise SyncBusy at once.

    PostgreSQL: a session advisory lock, shared by every machine using the database.
    SQLite: an flock on a file beside the database. Both die with the process, so a
    killed sync never leaves a stale lock behind.
    """
    busy = SyncBusy(
        f"another `tracker sync` of source {source!r} is running on this database; "
        "it will store the same data: try again when it has finished"
    )
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_key(source)})
            if not got.scalar():
                raise busy
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_key(source)})
                conn.commit()
        return
    with _file_lock(_lock_path(engine, source), busy):
        yield


def _lock_path(engine: Engine, source: str) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    safe = hashlib.sha256(source.encode()).hexdigest()[:12]
    return Path(f"{database}.sync-{safe}.lock")


@contextlib.contextmanager
def _file_lock(path: Path | None, busy: SyncBusy) -> Iterator[None]:
    if path is None:
        yield
        return
    handle: IO[str] = path.open("a")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        # Who holds it, for a person looking: one line, rewritten by each holder.
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()
