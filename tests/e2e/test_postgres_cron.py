"""A team on PostgreSQL: one cron job per source, writing to the same database at once,
and a second sync of a source that is already running refused at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from demo_answers import expected_summary

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from tracker.store import Store

TOKEN = "pg-e2e-token-0001"
pytestmark = pytest.mark.skipif(
    not os.environ.get("TRACKER_TEST_POSTGRES_URL"), reason="TRACKER_TEST_POSTGRES_URL is not set"
)


def wait_for_advisory_lock(url: str, timeout: float = 60) -> None:
    """Until some session holds an advisory lock in this database: the running sync
    has taken its own."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            held = conn.execute(
                # this test's database only: the server is shared with other test runs
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database ="
                    " (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            ).scalar()
            if held:
                break
            time.sleep(0.05)
    engine.dispose()


def tracker(config: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(config), *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_cron_jobs_share_one_database(tmp_path: Path, pg_url: str) -> None:
    env = {"PG_JIRA_TOKEN": TOKEN, "PG_LINEAR_KEY": LINEAR_DEMO.api_key}
    with (
        JiraSimulator(
            build_demo_workspace(), flavour="server", email=DEMO.email, token=TOKEN, latency=0.01
        ) as jira,
        LinearSimulator(
            build_demo_linear_workspace(), api_key=LINEAR_DEMO.api_key, latency=0.01
        ) as linear,
    ):
        engineers = ", ".join(f'"{e}"' for e in DEMO.engineers)
        config = tmp_path / "tracker.toml"
        config.write_text(
            f'database = "{pg_url}"\n'
            f'[[source]]\nname = "jira"\ntype = "jira"\nurl = "{jira.url}"\ntoken_env = "PG_JIRA_TOKEN"\n'
            f'boards = [{DEMO.pay_board}]\nac_field = "{DEMO.ac_field}"\n'
            f'[[source]]\nname = "linear"\ntype = "linear"\nurl = "{linear.url}"\n'
            f'token_env = "PG_LINEAR_KEY"\nteams = ["{LINEAR_DEMO.team_key}"]\n'
            f"[policy]\nengineers = [{engineers}]\n"
        )
        jobs = [tracker(config, "sync", "--source", name, env=env) for name in ("jira", "linear")]
        for job in jobs:
            _, err = job.communicate(timeout=120)
            assert job.returncode == 0, err
        # a third job for a source that is already syncing is refused at once
        jira.latency = (
            2.0  # long enough to outlast the second job's start-up, whatever a full sync costs
        )
        slow = tracker(config, "sync", "--source", "jira", "--full", env=env)
        wait_for_advisory_lock(pg_url)
        busy = tracker(config, "sync", "--source", "jira", env=env)
        _, busy_err = busy.communicate(timeout=60)
        jira.latency = 0.0
        _, slow_err = slow.communicate(timeout=120)
        assert slow.returncode == 0, slow_err
        assert busy.returncode == 1 and "another `tracker sync` of source 'jira'" in busy_err
        report = tracker(config, "report", "--sprint", "42", "--format", "json", env=env)
        out, err = report.communicate(timeout=60)
        assert report.returncode == 0, err
        assert json.loads(out)["summary"] == expected_summary()
    store = Store(pg_url)  # each connector declared what its history keeps
    assert store.keeps_exact_history("jira") and not store.keeps_exact_history("linear")
    store.close()
