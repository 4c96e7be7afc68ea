"""The typer app: one function per command. Each parses, calls one library function and
renders; the first docstring line of each command is its ``--help``."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from tracker import clock
from tracker.cli import options, wiring
from tracker.cli.options import (
    ConfigOpt,
    ForceOpt,
    ListFormat,
    OutOpt,
    QuietOpt,
    ReportFormat,
    SourceOpt,
    State,
    TrendFormat,
    TzOpt,
    VerboseOpt,
    note,
)
from tracker.cli.output import (
    choose_format,
    emit,
    print_sync_results,
    sync_progress,
    terminal_width,
    use_color,
)
from tracker.cli.serve import serve as serve_command
from tracker.config import TEMPLATE, Config, find_config_path
from tracker.errors import ConfigError, FlaggedChanges, UsageError
from tracker.service import build_report, build_trend, issue_timeline
from tracker.store import Store
from tracker.sync import sync_all

app = typer.Typer(
    help="Which acceptance criteria changed after the sprint started, and was engineering asked?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"tracker {wiring.version()}")
        raise typer.Exit(0)


@app.callback()
def _global(
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="print the version and exit", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Which acceptance criteria changed after the sprint started, and was engineering asked?"""
    options.reset()
    options.apply(config, verbose, quiet)


def _config() -> Config:
    return wiring.read_config(State.config_path, require_tokens=False)


@contextlib.contextmanager
def _reading(source: str | None) -> Iterator[tuple[Config, Store]]:
    """The config and the store for a read command, closed however the command ends.
    An unknown ``--source`` is the same one line for every command; a source is known
    when it is configured or has data stored."""
    config = _config()
    store = wiring.open_store(config)
    try:
        if source is not None:
            known = {s.name for s in config.source} | {s.source for s in store.sprints()}
            if source not in known:
                listed = ", ".join(sorted(known)) or "none"
                raise UsageError(f"no source named {source!r}; known: {listed}")
        yield config, store
    finally:
        store.close()


