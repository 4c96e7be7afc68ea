"""The ``tracker`` command line. ``main`` maps the error tree to exit codes:

0 success · 1 runtime failure · 2 usage or config error · 3 flagged changes with
``--fail-on-flagged``. Users see one line per error, never a traceback.
"""

from __future__ import annotations

import logging
import sys

import click

from tracker.cli.app import app
from tracker.errors import TrackerError

__all__ = ["app", "main"]

log = logging.getLogger("tracker")


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (the tests call this)."""
    try:
        result = app(args=argv, prog_name="tracker", standalone_mode=False)
    except TrackerError as exc:
        _error(str(exc))
        return exc.exit_code
    except click.exceptions.UsageError as exc:
        hint = f" (see `tracker {exc.ctx.info_name} --help`)" if exc.ctx and exc.ctx.parent else ""
        _error(f"{exc.format_message()}{hint}")
        return 2
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        _error("aborted")
        return 130
    except KeyboardInterrupt:
        _error("interrupted: what was committed is kept; run the command again to finish")
        return 130
    except Exception as exc:  # the last line of defence: one line, details only with -v
        log.debug("unexpected error", exc_info=True)
        _error(
            f"internal error: {type(exc).__name__}: {exc} (run with --verbose for details; please report it)"
        )
        return 1
    return result if isinstance(result, int) else 0


def _error(message: str) -> None:
    print(f"tracker: error: {message}", file=sys.stderr)
