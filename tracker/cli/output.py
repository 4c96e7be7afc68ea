"""Where output goes: data to stdout (or -o PATH), messages to stderr."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn
from rich.table import Table

from tracker.cli.options import State, note
from tracker.errors import ConfigError
from tracker.ports import Check
from tracker.sync import OnPage, SyncResult

# The extensions each format may be written to; the first is what -o infers from.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "csv": (".csv",),
    "json": (".json",),
    "markdown": (".md", ".markdown"),
    "html": (".html", ".htm"),
    "table": (".txt",),
}


def choose_format(fmt: str | None, output: Path | None, known: Sequence[str]) -> str:
    """``--format`` if given, else the one ``-o PATH``'s extension names, else a table."""
    if fmt is not None:
        return fmt
    if output is None or str(output) == "-":
        return "table"
    suffix = output.suffix.lower()
    for name in known:
        if suffix in EXTENSIONS.get(name, ()):
            return name
    raise ConfigError(
        f"cannot tell the format from {str(output)!r}: name the file .csv, .json, .md or "
        ".html, or pass --format"
    )


def emit(
    text: str,
    output: Path | None,
    *,
    fmt: str = "table",
    force: bool = False,
    protected: Sequence[Path] = (),
) -> None:
    """Data to stdout, or to ``output`` by the rules of DESIGN §2: atomically (a
    temporary file, then a rename), never through a symbolic link, an existing file
    only when its extension matches ``fmt`` (or with ``force``), and never one of the
    ``protected`` files (the config, the database), whatever the flags."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    _check_target(output, fmt, force, protected)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(output, text.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot write {output}: {exc.strerror or exc}: choose another -o PATH"
        ) from exc
    note(f"wrote {output}")


def _check_target(output: Path, fmt: str, force: bool, protected: Sequence[Path]) -> None:
    if output.is_symlink():
        raise ConfigError(f"{output} is a symbolic link: -o never writes through one; name a file")
    if not output.exists():
        return
    if any(_same_file(output, p) for p in protected):
        raise ConfigError(f"{output} is tracker's own config or database: choose another -o PATH")
    if not output.is_file():
        raise ConfigError(f"{output} exists and is not a regular file: choose another -o PATH")
    if output.suffix.lower() not in EXTENSIONS.get(fmt, ()) and not force:
        raise ConfigError(
            f"{output} exists and is not a {fmt} file: pass --force to replace it, "
            "or choose another -o PATH"
        )


def _same_file(output: Path, other: Path) -> bool:
    try:
        return other.exists() and output.samefile(other)
    except OSError:
        return False


def _write_atomically(output: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one. Bytes, not text, so
    CSV's line endings and the BOM reach the file exactly as rendered."""
    try:
        mode = stat.S_IMODE(output.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(mode)
        temporary.replace(output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def terminal_width() -> int:
    """``$COLUMNS``, else the terminal's width, else 100 (piped, cron)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        with contextlib.suppress(OSError):
            return os.get_terminal_size(sys.stdout.fileno()).columns
    return 100


def use_color() -> bool:
    """Colour only on a terminal that can show it: never when ``NO_COLOR`` is set to
    anything but the empty string (no-color.org), nor when ``TERM=dumb``."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


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
            if sys.stderr.isatty() and not State.quiet:
                print(msg, file=sys.stderr)


@contextlib.contextmanager
def sync_progress() -> Iterator[OnPage | None]:
    """A transient spinner with issues stored per source, on a terminal only (cron logs
    stay clean); NO_COLOR keeps it monochrome."""
    if not sys.stderr.isatty() or State.quiet or os.environ.get("TERM") == "dumb":
        yield None
        return
    console = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def on_page(source: str, issues: int) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(source)
            bar.update(tasks[source], description=f"syncing {source}: {issues} issues stored")

        yield on_page
