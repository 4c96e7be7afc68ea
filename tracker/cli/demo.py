"""``tracker demo``: the whole product on the bundled sample workspace, no account needed.

Starts the built-in Jira Cloud and Linear simulators on loopback, writes a real
tracker.toml and SQLite database into a directory, runs the real sync through the real
connectors, and prints the reports of Jira sprint 42 and Linear cycle ENG-12.
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from reports import render_report
from tracker import clock
from tracker.cli import wiring
from tracker.cli.notify import first_nudge_text
from tracker.cli.options import note
from tracker.cli.output import emit, terminal_width, use_color
from tracker.config import Config
from tracker.errors import ConfigError
from tracker.service import build_report
from tracker.store import Store
from tracker.sync import sync_source

JIRA_TOKEN_ENV = f"{wiring.DEMO_TOKEN_PREFIX}JIRA_TOKEN"
LINEAR_TOKEN_ENV = f"{wiring.DEMO_TOKEN_PREFIX}LINEAR_KEY"
DATABASE = "demo.db"


def demo_config(database: str, jira_url: str, linear_url: str) -> str:
    roster = sorted(set(DEMO.engineers) | set(LINEAR_DEMO.engineers))
    engineers = ", ".join(f'"{e}"' for e in roster)
    return f"""\
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

[[source]]
name = "demo-linear"
type = "linear"
url = "{linear_url}"
token_env = "{LINEAR_TOKEN_ENV}"
teams = ["{LINEAR_DEMO.team_key}"]

[policy]
engineers = [{engineers}]

[notify]
comment = true                           # `tracker notify` asks on the issue itself
"""


@contextlib.contextmanager
def _directory(chosen: Path | None) -> Iterator[Path]:
    if chosen is not None:
        chosen.mkdir(parents=True, exist_ok=True)
        yield chosen
        return
    with tempfile.TemporaryDirectory(prefix="tracker-demo-") as tmp:
        yield Path(tmp)


def _refuse_to_replace(directory: Path | None) -> None:
    """Like `init`: a folder that holds a config or a database is not silently overwritten."""
    if directory is None:
        return
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory} is a file: --dir names a folder")
    there = [directory / "tracker.toml", directory / DATABASE]
    held = [p for p in there if p.exists()]
    if held:
        raise ConfigError(
            f"{held[0]} already exists: pass --force to replace the demo's files in "
            f"{directory}, or choose another --dir"
        )


def run_demo(directory: Path | None, *, force: bool = False) -> None:
    if not force:
        _refuse_to_replace(directory)
    jira_token = secrets.token_urlsafe(16)
    linear_workspace = build_demo_linear_workspace()
    with (
        _directory(directory) as folder,
        JiraSimulator(
            build_demo_workspace(), flavour="cloud", email=DEMO.email, token=jira_token
        ) as jira,
        LinearSimulator(linear_workspace, api_key=LINEAR_DEMO.api_key) as linear,
    ):
        db_path = folder / DATABASE
        db_path.unlink(missing_ok=True)  # the demo always starts from an empty database
        config_path = folder / "tracker.toml"
        # Relative to the config's folder: the kept workspace works from anywhere.
        config_path.write_text(
            demo_config(f"sqlite:///{DATABASE}", jira.url, linear.url), encoding="utf-8"
        )
        env = {JIRA_TOKEN_ENV: jira_token, LINEAR_TOKEN_ENV: LINEAR_DEMO.api_key}
        config = wiring.read_config(config_path, env)
        store = wiring.open_store(config, create=True)
        try:
            _sync_once(store, config, "demo-jira", jira.url)
            note(
                f"tracker demo: simulated Jira Cloud at {jira.url}: "
                f"{sum(jira.requests.values())} requests"
            )
            # Linear keeps no old descriptions: replay the cycle as a nightly cron would
            # have seen it, one poll per simulated night.
            for moment in LINEAR_DEMO.poll_times:
                linear_workspace.advance_to(moment)
                _sync_once(store, config, "demo-linear", linear.url, at=moment)
            note(
                f"tracker demo: simulated Linear at {linear.url}: {len(LINEAR_DEMO.poll_times)} "
                f"nightly polls, {sum(linear.requests.values())} requests"
            )
            policy = config.policy
            color = use_color()
            width = terminal_width()
            jira_report = build_report(store, policy, str(DEMO.demo_sprint), "demo-jira")
            linear_report = build_report(store, policy, LINEAR_DEMO.demo_cycle_key, "demo-linear")
            emit(render_report(jira_report, "table", color=color, width=width), None)
            emit("\n" + render_report(linear_report, "table", color=color, width=width), None)
            nudge = first_nudge_text(
                config, store, sprint=str(DEMO.demo_sprint), source="demo-jira"
            )
            emit(
                f"\n$ tracker notify --sprint {DEMO.demo_sprint}   (the first of its nudges)\n{nudge}",
                None,
            )
        finally:
            store.close()
        if directory is not None:
            note(
                f"tracker demo: kept {config_path} and {db_path}; try "
                f"`tracker --config {config_path} show PAY-101` (its simulators stop now: "
                "run the demo again to re-sync)"
            )


def _sync_once(
    store: Store, config: Config, name: str, url: str, *, at: datetime | None = None
) -> None:
    source = wiring.build_source(config.sources([name])[0])
    if at is not None:
        clock.set_clock(lambda: at)
    try:
        sync_source(store, source, url=url)
    finally:
        source.close()
        clock.reset_clock()
