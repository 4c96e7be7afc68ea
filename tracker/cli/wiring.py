"""The composition root: config → connectors, store, reports. Only ``tracker.cli`` may
import connectors and reports together (import-linter keeps it so)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tracker.config import Config, JiraSourceConfig, LinearSourceConfig, load_config
from tracker.errors import ConfigError
from tracker.ports import Source
from tracker.store import Store

# The name on the package index (`tracker` there is an unrelated project); the command
# and the import package stay `tracker`.
DISTRIBUTION = "ac-change-tracker"
# `tracker demo` names its tokens so; a kept demo workspace is recognised by them.
DEMO_TOKEN_PREFIX = "TRACKER_DEMO_"  # noqa: S105 (a prefix of variable names, not a secret)


def refuse_kept_demo(sources: list[JiraSourceConfig | LinearSourceConfig]) -> None:
    """A kept demo workspace's simulators ran only while `tracker demo` did."""
    if any(s.token_env.startswith(DEMO_TOKEN_PREFIX) for s in sources):
        raise ConfigError(
            "this is a kept demo workspace: its simulators ran only while `tracker demo` did; "
            "run `tracker demo --dir DIR --force` again to sync it afresh"
        )


def read_config(
    path: Path | None, env: Mapping[str, str] | None = None, *, require_tokens: bool = True
) -> Config:
    return load_config(path, os.environ if env is None else env, require_tokens=require_tokens)


def open_store(config: Config, *, create: bool = False) -> Store:
    """The store; only writers (``sync``, ``migrate``, ``demo``) pass ``create``, which
    makes the database and migrates it. Readers need it to exist at the current schema."""
    return Store(config.database, create=create)


def protected_files(config: Config) -> list[Path]:
    """Files ``-o`` must never replace: the config and a SQLite database."""
    files = [config.path] if config.path is not None else []
    if config.database.startswith("sqlite") and ":///" in config.database:
        database = config.database.split(":///", 1)[1].split("?", 1)[0]
        if database and database != ":memory:":
            files.append(Path(database).expanduser())
    return files


def version() -> str:
    """The installed distribution's version, whatever its name on the package index."""
    from importlib.metadata import PackageNotFoundError, packages_distributions
    from importlib.metadata import version as dist_version

    for name in [*packages_distributions().get("tracker", []), DISTRIBUTION, "tracker"]:
        try:
            return dist_version(name)
        except PackageNotFoundError:
            continue
    return "unknown (not installed)"


def build_source(config: JiraSourceConfig | LinearSourceConfig) -> Source:
    # Imported here so a command that needs no connector does not pay for the `jira`
    # library's import time.
    if isinstance(config, JiraSourceConfig):
        from connectors.jira import JiraSource

        return JiraSource(config)
    from connectors.linear import LinearSource

    return LinearSource(config)
