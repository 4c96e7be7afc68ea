"""Where output goes: data to stdout (or -o PATH), messages to stderr."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn
from rich.table import Table

from tracker.errors import ConfigError
from tracker.ports import Check
from tracker.sync import OnPage, SyncResult


def emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        # newline="" keeps CSV's \r\n row endings as the csv module wrote them.
        with output.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise ConfigError(f"cannot write {output}: {exc.strerror}: choose another -o PATH") from exc
    print(f"wrote {output}", file=sys.stderr)


def render_rows(rows: Sequence[dict[str, str | None]], columns: Sequence[str]) -> str:
    table = Table(*columns, box=None, pad_edge=False, header_style="bold")
    for row in rows:
        table.add_row(*(row.get(c) or "" for c in columns))
    buffer = io.StringIO()
    Console(file=buffer, width=120, no_color=True, highlight=False).print(table)
    return buffer.getvalue()


def print_checks(title: str, checks: Sequence[Check]) -> bool:
    """Print doctor's lines; True when all passed."""
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        line = f"{mark} {title}: {check.what}"
        if check.detail:
            line += f": {check.detail}"
        print(line)
        if not check.ok and check.fix:
            print(f"     fix: {check.fix}")
    return all(c.ok for c in checks)


def print_sync_results(results: Sequence[SyncResult]) -> None:
    """Quiet on success (cron mails only failures); one loud line per failed source."""
    for result in results:
        if result.error is not None:
            print(
                f"tracker: error: sync of {result.source!r} failed: {result.error}", file=sys.stderr
            )
        else:
            msg = f"synced {result.source}: {result.sprints} sprints, {result.issues} issues read"
            if sys.stderr.isatty():
                print(msg, file=sys.stderr)


@contextlib.contextmanager
def sync_progress() -> Iterator[OnPage | None]:
    """A transient spinner with issues stored per source, on a terminal only (cron logs
    stay clean); NO_COLOR keeps it monochrome."""
    if not sys.stderr.isatty():
        yield None
        return
    console = Console(stderr=True, no_color="NO_COLOR" in os.environ)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def on_page(source: str, issues: int) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(source)
            bar.update(tasks[source], description=f"syncing {source}: {issues} issues stored")

        yield on_page
