"""``tracker demo``: the whole product on the bundled sample workspace, no account needed.

Starts the built-in Jira (and Linear) simulators on loopback, writes a real tracker.toml
and SQLite database into a directory, runs the real sync through the real connectors,
and prints the report of Jira sprint 42 and Linear cycle ENG-12.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from tracker import clock
from tracker.cli import wiring
from tracker.cli.output import emit
from tracker.errors import SourceError
from tracker.service import build_report, rules_from
from tracker.sync import sync_source

JIRA_TOKEN_ENV = "TRACKER_DEMO_JIRA_TOKEN"  # noqa: S105 (a variable name, not a secret)
LINEAR_TOKEN_ENV = "TRACKER_DEMO_LINEAR_KEY"  # noqa: S105


def demo_config(
    database: str, jira_url: str, linear_url: str | None, linear_team: str | None
) -> str:
    engineers = ", ".join(f'"{e}"' for e in DEMO.engineers)
    text = f"""\
# Written by `tracker demo`: the sample workspace, served by the built-in simulators.
database = "{database}"

[[source]]
name = "demo-jira"
type = "jira"
url = "{jira_url}"
email = "{DEMO.email}"
token_env = "{JIRA_TOKEN_ENV}"
boards = [{DEMO.pay_board}]
ac_field = "{DEMO.ac_field}"
"""
    if linear_url and linear_team:
        text += f"""
[[source]]
name = "demo-linear"
type = "linear"
url = "{linear_url}"
token_env = "{LINEAR_TOKEN_ENV}"
teams = ["{linear_team}"]
"""
    return (
        text
        + f"""
[policy]
engineers = [{engineers}]
"""
    )


@contextlib.contextmanager
def _directory(chosen: Path | None) -> Iterator[Path]:
    if chosen is not None:
        chosen.mkdir(parents=True, exist_ok=True)
        yield chosen
        return
    with tempfile.TemporaryDirectory(prefix="tracker-demo-") as tmp:
        yield Path(tmp)


def run_demo(directory: Path | None) -> None:
    with _directory(directory) as folder:
        db_path = folder / "demo.db"
        if db_path.exists():
            db_path.unlink()  # the demo always starts from an empty database
        jira_token = secrets.token_urlsafe(16)
        with JiraSimulator(
            build_demo_workspace(), flavour="cloud", email=DEMO.email, token=jira_token
        ) as jira:
            linear = _linear_demo()
            config_path = folder / "tracker.toml"
            config_path.write_text(
                demo_config(
                    f"sqlite:///{db_path}",
                    jira.url,
                    linear.url if linear else None,
                    linear.team if linear else None,
                ),
                encoding="utf-8",
            )
            env = {JIRA_TOKEN_ENV: jira_token}
            if linear:
                env[LINEAR_TOKEN_ENV] = linear.token
            config = wiring.read_config(config_path, env)
            store = wiring.open_store(config)
            print(f"tracker demo: simulated Jira Cloud at {jira.url}", file=sys.stderr)
            jira_source = wiring.build_source(config.sources(["demo-jira"])[0])
            try:
                result = sync_source(store, jira_source, url=jira.url)
            finally:
                jira_source.close()
            print(
                f"tracker demo: synced {result.issues} issues of {result.sprints} sprints "
                f"in {sum(jira.requests.values())} requests",
                file=sys.stderr,
            )
            if linear:
                linear.sync(store, config)
            rules = rules_from(config.policy)
            emit(_render(build_report(store, rules, str(DEMO.demo_sprint), "demo-jira")), None)
            if linear:
                emit(
                    "\n" + _render(build_report(store, rules, linear.cycle_key, "demo-linear")),
                    None,
                )
            store.close()
            if linear:
                linear.close()
        if directory is not None:
            print(
                f"tracker demo: kept {config_path} and {db_path}; try "
                f"`tracker --config {config_path} show PAY-101`",
                file=sys.stderr,
            )


def _render(report: object) -> str:
    from reports import render_report
    from tracker.findings import SprintReport

    assert isinstance(report, SprintReport)
    return render_report(report, "table", color=wiring.use_color())


class _LinearDemo:
    """Drives the Linear simulator through its timeline: Linear keeps no old
    descriptions, so the demo polls at several simulated moments as a nightly cron would."""

    def __init__(self) -> None:
        from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace

        self.token = LINEAR_DEMO.api_key
        self.team = LINEAR_DEMO.team_key
        self.cycle_key = LINEAR_DEMO.demo_cycle_key
        self._workspace = build_demo_linear_workspace()
        self._sim = LinearSimulator(self._workspace, api_key=self.token)
        self._sim.__enter__()
        self.url = self._sim.url
        self._poll_times = LINEAR_DEMO.poll_times

    def sync(self, store: object, config: object) -> None:
        from tracker.config import Config
        from tracker.store import Store

        assert isinstance(store, Store) and isinstance(config, Config)
        for moment in self._poll_times:
            self._workspace.advance_to(moment)
            clock.set_clock(lambda moment=moment: moment)
            source = wiring.build_source(config.sources(["demo-linear"])[0])
            try:
                sync_source(store, source, url=self.url)
            finally:
                source.close()
        clock.reset_clock()

    def close(self) -> None:
        self._sim.__exit__(None, None, None)


def _linear_demo() -> _LinearDemo | None:
    try:
        return _LinearDemo()
    except ImportError:
        return None
    except SourceError:
        return None
