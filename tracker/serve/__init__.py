"""``tracker serve``: receive Jira and Linear webhooks and store what they carry.

Polling stays the source of truth; the receiver adds precision (Linear's exact old texts,
Jira's edits within seconds) and nothing depends on it running. The CLI composes it: it
builds an ``Endpoint`` per configured source with that connector's translator.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from tracker.errors import ConfigError, TrackerError
from tracker.serve.app import MAX_BODY, Endpoint, Translator, build_app
from tracker.serve.nudger import Nudger
from tracker.store import Store

__all__ = [
    "MAX_BODY",
    "Endpoint",
    "Nudger",
    "Translator",
    "build_app",
    "check_binding",
    "run_server",
    "serving",
]


def check_binding(host: str, endpoints: Sequence[Endpoint]) -> None:
    """Every source served must name its signing secret (DESIGN §3): a source without one
    would accept whatever anyone sends, on any address (a proxy on loopback does not sign)."""
    if not endpoints:
        raise ConfigError("no [[source]] in the config: there is nothing to receive webhooks for")
    unsigned = [e.name for e in endpoints if e.secret is None]
    if unsigned:
        raise ConfigError(
            f"source {unsigned[0]!r} has no webhook_secret_env, so its deliveries cannot be "
            f"verified: set webhook_secret_env to the variable holding the webhook's signing "
            f"secret (serve on {host} refused)"
        )


def _server(
    store: Store, endpoints: Sequence[Endpoint], host: str, port: int, nudger: Nudger | None
) -> Any:
    """uvicorn's access log is off: it would print query strings, and a Server/DC webhook
    URL may carry its secret there; the app logs one line per refused delivery instead."""
    import uvicorn

    check_binding(host, endpoints)
    config = uvicorn.Config(
        build_app(store, endpoints, nudger=nudger),
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        server_header=False,
        lifespan="on",
    )
    return uvicorn.Server(config)


def run_server(
    store: Store,
    endpoints: Sequence[Endpoint],
    host: str,
    port: int,
    *,
    nudger: Nudger | None = None,
) -> None:
    """Serve in the foreground until interrupted (Ctrl-C, SIGTERM)."""
    server = _server(store, endpoints, host, port, nudger)
    logging.getLogger("tracker.serve").info(
        "receiving webhooks on http://%s:%d for %s",
        host,
        port,
        ", ".join(e.name for e in endpoints),
    )
    server.run()
    if not server.started:
        raise TrackerError(f"could not listen on {host}:{port}: is the port already in use?")


@contextlib.contextmanager
def serving(
    store: Store,
    endpoints: Sequence[Endpoint],
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    nudger: Nudger | None = None,
) -> Iterator[str]:
    """Serve in a background thread (port 0: a free one); yields the base URL. For tests,
    benchmarks and embedding."""
    server = _server(store, endpoints, host, port, nudger)
    thread = threading.Thread(target=server.run, name="tracker-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise TrackerError(f"could not listen on {host}:{port}")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
