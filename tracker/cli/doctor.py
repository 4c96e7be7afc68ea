"""``tracker doctor``: every check a new user needs, each failure with its fix."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tracker.cli import wiring
from tracker.cli.output import print_checks
from tracker.config import Config
from tracker.errors import ConfigError, StoreNotReady, TrackerError
from tracker.ports import Check


def run_doctor(config_path: Path | None, *, as_json: bool = False) -> bool:
    """Run every check; print them as lines (or one JSON document); True when all passed."""
    config = wiring.read_config(config_path, require_tokens=False)
    groups: list[tuple[str, list[Check]]] = [
        ("config", [Check(str(config.path), True, f"{len(config.source)} source(s)")]),
        ("database", [_check_database(config)]),
    ]
    groups += [(source.name, _check_source(config, source.name)) for source in config.source]
    if not config.source:
        groups.append(
            ("sources", [Check("any source", False, "none configured", "add a [[source]] table")])
        )
    if as_json:
        print(
            json.dumps([_as_dict(title, c) for title, checks in groups for c in checks], indent=2)
        )
        return all(c.ok for _, checks in groups for c in checks)
    ok = True
    for title, checks in groups:
        ok = print_checks(title, checks) and ok
    return ok


def _as_dict(title: str, check: Check) -> dict[str, object]:
    return {
        "area": title,
        "check": check.what,
        "ok": check.ok,
        "detail": check.detail or None,
        "fix": None if check.ok else (check.fix or None),
    }


def _check_database(config: Config) -> Check:
    """Open without creating or migrating: doctor changes nothing, it reports."""
    try:
        store = wiring.open_store(config)
    except StoreNotReady as exc:
        # Not yet created, or a schema `sync` will upgrade: not a failure of the setup.
        return Check("open", True, str(exc))
    except TrackerError as exc:
        return Check("open", False, str(exc), "check `database` or $TRACKER_DATABASE_URL")
    try:
        counts = store.counts()
    finally:
        store.close()
    return Check(
        "open",
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
