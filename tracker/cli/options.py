"""The options every command shares, and what they set for the whole process.

``--config``, ``--verbose`` and ``--quiet`` are accepted before the command (``tracker
--config t.toml report ...``) and after it (``tracker report --config t.toml ...``); the
one given last wins. ``--format`` choices are enums so ``--help`` lists them.
"""

from __future__ import annotations

import logging
import sys
from datetime import tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from tracker.errors import UsageError


class State:
    """What the global options chose; one CLI run per process."""

    config_path: Path | None = None
    verbose: bool = False
    quiet: bool = False


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="tracker.toml to use (default: $TRACKER_CONFIG, else ./tracker.toml)",
        show_default=False,
    ),
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="log progress and details to stderr")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="print nothing but data and errors")]
SourceOpt = Annotated[
    str | None, typer.Option("--source", help="only this source (its `name` in tracker.toml)")
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="write to this file (the format follows its extension: .csv .json .md .html; "
        "`-` is stdout)",
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="-o: replace an existing file of another kind")
]


TzOpt = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="show times in this zone (an IANA name such as Europe/Berlin; default UTC)",
    ),
]


def time_zone(name: str | None) -> tzinfo | None:
    """The zone ``--tz`` names; None for UTC."""
    if name is None or name.strip().upper() == "UTC":
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin or UTC"
        ) from None


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"


class TrendFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def apply(config: Path | None, verbose: bool, quiet: bool) -> None:
    """Take the options given (before or after the command) and set up logging."""
    if config is not None:
        State.config_path = config
    State.verbose = State.verbose or verbose
    State.quiet = (State.quiet or quiet) and not State.verbose
    level = logging.DEBUG if State.verbose else logging.ERROR if State.quiet else logging.WARNING
    logging.basicConfig(
        level=level, format="tracker: %(levelname)s: %(message)s", stream=sys.stderr, force=True
    )
    if not State.verbose:
        # The jira library logs every retry at WARNING, with URLs; our own messages say it once.
        logging.getLogger("jira").setLevel(logging.CRITICAL)


def reset() -> None:
    State.config_path = None
    State.verbose = False
    State.quiet = False


def note(message: str) -> None:
    """A message for the person at the terminal (stderr), silenced by ``--quiet``."""
    if not State.quiet:
        print(message, file=sys.stderr)
