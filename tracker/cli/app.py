"""The typer app: one function per command. Each parses, calls one library function and
renders; the first docstring line of each command is its ``--help``."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker import clock
from tracker.cli import wiring
from tracker.cli.output import emit, print_sync_results, sync_progress
from tracker.config import TEMPLATE, find_config_path
from tracker.errors import ConfigError, FlaggedChanges
from tracker.service import build_report, build_trend, issue_timeline, list_sprints
from tracker.sync import sync_all

app = typer.Typer(
    help="Which acceptance criteria changed after the sprint started, and was engineering asked?",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


class State:
    config_path: Path | None = None


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="tracker.toml to use (default: $TRACKER_CONFIG, else ./tracker.toml)"
    ),
]
SourceOpt = Annotated[
    str | None, typer.Option("--source", help="only this source (its `name` in tracker.toml)")
]
OutOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="write to this file instead of stdout")
]


@app.callback()
def _global(
    config: ConfigOpt = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="log progress and details to stderr")
    ] = False,
) -> None:
    """Which acceptance criteria changed after the sprint started, and was engineering asked?"""
    State.config_path = config
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="tracker: %(levelname)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    if not verbose:
        # The jira library logs every retry at WARNING, with URLs; our own messages say it once.
        logging.getLogger("jira").setLevel(logging.CRITICAL)


@app.command()
def init(
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Write a commented tracker.toml template (no network)."""
    path = find_config_path(State.config_path, os.environ)
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists: edit it, or pass --force to overwrite it")
    path.write_text(TEMPLATE, encoding="utf-8")
    print(
        f"wrote {path}: set each source's url, boards/teams and token_env, then run `tracker doctor`",
        file=sys.stderr,
    )


@app.command()
def doctor() -> None:
    """Check the config, the database, each source's credentials and field mapping; print a fix for each problem."""
    from tracker.cli.doctor import run_doctor

    ok = run_doctor(State.config_path)
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
) -> None:
    """Poll every configured source and store what changed (incremental and idempotent)."""
    config = wiring.read_config(State.config_path)
    chosen = config.sources(source)
    store = wiring.open_store(config)
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

        notify_after_sync(config, [r.source for r in results if r.ok])
    if not all(r.ok for r in results):
        raise typer.Exit(1)


@app.command()
def sprints(
    source: SourceOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List known sprints/cycles: source, id, name, state, start, end."""
    if fmt not in ("table", "json"):
        raise ConfigError(f"--format {fmt!r} is not one of: table, json")
    config = wiring.read_config(State.config_path, require_tokens=False)
    store = wiring.open_store(config)
    found = list_sprints(store, source)
    rows = [
        {
            "source": s.source,
            "id": s.key or s.id,
            "name": s.name,
            "state": str(s.state),
            "start": clock.iso(s.started_at),
            "end": clock.iso(s.ended_at or s.planned_end),
        }
        for s in found
    ]
    if fmt == "json":
        emit(json.dumps(rows, indent=2) + "\n", None)
        return
    from tracker.cli.output import render_rows

    emit(render_rows(rows, ["source", "id", "name", "state", "start", "end"]), None)


@app.command()
def report(
    sprint: Annotated[
        str,
        typer.Option("--sprint", help="Jira sprint id, sprint/cycle name, or Linear TEAM-NUMBER"),
    ],
    source: SourceOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, csv, json, markdown or html")
    ] = "table",
    output: OutOpt = None,
    fail_on_flagged: Annotated[
        bool, typer.Option("--fail-on-flagged", help="exit 3 when the report has flagged changes")
    ] = False,
    summary: Annotated[
        bool, typer.Option("--summary", help="markdown: a short summary for chat")
    ] = False,
    bom: Annotated[
        bool, typer.Option("--bom", help="csv: start with a UTF-8 BOM (for Excel)")
    ] = False,
) -> None:
    """The per-sprint report of AC changes after the sprint started, with verdicts."""
    from reports import FORMATS, render_report

    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r} is not one of: {', '.join(FORMATS)}")
    config = wiring.read_config(State.config_path, require_tokens=False)
    store = wiring.open_store(config)
    found = build_report(store, config.policy, sprint, source)
    text = render_report(
        found, fmt, color=output is None and wiring.use_color(), bom=bom, summary_only=summary
    )
    emit(text, output)
    if fail_on_flagged and found.summary.flagged:
        raise FlaggedChanges(f"{found.summary.flagged} flagged AC change(s) in {found.sprint.name}")


@app.command()
def show(
    issue_key: Annotated[str, typer.Argument(help="the issue key, e.g. PAY-7 or ENG-42")],
    sprint: Annotated[
        str | None, typer.Option("--sprint", help="the sprint to judge it in (default: its latest)")
    ] = None,
    source: SourceOpt = None,
) -> None:
    """One issue's AC timeline: every version, the diffs, the verdicts and their evidence."""
    from reports.timeline import render_timeline

    config = wiring.read_config(State.config_path, require_tokens=False)
    store = wiring.open_store(config)
    timeline = issue_timeline(store, config.policy, issue_key, sprint=sprint, source=source)
    emit(render_timeline(timeline.sprint, timeline.finding, color=wiring.use_color()), None)


@app.command()
def trend(
    source: SourceOpt = None,
    last: Annotated[
        int, typer.Option("--last", min=1, help="how many recent sprints per source")
    ] = 10,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or html")] = "table",
    output: OutOpt = None,
) -> None:
    """The same measures across the last N sprints, with a chart in HTML."""
    from reports import TREND_FORMATS, render_trend

    if fmt not in TREND_FORMATS:
        raise ConfigError(f"--format {fmt!r} is not one of: {', '.join(TREND_FORMATS)}")
    config = wiring.read_config(State.config_path, require_tokens=False)
    store = wiring.open_store(config)
    points = build_trend(store, config.policy, source=source, last=last)
    emit(render_trend(points, fmt, color=output is None and wiring.use_color()), output)


@app.command()
def demo(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="keep the demo's config and database here (default: a temp dir)"
        ),
    ] = None,
) -> None:
    """Sync and report sprint 42 of the bundled sample workspace, served by the built-in simulator on loopback."""
    from tracker.cli.demo import run_demo

    run_demo(directory)


from tracker.cli.notify import notify_command  # noqa: E402 - registered beside the others

app.command(name="notify")(notify_command)
