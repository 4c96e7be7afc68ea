"""First runs at once on a new SQLite database, and the sync lock's file."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from tracker.store import Store
from tracker.store.engine import SCHEMA_HEAD, create_store_engine, current_revision, migrate


def _first_run(url: str, start: multiprocessing.synchronize.Barrier, out: Path) -> None:
    engine = create_store_engine(url)
    start.wait(10)
    try:
        migrate(engine)
        out.write_text("ok")
    except Exception as exc:  # reported to the parent, which asserts on it
        out.write_text(f"{type(exc).__name__}: {exc}")


def test_concurrent_first_runs_on_a_new_sqlite_database_both_migrate(tmp_path: Path) -> None:
    # Without the lock, two first runs raced in `CREATE TABLE` 4 times in 5 ("table
    # comments already exists"). Several rounds, each on a new database.
    ctx = multiprocessing.get_context("fork")
    for round_ in range(4):
        url = f"sqlite:///{tmp_path / f'new{round_}.db'}"
        start = ctx.Barrier(3)
        outs = [tmp_path / f"r{round_}-{i}" for i in range(3)]
        runs = [ctx.Process(target=_first_run, args=(url, start, out)) for out in outs]
        for process in runs:
            process.start()
        for process in runs:
            process.join(60)
        assert [out.read_text() for out in outs] == ["ok"] * 3
        assert current_revision(create_store_engine(url)) == SCHEMA_HEAD


def test_the_sync_lock_file_does_not_grow_per_sync(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    for _ in range(5):
        with store.lock("acme"):
            pass
    (lock,) = tmp_path.glob("t.db.sync-*.lock")
    assert lock.read_text().count("\n") == 1
    store.close()
