"""Jira through `tracker serve`, Cloud and Server/DC: an AC edit and a comment arrive as
webhooks at a real uvicorn server before the nightly sync reads the same history; each is
stored once, with the id the sync gives it (Server/DC items carry no fieldId: the AC field
is matched by name there)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.jira.webhooks import comment_created, issue_updated, signed
from tracker import clock
from tracker.cli import run
from tracker.cli.serve import build_endpoints
from tracker.cli.wiring import read_config
from tracker.serve import serving
from tracker.store import Store

TOKEN = "e2e-token-value-1234"
SECRET = "jira-hook-secret-abcdef0123456789"
FIXED_NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)  # tests/conftest.py fixes the clock here


@pytest.fixture(params=["cloud", "server"])
def site(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JiraSimulator]:
    monkeypatch.setenv("E2E_JIRA_TOKEN", TOKEN)
    monkeypatch.setenv("E2E_JIRA_HOOK", SECRET)
    server = request.param == "server"
    with JiraSimulator(
        build_demo_workspace(), flavour=request.param, email=DEMO.email, token=TOKEN
    ) as sim:
        email = "" if server else f'email = "{DEMO.email}"\n'
        (tmp_path / "tracker.toml").write_text(
            f'database = "sqlite:///jira.db"\n[[source]]\nname = "acme"\ntype = "jira"\n'
            f'url = "{sim.url}"\n{email}token_env = "E2E_JIRA_TOKEN"\n'
            f'boards = [{DEMO.pay_board}]\nac_field = "{DEMO.ac_field}"\n'
            f'webhook_secret_env = "E2E_JIRA_HOOK"\n'
        )
        yield sim


def _rows(table: str, key: str) -> list[tuple[Any, ...]]:
    store = Store("sqlite:///jira.db")
    try:
        with store.engine.connect() as conn:
            column = "revision_id" if table == "revisions" else "comment_id"
            sql = f"SELECT {column} FROM {table} WHERE source = 'acme' AND issue_key = :k"
            return [tuple(r) for r in conn.exec_driver_sql(sql.replace(":k", "?"), (key,))]
    finally:
        store.close()


def test_an_edit_and_a_comment_pushed_before_the_sync_are_stored_once(
    site: JiraSimulator,
) -> None:
    assert run(["sync"]) == 0
    ws = site.workspace
    key = next(i.key for i in ws.issues.values() if 43 in i.sprint_ids and i.values.get("ac"))
    edited_at = FIXED_NOW + timedelta(hours=2)
    issue = ws.issue(key)
    assert issue is not None
    history = ws.edit_field(
        key,
        DEMO.ac_field,
        issue.values["ac"] + "\n* Refunds need approval",
        "priya@acme.com",
        edited_at,
    )
    comment = ws.add_comment(key, "alice@acme.com", "What does this cost? #impact", edited_at)
    revisions_before = _rows("revisions", key)

    config = read_config(Path("tracker.toml"), require_tokens=False)
    store = Store(config.database)
    try:
        with serving(store, build_endpoints(config, os.environ)) as base, httpx.Client() as client:
            url = f"{base}/webhooks/jira/acme"
            for delivery in (
                issue_updated(site, key, history),
                comment_created(site, key, comment),
            ):
                body, headers = signed(delivery, SECRET)
                answer = client.post(url, content=body, headers=headers)
                assert answer.status_code == 200, answer.text
                assert answer.json()["stored"] == 1
    finally:
        store.close()
    pushed = _rows("revisions", key)
    assert sorted(set(pushed) - set(revisions_before)) == [(f"{history.id}:0",)]
    assert (str(comment.id),) in _rows("comments", key)

    clock.set_clock(lambda: FIXED_NOW + timedelta(days=1))
    assert run(["sync"]) == 0
    assert sorted(_rows("revisions", key)) == sorted(pushed)
    assert _rows("comments", key).count((str(comment.id),)) == 1


def test_a_wrong_signature_stores_nothing(site: JiraSimulator) -> None:
    assert run(["sync"]) == 0
    ws = site.workspace
    key = next(i.key for i in ws.issues.values() if 43 in i.sprint_ids and i.values.get("ac"))
    history = ws.edit_field(key, DEMO.ac_field, "* forged", "priya@acme.com", FIXED_NOW)
    before = _rows("revisions", key)
    config = read_config(Path("tracker.toml"), require_tokens=False)
    store = Store(config.database)
    try:
        with serving(store, build_endpoints(config, os.environ)) as base:
            body, headers = signed(issue_updated(site, key, history), "not-the-secret")
            answer = httpx.post(f"{base}/webhooks/jira/acme", content=body, headers=headers)
            unsigned = httpx.post(f"{base}/webhooks/jira/acme", content=body)
            by_query = httpx.post(f"{base}/webhooks/jira/acme?secret=guess", content=body)
    finally:
        store.close()
    assert (answer.status_code, unsigned.status_code, by_query.status_code) == (401, 401, 401)
    assert _rows("revisions", key) == before
