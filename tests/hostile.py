"""Hostile servers for tests: real HTTP on loopback, no mocks.

``FaultProxy`` stands in front of a simulator and forwards every request, except those a
rule names, which it answers the way a broken server or proxy does: an empty HTTP 200, a
body without the fields the endpoint always sends, the same page again, a rate-limit
header asking for a day, or one byte a second.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

Transform = Callable[[Any, str], Any]  # (parsed JSON answer, request path) -> new answer


@dataclass
class Rule:
    path_contains: str
    status: int = 200
    body: bytes | None = None  # answer this instead of forwarding
    headers: dict[str, str] = field(default_factory=dict)
    transform: Transform | None = None  # forward, then rewrite the JSON answer
    trickle: float | None = None  # send one byte every this many seconds, for ever
    in_headers: bool = False  # trickle the headers, not the body
    count: int | None = None  # None: every matching request
    method: str | None = None
    body_contains: str | None = None  # e.g. a GraphQL operation name
    hits: int = 0


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.rules: list[Rule] = []
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                proxy._handle(self, "GET")

            def do_POST(self) -> None:
                proxy._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def on(self, path_contains: str, **kwargs: Any) -> Rule:
        rule = Rule(path_contains, **kwargs)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def _match(self, method: str, path: str, body: bytes) -> Rule | None:
        with self._lock:
            self.requests.append(f"{method} {path}")
            for rule in self.rules:
                if rule.path_contains not in path or rule.method not in (None, method):
                    continue
                if rule.body_contains is not None and rule.body_contains.encode() not in body:
                    continue
                if rule.count is not None and rule.hits >= rule.count:
                    continue
                rule.hits += 1
                return rule
        return None

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        rule = self._match(method, handler.path, body)
        if rule is not None and rule.trickle is not None:
            self._trickle(handler, rule.trickle, rule.in_headers)
            return
        if rule is not None and rule.body is not None:
            self._answer(handler, rule.status, rule.body, rule.headers)
            return
        status, headers, content = self._forward(handler, method, body)
        if rule is not None and rule.transform is not None:
            content = json.dumps(rule.transform(json.loads(content), handler.path)).encode()
            status, headers = rule.status, {**headers, **rule.headers}
        elif rule is not None:
            status, headers = rule.status, {**headers, **rule.headers}
        self._answer(handler, status, content, headers)

    def _forward(
        self, handler: BaseHTTPRequestHandler, method: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.upstream.hostname or "", self.upstream.port)
        headers = {
            k: v for k, v in handler.headers.items() if k.lower() not in ("host", "accept-encoding")
        }
        conn.request(method, handler.path, body=body or None, headers=headers)
        response = conn.getresponse()
        content = response.read()
        keep = {
            k: v
            for k, v in response.getheaders()
            if k.lower() not in ("content-length", "transfer-encoding", "connection")
        }
        conn.close()
        return response.status, keep, content

    @staticmethod
    def _answer(
        handler: BaseHTTPRequestHandler, status: int, content: bytes, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        if not any(k.lower() == "content-type" for k in headers):
            handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

    def _trickle(self, handler: BaseHTTPRequestHandler, every: float, in_headers: bool) -> None:
        try:
            if in_headers:
                handler.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
            else:
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", "100000")
                handler.end_headers()
            handler.wfile.flush()
            while not self._stopping.is_set():
                handler.wfile.write(b"a" if in_headers else b" ")
                handler.wfile.flush()
                time.sleep(every)
        except OSError:
            return
