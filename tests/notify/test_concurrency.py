"""Two `tracker notify --send` at once (two cron jobs, or two machines on one
PostgreSQL): every nudge goes out exactly once per channel."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from slack_receiver import SlackReceiver

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from tracker.cli import run
from tracker.cli.notify import run_notify
from tracker.config import load_config
from tracker.store import Store

TOKEN = "e2e-token-value-1234"


def test_racing_senders_send_each_nudge_once(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("E2E_JIRA_TOKEN", TOKEN)
    with (
        SlackReceiver() as slack,
        JiraSimulator(
            build_demo_workspace(), flavour="cloud", email=DEMO.email, token=TOKEN
        ) as sim,
    ):
        monkeypatch.setenv("E2E_SLACK", slack.url)
        config_path = tmp_path / "tracker.toml"
        config_path.write_text(
            f'database = "{db_url}"\n[[source]]\nname = "acme"\ntype = "jira"\nurl = "{sim.url}"\n'
            f'email = "{DEMO.email}"\ntoken_env = "E2E_JIRA_TOKEN"\nboards = [{DEMO.pay_board}]\n'
            f'ac_field = "{DEMO.ac_field}"\n[notify]\nslack_webhook_env = "E2E_SLACK"\ncomment = true\n'
        )
        assert run(["sync"]) == 0
        config = load_config(config_path)
        stores = [Store(config.database) for _ in range(4)]
        barrier = threading.Barrier(len(stores))
        sent: list[int] = []

        def sender(store: Store) -> None:
            barrier.wait()
            result = run_notify(config, store, sprint="42", sources=None, send=True)
            assert not result.failures
            sent.append(sum(len(o.nudges) for o in result.outcomes if o.state == "sent"))

        threads = [threading.Thread(target=sender, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for store in stores:
            store.close()
        issues = {b["text"] for b in slack.received}
        comments = [
            c
            for issue in sim.workspace.issues.values()
            for c in issue.comments
            if "tracker-nudge:" in c.body
        ]
        assert len(slack.received) == len(issues) > 0  # no message twice
        assert len(comments) == len(slack.received)
        assert sum(sent) == 2 * len(slack.received)  # each nudge once on each of two channels
