"""Linear through `tracker serve`: every save of the demo cycle ENG-12 arrives as a signed
webhook at a real uvicorn server over real HTTP, and a single `tracker sync` runs at the
very end. The report must be the one the nightly polls give (the designed verdicts), with
exact baselines; without the webhooks, the same single poll cannot know it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from demo_answers import LINEAR_EXPECTED as EXPECTED

from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from connectors.sim.linear.webhooks import comment_create, description_update, signed
from connectors.sim.linear.workspace import LinearWorkspace
from tracker import clock
from tracker.cli import run
from tracker.cli.serve import build_endpoints
from tracker.cli.wiring import read_config
from tracker.serve import serving
from tracker.store import Store

SECRET = "lin_wh_e2e_secret_0123456789abcdef"
FINAL_POLL = LINEAR_DEMO.poll_times[-1]


def _saves(ws: LinearWorkspace) -> list[tuple[datetime, str, Any]]:
    """Every description save after an issue's creation: (time, issue, actor), in order."""
    actors = {}
    for entry in ws.history:
        if entry.updated_description:
            for moment in entry.times:
                actors[(entry.issue.id, moment)] = entry.actor or entry.bot
    found = [
        (at, issue.identifier, actors.get((issue.id, at)))
        for issue in ws.issues
        for at, _text in issue.descriptions[1:]
    ]
    return sorted(found, key=lambda s: (s[0], s[1]))


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LinearWorkspace]:
    monkeypatch.setenv("E2E_LINEAR_KEY", LINEAR_DEMO.api_key)
    monkeypatch.setenv("E2E_LINEAR_HOOK", SECRET)
    ws = build_demo_linear_workspace()
    with LinearSimulator(ws, api_key=LINEAR_DEMO.api_key) as sim:
        engineers = ", ".join(f'"{e}"' for e in LINEAR_DEMO.engineers)
        (tmp_path / "tracker.toml").write_text(
            f'database = "sqlite:///linear.db"\n[[source]]\nname = "eng"\ntype = "linear"\n'
            f'url = "{sim.url}"\ntoken_env = "E2E_LINEAR_KEY"\nteams = ["ENG"]\n'
            f'webhook_secret_env = "E2E_LINEAR_HOOK"\n[policy]\nengineers = [{engineers}]\n'
        )
        yield ws


def _post(client: httpx.Client, url: str, delivery: dict[str, Any]) -> httpx.Response:
    body, headers = signed(delivery, SECRET)
    return client.post(url, content=body, headers=headers)


def _deliver_every_save(ws: LinearWorkspace) -> int:
    config = read_config(Path("tracker.toml"), require_tokens=False)
    store = Store(config.database)
    posted = 0
    try:
        with (
            serving(store, build_endpoints(config, os.environ)) as base,
            httpx.Client(timeout=10) as client,
        ):
            url = f"{base}/webhooks/linear/eng"
            for at, identifier, actor in _saves(ws):
                sent = at + timedelta(seconds=2)
                clock.set_clock(lambda sent=sent: sent)  # type: ignore[misc]
                answer = _post(
                    client, url, description_update(ws, identifier, at, actor, sent_at=sent)
                )
                assert answer.status_code == 200, answer.text
                posted += 1
            for comment in sorted(ws.comments, key=lambda c: c.created_at):
                sent = comment.created_at + timedelta(seconds=1)
                clock.set_clock(lambda sent=sent: sent)  # type: ignore[misc]
                answer = _post(client, url, comment_create(ws, comment.id, sent_at=sent))
                assert answer.status_code in (200, 204), answer.text
    finally:
        store.close()
    return posted


def _one_poll_at_the_end(ws: LinearWorkspace) -> None:
    ws.advance_to(FINAL_POLL)
    clock.set_clock(lambda: FINAL_POLL)
    assert run(["sync"]) == 0


def _report(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert run(["report", "--sprint", "ENG-12", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_webhooks_and_one_final_poll_give_every_edit_with_exact_baselines(
    configured: LinearWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _deliver_every_save(configured) >= 12
    _one_poll_at_the_end(configured)
    got = _report(capsys)
    assert got["summary"] == EXPECTED["summary"]
    by_issue: dict[str, list[dict[str, Any]]] = {}
    for change in got["changes"]:
        by_issue.setdefault(change["issue_key"], []).append(change)
    for key, expected in EXPECTED["changes"].items():
        found = by_issue.get(key, [])
        assert [c["verdict"] for c in found] == [e["verdict"] for e in expected], key
        for change, want in zip(found, expected, strict=True):
            landed = clock.parse_time(change["changed_at"])
            assert landed is not None
            assert timedelta(0) <= landed - want["at"] <= timedelta(minutes=10), key
            assert {e["kind"] for e in change["evidence"]} >= set(want["evidence"]), key
    assert all(c["baseline_approximate"] is False for c in got["changes"])


def test_the_same_single_poll_without_webhooks_misses_edits(
    configured: LinearWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    _one_poll_at_the_end(configured)
    got = _report(capsys)
    # The edits it never saw are not silently dropped: each is a change whose verdict is
    # unknown, and fewer changes are judged than the webhooks allow.
    summary = got["summary"]
    judged = summary["flagged"] + summary["discussed"] + summary["cosmetic"]
    assert summary["unknown"] > 0
    assert judged < EXPECTED["summary"]["changes"]


def test_a_webhook_after_the_poll_that_saw_its_edit_is_stored_once(
    configured: LinearWorkspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """ENG-110 is edited on 3 March 13:00; a poll that night derives a revision from its
    snapshots; Linear's delivery arrives only afterwards (a retry). One edit, one change."""
    assert LINEAR_DEMO.poll_times[2] == datetime(2026, 3, 3, 23, tzinfo=UTC)
    for moment in LINEAR_DEMO.poll_times[:3]:
        configured.advance_to(moment)
        clock.set_clock(lambda moment=moment: moment)  # type: ignore[misc]
        assert run(["sync"]) == 0
    _deliver_every_save(configured)
    _one_poll_at_the_end(configured)
    got = _report(capsys)
    assert got["summary"] == EXPECTED["summary"]
    store = Store("sqlite:///linear.db")
    try:
        with store.engine.connect() as conn:
            stored = conn.exec_driver_sql(
                "SELECT count(*) FROM revisions WHERE source = 'eng' AND issue_key = 'ENG-110'"
            ).scalar()
    finally:
        store.close()
    saves = [s for s in _saves(configured) if s[1] == "ENG-110"]
    assert stored == len(saves)
