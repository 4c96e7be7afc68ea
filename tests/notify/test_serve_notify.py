"""`tracker serve --notify`: an AC edit that arrives by webhook is nudged on Slack within
seconds, without a poll, and only once."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from slack_receiver import SlackReceiver

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.jira.webhooks import issue_updated, signed
from tracker.cli import run
from tracker.cli.serve import _nudge_for, build_endpoints
from tracker.cli.wiring import read_config
from tracker.serve import Nudger, serving
from tracker.store import Store

TOKEN = "e2e-token-value-1234"
SECRET = "jira-hook-secret-abcdef0123456789"
FIXED_NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)  # tests/conftest.py fixes the clock here


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[JiraSimulator]:
    monkeypatch.setenv("E2E_JIRA_TOKEN", TOKEN)
    monkeypatch.setenv("E2E_JIRA_HOOK", SECRET)
    with JiraSimulator(
        build_demo_workspace(), flavour="cloud", email=DEMO.email, token=TOKEN
    ) as sim:
        engineers = ", ".join(f'"{e}"' for e in DEMO.engineers)
        (tmp_path / "tracker.toml").write_text(
            f'database = "sqlite:///jira.db"\n[[source]]\nname = "acme"\ntype = "jira"\n'
            f'url = "{sim.url}"\nemail = "{DEMO.email}"\ntoken_env = "E2E_JIRA_TOKEN"\n'
            f'boards = [{DEMO.pay_board}]\nac_field = "{DEMO.ac_field}"\n'
            f'webhook_secret_env = "E2E_JIRA_HOOK"\n[policy]\nengineers = [{engineers}]\n'
            '[notify]\nslack_webhook_env = "E2E_SLACK"\n'
        )
        assert run(["sync"]) == 0
        yield sim


def test_an_edit_pushed_by_webhook_is_nudged_within_seconds(
    site: JiraSimulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with SlackReceiver() as slack:
        monkeypatch.setenv("E2E_SLACK", slack.url)
        assert run(["notify", "--send"]) in (0, 1)  # what was due before: out of the way
        already = len(slack.received)
        ws = site.workspace
        key = next(i.key for i in ws.issues.values() if 43 in i.sprint_ids and i.values.get("ac"))
        issue = ws.issue(key)
        assert issue is not None
        history = ws.edit_field(
            key,
            DEMO.ac_field,
            issue.values["ac"] + "\n* Exports also go out as PDF",
            "priya@acme.com",
            FIXED_NOW - timedelta(minutes=1),
        )
        config = read_config(Path("tracker.toml"), require_tokens=False)
        store = Store(config.database)
        nudger = Nudger(_nudge_for(config, store), ["acme"], settle=0.2)
        try:
            with serving(store, build_endpoints(config, os.environ), nudger=nudger) as base:
                body, headers = signed(issue_updated(site, key, history), SECRET)
                answer = httpx.post(f"{base}/webhooks/jira/acme", content=body, headers=headers)
                assert answer.status_code == 200, answer.text
                deadline = time.monotonic() + 30
                while len(slack.received) == already and time.monotonic() < deadline:
                    time.sleep(0.1)
                again = httpx.post(f"{base}/webhooks/jira/acme", content=body, headers=headers)
                assert again.status_code == 200
                time.sleep(1)
        finally:
            store.close()
        fresh = slack.received[already:]
        assert len(fresh) == 1, fresh
        assert key in json.dumps(fresh[0])
