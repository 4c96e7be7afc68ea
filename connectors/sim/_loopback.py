"""What both simulators share: one life cycle and one vocabulary of faults.

``start()`` binds ``127.0.0.1`` on an ephemeral port and serves from a daemon thread;
``stop()`` (or leaving the ``with`` block) shuts it down; ``url`` is where a client points.
``requests`` counts what was asked (by route or operation), ``reset_counts()`` forgets it.
``fail_next(fault, count=1)`` answers the next ``count`` requests with one of ``FAULTS``,
as that tracker would: each simulator maps them to its own wire form and may offer more.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self

# rate_limited: the budget is spent (Jira 429 + Retry-After; Linear 400 RATELIMITED)
# unavailable: 503 + Retry-After; server_error: 500; auth: the credentials are refused
FAULTS = ("rate_limited", "unavailable", "server_error", "auth")


class LoopbackServer:
    """Start/stop of a threaded HTTP server on loopback; subclasses say what it serves."""

    path = ""  # appended to the base address to make ``url`` (Linear: "/graphql")

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _make_server(self) -> ThreadingHTTPServer:
        raise NotImplementedError

    def start(self) -> Self:
        if self._server is None:
            self._server = self._make_server()
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"{type(self).__name__}-loopback",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    close = stop

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(
                "the simulator is not running: use it as a context manager or call start()"
            )
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def reset_counts(self) -> None:
        """Forget the requests counted so far."""
        self.requests.clear()
