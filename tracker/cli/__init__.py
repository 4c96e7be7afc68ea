"""The ``tracker`` command line. ``main`` maps the error tree to exit codes:

0 success · 1 runtime failure · 2 usage or config error · 3 flagged changes with
``--fail-on-flagged``. Users see one line per error, never a traceback.
"""

from __future__ import annotations

import logging
import sys

from tracker import collector
from tracker.cli.app import app
from tracker.errors import TrackerError

__all__ = ["app", "main"]

log = logging.getLogger("tracker")


def main(argv: list[str] | None = None) -> None:
    collector.freeze_startup()
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (the tests call this)."""
    try:
        result = app(args=argv, prog_name="tracker", standalone_mode=False)
    except TrackerError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _interrupted()
        return 130
    except Exception as exc:
        code = _click_exit(exc)
        if code is not None:
            return code
        # The last line of defence: one line; the traceback only with --verbose.
        log.debug("unexpected error", exc_info=True)
        _error(
            f"internal error: {type(exc).__name__}: {exc} (run with --verbose for details; please report it)"
        )
        return 1
    code = result if isinstance(result, int) else 0
    if code == 130:  # typer turns Ctrl-C into Exit(130) and returns it, silently
        _interrupted()
    return code


def _click_exit(exc: Exception) -> int | None:
    """Exit code for click's own exceptions, matched by class name because typer may
    vendor its own copy of click (``typer._click``) next to the real one."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "Exit" in names:
        return int(getattr(exc, "exit_code", 0))
    if "Abort" in names:
        _error("aborted")
        return 130
    if "ClickException" in names:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        message = message.replace("Value error, ", "")  # click 8.2+ wraps enum choice errors
        ctx = getattr(exc, "ctx", None)
        hint = (
            f" (see `tracker {ctx.info_name} --help`)"
            if ctx is not None and ctx.parent is not None
            else ""
        )
        _error(f"{message}{hint}")
        return int(getattr(exc, "exit_code", 2))
    return None


def _interrupted() -> None:
    _error("interrupted: what was committed is kept; run the command again to finish")


def _error(message: str) -> None:
    print(f"tracker: error: {message}", file=sys.stderr)
