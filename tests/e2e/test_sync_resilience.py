"""Sync killed at any moment, run twice at once, or failing upstream: nothing lost,
nothing stored twice, and the next run finishes the job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

import pytest

import connectors.jira.source as jira_source
from connectors.jira import JiraSource
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from tracker.cli import run
from tracker.config import load_config
from tracker.domain import IssueBundle, Sprint
from tracker.store import Store
from tracker.sync import sync_source

TOKEN = "resilience-token-5678"


def config_text(url: str, database: str) -> str:
    return (
        f'database = "{database}"\n[[source]]\nname = "acme"\ntype = "jira"\nurl = "{url}"\n'
        f'email = "{DEMO.email}"\ntoken_env = "E2E_JIRA_TOKEN"\nboards = [{DEMO.pay_board}]\n'
        f'ac_field = "{DEMO.ac_field}"\n'
    )


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[JiraSimulator]:
    monkeypatch.setenv("E2E_JIRA_TOKEN", TOKEN)
    with JiraSimulator(
        build_demo_workspace(), flavour="cloud", email=DEMO.email, token=TOKEN
    ) as server:
        yield server


def clean_reference(sim: JiraSimulator, tmp_path: Path) -> tuple[dict[str, int], str]:
    """Counts and report of an uninterrupted sync, to compare a resumed one with."""
    path = tmp_path / "clean.toml"
    path.write_text(config_text(sim.url, f"sqlite:///{tmp_path / 'clean.db'}"))
    assert run(["--config", str(path), "sync"]) == 0
    return Store(f"sqlite:///{tmp_path / 'clean.db'}").counts(), report(path)


def report(path: Path) -> str:
    from contextlib import redirect_stdout
    from io import StringIO

    buffer = StringIO()
    with redirect_stdout(buffer):
        assert run(["--config", str(path), "report", "--sprint", "42", "--format", "json"]) == 0
    return buffer.getvalue()


def without_cursors(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if k not in ("cursors", "sources")}


class Interrupted(Exception):
    pass


def test_interrupted_after_two_pages_resumes_without_loss_or_doubles(
    sim: JiraSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jira_source, "_SEARCH_PAGE", 5)  # several pages from the small demo
    expected_counts, expected_report = clean_reference(sim, tmp_path)
    path = tmp_path / "tracker.toml"
    path.write_text(config_text(sim.url, f"sqlite:///{tmp_path / 'resumed.db'}"))
    config = load_config(path)
    store = Store(config.database)
    source = JiraSource(config.source[0])  # type: ignore[arg-type]
    real = source.fetch_issues

    def dies_after_two_pages(
        sprints: Sequence[Sprint], since: datetime | None
    ) -> Iterator[list[IssueBundle]]:
        for number, page in enumerate(real(sprints, since)):
            if number == 2:
                raise Interrupted
            yield page

    monkeypatch.setattr(source, "fetch_issues", dies_after_two_pages)
    with pytest.raises(Interrupted):
        sync_source(store, source, url=sim.url)
    partial = store.counts()
    assert 0 < partial["issues"] < expected_counts["issues"]
    assert store.cursor("acme") is not None  # moved past the two committed pages only
    store.close()
    assert run(["--config", str(path), "sync"]) == 0
    assert without_cursors(Store(config.database).counts()) == without_cursors(expected_counts)
    assert report(path) == expected_report


def _start_sync(path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "E2E_JIRA_TOKEN": TOKEN}
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(path), "sync"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_killed_process_then_rerun_completes(sim: JiraSimulator, tmp_path: Path) -> None:
    expected_counts, expected_report = clean_reference(sim, tmp_path)
    path = tmp_path / "tracker.toml"
    database = tmp_path / "killed.db"
    path.write_text(config_text(sim.url, f"sqlite:///{database}"))
    sim.latency = 0.05  # slow enough to be killed in the middle
    proc = _start_sync(path)
    deadline = time.monotonic() + 30
    while sum(sim.requests.values()) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    sim.latency = 0.0
    assert run(["--config", str(path), "sync"]) == 0
    assert without_cursors(Store(f"sqlite:///{database}").counts()) == without_cursors(
        expected_counts
    )
    assert report(path) == expected_report


def test_second_sync_of_the_same_source_exits_1_at_once(
    sim: JiraSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tracker.toml"
    database = tmp_path / "busy.db"
    path.write_text(config_text(sim.url, f"sqlite:///{database}"))
    assert run(["--config", str(path), "migrate"]) == 0  # create and migrate the database first
    sim.latency = 0.2
    proc = _start_sync(path)
    try:
        deadline = time.monotonic() + 30
        # the lock file appears when the other sync takes the lock
        while not list(tmp_path.glob("busy.db.sync-*.lock")) and time.monotonic() < deadline:
            time.sleep(0.05)
        capsys.readouterr()
        assert run(["--config", str(path), "sync"]) == 1
        assert "another `tracker sync` of source 'acme' is running" in capsys.readouterr().err
    finally:
        sim.latency = 0.0
        proc.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert json.loads(report(path))["summary"]["changes"] > 0
