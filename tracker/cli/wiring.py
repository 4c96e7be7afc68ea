"""The composition root: config → connectors, store, reports. Only ``tracker.cli`` may
import connectors and reports together (import-linter keeps it so)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from tracker.config import Config, JiraSourceConfig, LinearSourceConfig, load_config
from tracker.ports import Source
from tracker.store import Store


def read_config(
    path: Path | None, env: Mapping[str, str] | None = None, *, require_tokens: bool = True
) -> Config:
    return load_config(path, os.environ if env is None else env, require_tokens=require_tokens)


def open_store(config: Config) -> Store:
    return Store(config.database)


def build_source(config: JiraSourceConfig | LinearSourceConfig) -> Source:
    # Imported here so a command that needs no connector does not pay for the `jira`
    # library's import time.
    if isinstance(config, JiraSourceConfig):
        from connectors.jira import JiraSource

        return JiraSource(config)
    from connectors.linear import LinearSource

    return LinearSource(config)


def use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ
