"""A loopback Slack incoming-webhook receiver: a real HTTP server in the test process
that records every payload it accepts and answers as Slack does (``ok``), or, when told
to, with Slack's errors (404 ``no_service`` for a revoked webhook, 429 with Retry-After,
500)."""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from connectors.sim._loopback import LoopbackServer

PATH = "/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"


class SlackReceiver(LoopbackServer):
    path = PATH

    def __init__(self) -> None:
        super().__init__()
        self.received: list[dict[str, Any]] = []
        self.attempts = 0
        self._answers: deque[tuple[int, str, dict[str, str]]] = deque()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, text, headers = receiver._answer(self.path, raw)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._handler = Handler

    def _make_server(self) -> ThreadingHTTPServer:
        return ThreadingHTTPServer(("127.0.0.1", 0), self._handler)

    def answer_next(
        self, status: int, text: str, headers: dict[str, str] | None = None, count: int = 1
    ) -> None:
        for _ in range(count):
            self._answers.append((status, text, headers or {}))

    def _answer(self, path: str, raw: bytes) -> tuple[int, str, dict[str, str]]:
        with self._lock:
            self.attempts += 1
            if path != PATH:
                return 404, "no_service", {}
            if self._answers:
                return self._answers.popleft()
            try:
                payload = json.loads(raw)
            except ValueError:
                return 400, "invalid_payload", {}
            if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
                return 400, "no_text", {}
            self.received.append(payload)
            return 200, "ok", {}
