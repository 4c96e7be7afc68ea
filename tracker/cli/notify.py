"""``tracker notify`` and ``tracker sync --notify``: wires the nudge channels
(``connectors.notify``) to the store and prints what would go, or what went."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic import SecretStr

from tracker import clock
from tracker.cli import options, wiring
from tracker.config import Config, JiraSourceConfig
from tracker.errors import ConfigError
from tracker.notify.compose import compose, plain_text
from tracker.notify.deliver import NotifyResult, Options, chosen_sprints, notify
from tracker.ports import Channel
from tracker.store import Store


class NotifyFormat(StrEnum):
    text = "text"
    json = "json"


def notify_command(
    sprint: Annotated[
        str | None,
        typer.Option(
            "--sprint",
            help="only this sprint (default: the active ones and those completed within window_after)",
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="only this source (its `name` in tracker.toml)")
    ] = None,
    send: Annotated[
        bool,
        typer.Option("--send", help="deliver and record (default: a dry run that prints them)"),
    ] = False,
    fmt: Annotated[
        NotifyFormat,
        typer.Option("--format", help="dry run: text (as read) or json (the exact requests)"),
    ] = NotifyFormat.text,
    config_path: options.ConfigOpt = None,
    verbose: options.VerboseOpt = False,
    quiet: options.QuietOpt = False,
) -> None:
    """Nudge the flagged AC changes not nudged yet: a dry run prints them; --send delivers each once per channel."""
    options.apply(config_path, verbose, quiet)
    config = wiring.read_config(options.State.config_path, require_tokens=False)
    store = wiring.open_store(config)
    try:
        result = run_notify(
            config,
            store,
            sprint=sprint,
            sources=[source] if source else None,
            send=send,
            previews=fmt is NotifyFormat.json,
        )
    finally:
        store.close()
    if send:
        _print_sent(result)
    else:
        sys.stdout.write(render_dry_run(result, fmt))
    if _report_failures(result):
        raise typer.Exit(1)


def run_notify(
    config: Config,
    store: Store,
    *,
    sprint: str | None,
    sources: Sequence[str] | None,
    send: bool,
    previews: bool = False,
) -> NotifyResult:
    names = [s.name for s in config.sources(list(sources) if sources else None)]
    now = clock.now()
    sprints = chosen_sprints(store, config.policy.window_after, now, sprint=sprint, sources=names)
    channels = build_channels(config, {s.source for s in sprints}, send=send)
    settings = config.notify
    lead = settings.lead or (config.policy.engineers[0] if config.policy.engineers else None)
    nudging = Options(lead=lead, delay=settings.delay, digest=settings.digest)
    try:
        return notify(
            store,
            config.policy,
            sprints,
            channels,
            nudging,
            send=send,
            now=now,
            previews=previews,
        )
    finally:
        for channel in channels:
            channel.close()


def build_channels(config: Config, sources: set[str], *, send: bool) -> list[Channel]:
    from connectors.notify import CommentChannel, JiraCommenter, LinearCommenter, SlackChannel

    settings = config.notify
    channels: list[Channel] = []
    if settings.slack_webhook_env:
        value = os.environ.get(settings.slack_webhook_env, "").strip()
        if send and not value:
            raise ConfigError(
                f"[notify] slack_webhook_env names {settings.slack_webhook_env}, which is not set: "
                f"export {settings.slack_webhook_env}=<the Slack incoming webhook URL>"
            )
        channels.append(
            SlackChannel(SecretStr(value) if value else None, settings.slack_webhook_env)
        )
    if settings.comment:
        chosen = [s for s in config.source if s.name in sources]
        if send:
            missing = [s for s in chosen if s.token is None]
            if missing:
                raise ConfigError(
                    f"source {missing[0].name!r}: environment variable {missing[0].token_env} is not set; "
                    f"export {missing[0].token_env}=<token> to comment on its issues"
                )
        commenters: dict[str, JiraCommenter | LinearCommenter] = {
            s.name: JiraCommenter(s) if isinstance(s, JiraSourceConfig) else LinearCommenter(s)
            for s in chosen
        }
        channels.append(CommentChannel(commenters))
    if not channels:
        raise ConfigError(
            'no nudge channel is configured: add a [notify] table with slack_webhook_env = "SLACK_WEBHOOK_URL" '
            "and/or comment = true to tracker.toml"
        )
    return channels


def render_dry_run(result: NotifyResult, fmt: str) -> str:
    if fmt == "json":
        rows: list[dict[str, Any]] = [
            {
                "channel": o.channel,
                "issues": [n.issue.key for n in o.nudges],
                "sprint": o.nudges[0].sprint.name,
                "to": o.describe,
                "request": o.preview,
            }
            for o in result.outcomes
            if o.state == "due"
        ]
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    due = [o for o in result.outcomes if o.state == "due"]
    if not due:
        names = ", ".join(s.name for s in result.sprints) or "no active or recent sprint"
        return f"nothing to nudge ({names}): every flagged change was nudged on every channel\n"
    lines: list[str] = []
    shown: set[tuple[str, str]] = set()
    for outcome in due:
        for nudge in outcome.nudges:
            where = [o.describe for o in due if nudge in o.nudges]
            ident = (nudge.issue.source, nudge.issue.key + nudge.mark)
            if ident in shown:
                continue
            shown.add(ident)
            lines.append(f"── {nudge.issue.key} · {nudge.sprint.name} → {'; '.join(where)}")
            lines.extend("   " + line for line in plain_text(compose(nudge)).splitlines())
            lines.append("")
    lines.append(
        "dry run: nothing was sent; `tracker notify --send` delivers these (--format json shows the exact requests)"
    )
    return "\n".join(lines) + "\n"


def _print_sent(result: NotifyResult) -> None:
    """What went where: a message for the terminal (stderr; --quiet silences it)."""
    for outcome in result.outcomes:
        if outcome.state == "sent":
            keys = ", ".join(n.issue.key for n in outcome.nudges)
            options.note(f"sent {keys} to {outcome.describe}")


def _report_failures(result: NotifyResult) -> bool:
    for outcome in result.failures:
        print(f"tracker: error: {outcome.error}", file=sys.stderr)
    return bool(result.failures)


def notify_after_sync(config: Config, synced: Sequence[str]) -> None:
    """``sync --notify``: send for the sources that synced; quiet unless one fails."""
    if not synced:
        return
    store = wiring.open_store(config)
    try:
        result = run_notify(config, store, sprint=None, sources=synced, send=True)
    finally:
        store.close()
    if _report_failures(result):
        raise typer.Exit(1)


def first_nudge_text(config: Config, store: Store, *, sprint: str, source: str) -> str:
    """The dry run of the first nudge due in one sprint (the demo shows one)."""
    result = run_notify(config, store, sprint=sprint, sources=[source], send=False)
    first = next((o for o in result.outcomes if o.state == "due"), None)
    if first is None:
        return ""
    nudge = first.nudges[0]
    return render_dry_run(NotifyResult(result.sprints, [first]), "text").replace(
        "dry run: nothing was sent", f"the nudge for {nudge.issue.key}, a dry run: nothing was sent"
    )
