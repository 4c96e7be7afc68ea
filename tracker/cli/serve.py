"""``tracker serve``: composes each configured source's webhook translator with the store
and runs the receiver (``tracker.serve``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli import wiring
from tracker.config import Config, JiraSourceConfig, LinearSourceConfig
from tracker.domain import SourceKind
from tracker.errors import ConfigError

if TYPE_CHECKING:  # the web stack is imported by `serve` only, not by every command
    from tracker.serve import Endpoint


def serve(
    host: Annotated[
        str, typer.Option("--host", help="address to listen on (loopback unless you mean it)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port to listen on")] = 8787,
) -> None:
    """Receive Jira and Linear webhooks, verify their signatures and store what they carry."""
    from tracker.cli.app import State
    from tracker.serve import run_server

    config = wiring.read_config(State.config_path, require_tokens=False)
    endpoints = build_endpoints(config, os.environ)
    store = wiring.open_store(config)
    logging.getLogger("tracker.serve").setLevel(logging.INFO)
    try:
        run_server(store, endpoints, host, port)
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
