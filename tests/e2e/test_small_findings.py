"""The small findings of the hardening review: Ctrl-C, an unknown Linear team, changelog
items that name no field."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hostile import FaultProxy
from pydantic import SecretStr

from connectors.jira import JiraSource
from connectors.linear import LinearSource
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from tracker.config import JiraSourceConfig, LinearSourceConfig
from tracker.errors import ConfigError


def test_ctrl_c_during_a_sync_prints_one_line_and_exits_130(tmp_path: Path) -> None:
    with JiraSimulator(
        build_demo_workspace(), flavour="cloud", email=DEMO.email, token="tok", latency=0.3
    ) as sim:
        config = tmp_path / "tracker.toml"
        config.write_text(
            f'database = "sqlite:///{tmp_path / "t.db"}"\n[[source]]\nname = "acme"\n'
            f'type = "jira"\nurl = "{sim.url}"\nemail = "{DEMO.email}"\ntoken_env = "TJ"\n'
            f"boards = [{DEMO.pay_board}]\n"
        )
        job = subprocess.Popen(
            [sys.executable, "-m", "tracker", "--config", str(config), "sync"],
            env={**os.environ, "TJ": "tok"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while sum(sim.requests.values()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # until the sync is talking to Jira
        job.send_signal(signal.SIGINT)
        out, err = job.communicate(timeout=60)
    assert job.returncode == 130 and out == ""
    assert err == (
        "tracker: error: interrupted: what was committed is kept; run the command again to finish\n"
    )


def test_an_unknown_linear_team_key_is_an_error_not_an_empty_sync() -> None:
    with LinearSimulator(build_demo_linear_workspace(), api_key=LINEAR_DEMO.api_key) as sim:
        config = LinearSourceConfig(
            name="l", type="linear", url=sim.url, token_env="LINEAR_API_KEY",
            teams=[LINEAR_DEMO.team_key, "NOPE"], token=SecretStr(LINEAR_DEMO.api_key),
        )  # fmt: skip
        with pytest.raises(ConfigError, match=r"no Linear team with key NOPE .*fix `teams`"):
            LinearSource(config, sleep=lambda _: None).fetch_sprints()
        # A known team costs no extra request.
        known = config.model_copy(update={"teams": [LINEAR_DEMO.team_key]})
        before = sim.requests.get("Teams", 0)
        assert LinearSource(known, sleep=lambda _: None).fetch_sprints()
        assert sim.requests.get("Teams", 0) == before


def test_changelog_items_naming_no_field_are_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def nameless(answer: Any, path: str) -> Any:
        for entry in answer["issueChangeLogs"]:
            for history in entry["changeHistories"]:
                history["items"] = [*history["items"], {"field": None, "fieldId": None}, None]
        return answer

    with (
        JiraSimulator(build_demo_workspace(), flavour="cloud") as sim,
        FaultProxy(sim.url) as proxy,
    ):
        proxy.on("/changelog/bulkfetch", transform=nameless)
        config = JiraSourceConfig(
            name="acme", type="jira", url=proxy.url, token_env="JIRA_API_TOKEN",
            email=DEMO.email, boards=list(DEMO.boards), token=SecretStr(DEMO.token),
        )  # fmt: skip
        source = JiraSource(config, sleep=lambda _: None)
        with caplog.at_level(logging.WARNING):
            pages = list(source.fetch_issues(source.fetch_sprints(), None))
    assert pages
    warned = [r.getMessage() for r in caplog.records if "name no field" in r.getMessage()]
    assert warned and all("changelog item(s)" in line for line in warned)
    assert any(line.startswith("PAY-") for line in warned)