@app.command()
def init(
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a commented tracker.toml template (no network)."""
    options.apply(config, verbose, quiet)
    path = find_config_path(State.config_path, os.environ)
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists: edit it, or pass --force to overwrite it")
    if not path.parent.is_dir():
        raise ConfigError(
            f"no folder {path.parent} for {path.name}: create it first (mkdir -p {path.parent})"
        )
    try:
        path.write_text(TEMPLATE, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc
    note(
        f"wrote {path}: set each source's url, boards/teams and token_env, then run `tracker doctor`"
    )


@app.command()
def doctor(
    as_json: Annotated[
        bool, typer.Option("--json", help="print the checks as JSON (for monitoring)")
    ] = False,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Check the config, the database, each source's credentials and field mapping; print a fix for each problem."""
    from tracker.cli.doctor import run_doctor

    options.apply(config, verbose, quiet)
    ok = run_doctor(State.config_path, as_json=as_json)
    if not ok:
        raise typer.Exit(1)


@app.command()
def sync(
    source: Annotated[
        list[str] | None, typer.Option("--source", help="only these sources (repeatable)")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="re-read everything, ignoring the cursor")
    ] = False,
    notify: Annotated[
        bool,
        typer.Option(
            "--notify", help="then send the nudges for what it found (tracker notify --send)"
        ),
    ] = False,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Poll every configured source and store what changed (incremental and idempotent)."""
    options.apply(config, verbose, quiet)
    loaded = wiring.read_config(State.config_path, require_tokens=False)
    if not loaded.source:
        raise ConfigError(
            f"{loaded.path} configures no source: add a [[source]] table "
            "(`tracker init` writes an example)"
        )
    wiring.refuse_kept_demo(loaded.sources(source))
    resolved = wiring.read_config(State.config_path)
    chosen = resolved.sources(source)
    store = wiring.open_store(loaded, create=True)
    built = [(wiring.build_source(s), s.url) for s in chosen]
    try:
        with sync_progress() as on_page:
            results = sync_all(store, built, full=full, on_page=on_page)
    finally:
        for src, _ in built:
            src.close()
        store.close()
    print_sync_results(results)
    if notify:
        from tracker.cli.notify import notify_after_sync

        notify_after_sync(resolved, [r.source for r in results if r.ok])
    if not all(r.ok for r in results):
        raise typer.Exit(1)


@app.command()
def migrate(config: ConfigOpt = None, verbose: VerboseOpt = False, quiet: QuietOpt = False) -> None:
    """Bring the database schema up to date (sync also does it; read commands never do)."""
    options.apply(config, verbose, quiet)
    loaded = _config()
    store = wiring.open_store(loaded, create=True)
    try:
        note(f"database schema at revision {store.revision}")
    finally:
        store.close()


@app.command()
def sprints(
    source: SourceOpt = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="how to print the list")] = (
        ListFormat.table
    ),
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """List known sprints/cycles: source, id, name, state, start, end."""
    options.apply(config, verbose, quiet)
    with _reading(source) as (_, store):
        found = store.sprints(source)
    from reports.common import printable

    rows = [
        {
            "source": s.source,
            "id": s.key or s.id,
            "name": s.name,
            "state": str(s.state),
            "start": clock.iso(s.started_at),
            "end": clock.iso(s.ended_at or s.planned_end),
        }
        for s in printable(found)
    ]
    if fmt is ListFormat.json:
        emit(json.dumps(rows, indent=2) + "\n", None)
        return
    from tracker.cli.output import render_rows

    emit(render_rows(rows, ["source", "id", "name", "state", "start", "end"]), None)


SprintOpt = Annotated[
    str,
    typer.Option(
        "--sprint",
        help="Jira sprint id, sprint/cycle name, Linear TEAM-NUMBER, `current` or `previous`",
    ),
]


@app.command()
def report(
    sprint: SprintOpt,
    source: SourceOpt = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="default: from -o's extension, else table"),
    ] = None,
    output: OutOpt = None,
    force: ForceOpt = False,
    fail_on_flagged: Annotated[
        bool, typer.Option("--fail-on-flagged", help="exit 3 when the report has flagged changes")
    ] = False,
    summary: Annotated[
        bool, typer.Option("--summary", help="markdown: a short summary for chat")
    ] = False,
    bom: Annotated[
        bool, typer.Option("--bom", help="csv: start with a UTF-8 BOM (for Excel)")
    ] = False,
    tz: TzOpt = None,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The per-sprint report of AC changes after the sprint started, with verdicts."""
    from reports import FORMATS, render_report

    options.apply(config, verbose, quiet)
    chosen = choose_format(fmt, output, FORMATS)
    zone = options.time_zone(tz)
    with _reading(source) as (loaded, store):
        found = build_report(store, loaded.policy, sprint, source)
    to_stdout = output is None or str(output) == "-"
    text = render_report(
        found,
        chosen,
        width=terminal_width(),
        color=to_stdout and use_color(),
        bom=bom,
        summary_only=summary,
        tz=zone,
    )
    emit(text, output, fmt=chosen, force=force, protected=wiring.protected_files(loaded))
    if fail_on_flagged and found.summary.flagged:
        raise FlaggedChanges(f"{found.summary.flagged} flagged AC change(s) in {found.sprint.name}")


@app.command()
def show(
    issue_key: Annotated[str, typer.Argument(help="the issue key, e.g. PAY-7 or eng-42")],
    sprint: Annotated[
        str | None,
        typer.Option(
            "--sprint",
            help="the sprint to judge it in: id, name, TEAM-NUMBER, `current` or `previous` "
            "(default: its latest)",
        ),
    ] = None,
    source: SourceOpt = None,
    tz: TzOpt = None,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """One issue's AC timeline: every version, the diffs, the verdicts and their evidence."""
    from reports.timeline import render_timeline

    options.apply(config, verbose, quiet)
    zone = options.time_zone(tz)
    # Jira and Linear keys are upper case; `pay-101` is what people type.
    key = issue_key.strip().upper()
    with _reading(source) as (loaded, store):
        timeline = issue_timeline(store, loaded.policy, key, sprint=sprint, source=source)
    text = render_timeline(
        timeline.sprint, timeline.finding, color=use_color(), width=terminal_width(), tz=zone
    )
    emit(text, None)


@app.command()
def trend(
    source: SourceOpt = None,
    last: Annotated[
        int, typer.Option("--last", min=1, help="how many recent sprints per source")
    ] = 10,
    fmt: Annotated[
        TrendFormat | None,
        typer.Option("--format", help="default: from -o's extension, else table"),
    ] = None,
    output: OutOpt = None,
    force: ForceOpt = False,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The same measures across the last N sprints, with a chart in HTML."""
    from reports import TREND_FORMATS, render_trend

    options.apply(config, verbose, quiet)
    chosen = choose_format(fmt, output, TREND_FORMATS)
    with _reading(source) as (loaded, store):
        points = build_trend(store, loaded.policy, source=source, last=last)
    to_stdout = output is None or str(output) == "-"
    text = render_trend(points, chosen, width=terminal_width(), color=to_stdout and use_color())
    emit(text, output, fmt=chosen, force=force, protected=wiring.protected_files(loaded))


@app.command()
def demo(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="keep the demo's config and database here (default: a temp dir)"
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="--dir: replace a tracker.toml or database there")
    ] = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Sync and report sprint 42 of the bundled sample workspace, served by the built-in simulator on loopback."""
    from tracker.cli.demo import run_demo

    options.apply(None, verbose, quiet)
    run_demo(directory, force=force)


from tracker.cli.notify import notify_command  # noqa: E402 - registered beside the others

app.command(name="notify")(notify_command)
app.command()(serve_command)
