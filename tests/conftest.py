"""Fixtures every test shares: a hermetic environment, a fixed clock, databases.

``db_url`` runs a test on SQLite and, when TRACKER_TEST_POSTGRES_URL is set (CI sets
it), on a fresh PostgreSQL database created for that test and dropped after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker import clock

FIXED_NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL", "")


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Strip the developer's environment: no real tokens, configs or databases leak in."""
    for name in list(os.environ):
        if name.startswith(("TRACKER_", "JIRA_", "LINEAR_")) and name != "TRACKER_SHARED_DIR":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    clock.set_clock(lambda: FIXED_NOW)
    yield
    clock.reset_clock()


def _postgres_database() -> Iterator[str]:
    import psycopg

    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    base = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    head, _, _ = base.rpartition("/")
    try:
        yield f"postgresql+psycopg://{head.split('://', 1)[1]}/{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
    yield from _postgres_database()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (skipped without TRACKER_TEST_POSTGRES_URL)."""
    if not POSTGRES_URL:
        pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
    yield from _postgres_database()
