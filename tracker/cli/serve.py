"""``tracker serve``: composes each configured source's webhook translator with the store
and runs the receiver (``tracker.serve``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli import options, wiring
from tracker.cli.options import ConfigOpt, QuietOpt, State, VerboseOpt
from tracker.config import Config, JiraSourceConfig, LinearSourceConfig
from tracker.domain import SourceKind
from tracker.errors import ConfigError

if TYPE_CHECKING:  # the web stack is imported by `serve` only, not by every command
    from tracker.serve import Endpoint
    from tracker.store import Store


def serve(
    host: Annotated[
        str, typer.Option("--host", help="address to listen on (loopback unless you mean it)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port to listen on")] = 8787,
    notify: Annotated[
        bool,
        typer.Option(
            "--notify",
            help="nudge flagged changes within a minute of the edit (as tracker notify --send)",
        ),
    ] = False,
    config_path: ConfigOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Receive Jira and Linear webhooks, verify their signatures and store what they carry."""
    options.apply(config_path, verbose, quiet)
    from tracker.serve import Nudger, check_binding, run_server

    config = wiring.read_config(State.config_path, require_tokens=False)
    endpoints = build_endpoints(config, os.environ)
    check_binding(host, endpoints)  # refuse before anything is created or opened
    store = wiring.open_store(config, create=True)  # serve creates and migrates, as sync does
    logging.getLogger("tracker.serve").setLevel(logging.INFO)
    nudger = Nudger(_nudge_for(config, store), [e.name for e in endpoints]) if notify else None
    try:
        run_server(store, endpoints, host, port, nudger=nudger)
    finally:
        store.close()


def build_endpoints(config: Config, env: Mapping[str, str]) -> list[Endpoint]:
    """One endpoint per source, with its connector's translator and signing secret."""
    return [_endpoint(source, env) for source in config.sources()]


def _endpoint(source: JiraSourceConfig | LinearSourceConfig, env: Mapping[str, str]) -> Endpoint:
    from tracker.serve import Endpoint

    secret: bytes | None = None
    if source.webhook_secret_env:
        value = env.get(source.webhook_secret_env, "").strip()
        if not value:
            raise ConfigError(
                f"source {source.name!r}: environment variable {source.webhook_secret_env} is "
                f"not set; export {source.webhook_secret_env}=<the webhook's signing secret>"
            )
        secret = value.encode("utf-8")
    if isinstance(source, JiraSourceConfig):
        from connectors.jira.webhook import JiraWebhookTranslator

        jira = JiraWebhookTranslator(source.name, source.ac_field, source.url)
        return Endpoint(source.name, SourceKind.JIRA, secret, jira)
    from connectors.linear.webhook import LinearWebhookTranslator

    linear = LinearWebhookTranslator(source.name)
    return Endpoint(source.name, SourceKind.LINEAR, secret, linear)


def _nudge_for(config: Config, store: Store) -> Callable[[Sequence[str]], None]:
    """What ``tracker notify --send`` does, for the given sources; a channel that failed
    is logged in one line (the receiver goes on)."""
    from tracker.cli.notify import run_notify

    def nudge(sources: Sequence[str]) -> None:
        result = run_notify(config, store, sprint=None, sources=sources, send=True)
        log = logging.getLogger("tracker.serve")
        for outcome in result.outcomes:
            if outcome.state == "sent":
                keys = ", ".join(n.issue.key for n in outcome.nudges)
                log.info("nudged %s on %s", keys, outcome.describe)
            elif outcome.state == "failed":
                log.error("nudge not sent: %s", outcome.error)

    return nudge
