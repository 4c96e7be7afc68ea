"""``tracker doctor``: every check a new user needs, each failure with its fix."""

from __future__ import annotations

import os
from pathlib import Path

from tracker.cli import wiring
from tracker.cli.output import print_checks
from tracker.config import Config
from tracker.errors import ConfigError, TrackerError
from tracker.ports import Check


def run_doctor(config_path: Path | None) -> bool:
    config = wiring.read_config(config_path, require_tokens=False)
    ok = print_checks("config", [Check(str(config.path), True, f"{len(config.source)} source(s)")])
    ok = print_checks("database", [_check_database(config)]) and ok
    for source in config.source:
        checks = _check_source(config, source.name)
        ok = print_checks(source.name, checks) and ok
    if not config.source:
        ok = (
            print_checks(
                "sources", [Check("any source", False, "none configured", "add a [[source]] table")]
            )
            and ok
        )
    return ok


def _check_database(config: Config) -> Check:
    try:
        store = wiring.open_store(config)
    except TrackerError as exc:
        return Check(
            "open and migrate", False, str(exc), "check `database` or $TRACKER_DATABASE_URL"
        )
    counts = store.counts()
    store.close()
    return Check(
        "open and migrate",
        True,
        f"{counts.get('issues', 0)} issues, {counts.get('sprints', 0)} sprints stored",
    )


def _check_source(config: Config, name: str) -> list[Check]:
    source_config = next(s for s in config.source if s.name == name)
    if not os.environ.get(source_config.token_env, "").strip():
        return [
            Check(
                "token",
                False,
                f"${source_config.token_env} is not set",
                f"export {source_config.token_env}=<token>",
            )
        ]
    try:
        resolved = wiring.read_config(config.path).sources([name])[0]
        source = wiring.build_source(resolved)
    except ConfigError as exc:
        return [Check("config", False, str(exc), "fix tracker.toml")]
    try:
        return source.check()
    except TrackerError as exc:
        return [Check("connection", False, str(exc), "see the message")]
    finally:
        source.close()
