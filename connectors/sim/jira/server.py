"""``JiraSimulator``: a loopback HTTP server that answers like Jira Cloud or Server/DC.

Threaded (``ThreadingHTTPServer``, daemon threads, HTTP/1.1 keep-alive), bound to
127.0.0.1 on an ephemeral port, with the life cycle and fault vocabulary both simulators
share (``connectors.sim._loopback``). It counts requests by route template and the most it
was answering at once (``max_in_flight``: a client's concurrency limit, checked on the
wire), can sleep per request (benchmarks), and can fail the next requests on demand
(``fail_next``: a shared fault name or a status; 429/503 with Retry-After, 500, 401) so
clients' retry paths can be tested against the real thing.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from connectors.sim._loopback import FAULTS, LoopbackServer
from connectors.sim.jira.fields import Flavour
from connectors.sim.jira.handlers import ROUTES, ApiError, Ctx, Reply, Route
from connectors.sim.jira.handlers._base import not_found_uri
from connectors.sim.jira.handlers._render import View
from connectors.sim.jira.model import JiraWorkspace, User
from tracker import clock

DEFAULT_TIME_ZONES: dict[str, str] = {"cloud": "Australia/Brisbane", "server": "America/Bogota"}
AUTH_FAILED = {
    "message": "Client must be authenticated to access this resource.",
    "status-code": 401,
}
RATE_LIMIT = 350  # Cloud's burst budget as its headers state it
_ANONYMOUS_OK = {"/rest/api/2/serverInfo"}


@dataclass(slots=True)
class _Failure:
    status: int
    retry_after: int | None
    remaining: int
    path_contains: str | None


def _compile(route: Route) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.template))
    return re.compile(f"^{pattern}/?$")


_COMPILED = [(route, _compile(route)) for route in ROUTES]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms a response on Linux), which swamps injected latency.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self.server.sim.serve(self)

    def do_POST(self) -> None:
        self.server.sim.serve(self)

    def do_PUT(self) -> None:
        self.server.sim.serve(self)

    def do_DELETE(self) -> None:
        self.server.sim.serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the demo own stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim: JiraSimulator


# The shared fault names as Jira answers them.
_FAULT_STATUS = {"rate_limited": 429, "unavailable": 503, "server_error": 500, "auth": 401}


class JiraSimulator(LoopbackServer):
    """Serve ``workspace`` as a Jira ``flavour`` ("cloud" or "server") on loopback.

    Cloud accepts basic auth ``email:token``; Server accepts ``Bearer token`` (a personal
    access token) or basic auth with the username or email and the token.
    """

    def __init__(
        self,
        workspace: JiraWorkspace,
        flavour: Flavour = "cloud",
        *,
        email: str = "demo@example.com",
        token: str = "demo-token",  # noqa: S107 - the simulator's own, not a secret
        latency: float = 0.0,
        time_zone: str | None = None,
        now: Callable[[], datetime] = clock.now,
        bulk_grant: int = 10_000,
    ) -> None:
        if flavour not in {"cloud", "server"}:
            raise ValueError(f"flavour must be 'cloud' or 'server', not {flavour!r}")
        super().__init__()
        self.workspace = workspace
        self.flavour: Flavour = flavour
        self.latency = latency
        # The server's clock (relative JQL dates) and the most histories a bulk changelog
        # page holds (Cloud documents up to 10,000; sites grant fewer).
        self.now = now
        self.bulk_grant = bulk_grant
        # Requests being answered now, and the most at once since the last reset_counts().
        self.in_flight = 0
        self.max_in_flight = 0
        self._email = email
        self._token = token
        self._viewer = self._find_viewer(email, time_zone or DEFAULT_TIME_ZONES[flavour])
        self._lock = threading.Lock()
        self._failures: list[_Failure] = []
        self._window = (0, 0)  # (second, requests in it) for X-RateLimit-Remaining

    # -- lifecycle ------------------------------------------------------------------
    def _make_server(self) -> _Server:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.sim = self
        return server

    @property
    def viewer(self) -> User:
        """The user the credentials belong to; times are rendered in their zone."""
        return self._viewer

    def reset_counts(self) -> None:
        """Forget the requests counted so far, and the most in flight at once."""
        with self._lock:
            self.requests.clear()
            self.max_in_flight = self.in_flight

    def fail_next(
        self,
        status: int | str = 429,
        retry_after: int | None = 1,
        count: int = 1,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests (whose path contains ``path_contains``) with
        ``status``, a shared fault name (``FAULTS``) or an HTTP status: 429/503 carry
        ``Retry-After`` unless it is None; 401, 404, 500 as Jira does."""
        if isinstance(status, str):
            if status not in _FAULT_STATUS:
                raise ValueError(f"unknown fault {status!r}; one of {', '.join(FAULTS)}")
            status = _FAULT_STATUS[status]
        with self._lock:
            self._failures.append(_Failure(status, retry_after, count, path_contains))

    # -- serving --------------------------------------------------------------------
    def _find_viewer(self, email: str, time_zone: str) -> User:
        try:
            found = self.workspace.user(email)
        except KeyError:
            found = None
        if found is None:
            name = email.split("@")[0]
            found = User(
                f"557058:{name}",
                name,
                f"JIRAUSER{zlib.crc32(name.encode()) % 90000 + 10000}",
                name.title(),
                email,
            )
        return dataclasses.replace(found, time_zone=time_zone)

    def serve(self, handler: _Handler) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._serve(handler)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _serve(self, handler: _Handler) -> None:
        if self.latency:
            time.sleep(self.latency)
        split = urlsplit(handler.path)
        path = unquote(split.path)
        route, params = self._match(handler.command, path)
        with self._lock:
            self.requests[f"{handler.command} {route.template if route else path}"] += 1
        body_bytes = self._read_body(handler)
        reply = self._injected(handler.path) or self._check_auth(handler, path)
        if reply is None:
            reply = self._dispatch(handler, route, params, split.query, body_bytes)
        self._send(handler, reply)

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        for route, pattern in _COMPILED:
            m = pattern.match(path)
            if m and route.method == method:
                return route, m.groupdict()
        return None, {}

    @staticmethod
    def _read_body(handler: _Handler) -> bytes:
        length = int(handler.headers.get("Content-Length") or 0)
        return handler.rfile.read(length) if length else b""

    def _injected(self, raw_path: str) -> Reply | None:
        with self._lock:
            failure = next(
                (
                    f
                    for f in self._failures
                    if f.path_contains is None or f.path_contains in raw_path
                ),
                None,
            )
            if failure is None:
                return None
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
        if failure.status == 401:
            return Reply(401, AUTH_FAILED, {"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"})
        messages = {
            429: "Rate limit exceeded.",
            503: "Service Unavailable",
            500: "Internal server error",
        }
        headers: dict[str, str] = {}
        if failure.retry_after is not None and failure.status in {429, 503}:
            headers["Retry-After"] = str(failure.retry_after)
        if failure.status == 429:
            reset = datetime.now(UTC) + timedelta(seconds=failure.retry_after or 1, minutes=1)
            headers |= {
                "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ"),
                "X-RateLimit-Remaining": "0",
                "RateLimit-Reason": "jira-burst-based",
            }
        body = {"errorMessages": [messages.get(failure.status, "Error")], "errors": {}}
        return Reply(failure.status, body, headers)

    def _check_auth(self, handler: _Handler, path: str) -> Reply | None:
        header = handler.headers.get("Authorization") or ""
        if self._authorised(header) or path in _ANONYMOUS_OK:
            return None
        extra = {
            "X-Seraph-LoginReason": "AUTHENTICATED_FAILED" if header else "AUTHENTICATION_DENIED",
            "WWW-Authenticate": 'Basic realm="protected-area"',
        }
        return Reply(401, AUTH_FAILED, extra)

    def _authorised(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return self.flavour == "server" and value.strip() == self._token
        if scheme.lower() != "basic":
            return False
        try:
            user, _, secret = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        names = {self._email.lower()} | (
            {self._viewer.username.lower()} if self.flavour == "server" else set()
        )
        return user.lower() in names and secret == self._token

    def _dispatch(
        self,
        handler: _Handler,
        route: Route | None,
        params: dict[str, str],
        query: str,
        body_bytes: bytes,
    ) -> Reply:
        full_url = f"{self.url}{handler.path}"
        view = View(
            self.workspace, self.flavour, self.url, self._viewer, self.now(), self.bulk_grant
        )
        try:
            if route is None or (route.only is not None and route.only != self.flavour):
                raise not_found_uri(full_url)
            body = self._parse_json(body_bytes) if handler.command == "POST" else None
            ctx = Ctx(view, full_url, parse_qs(query, keep_blank_values=True), body, params)
            with self.workspace.lock:
                return route.handler(ctx)
        except ApiError as exc:
            return exc.reply

    @staticmethod
    def _parse_json(raw: bytes) -> Any:
        try:
            return json.loads(raw.decode("utf-8")) if raw else {}
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(
                400,
                {
                    "errorMessages": [f"Unexpected character in the request body: {exc}"],
                    "errors": {},
                },
            ) from exc

    def _rate_headers(self) -> dict[str, str]:
        now = int(time.monotonic())
        with self._lock:
            second, used = self._window
            used = used + 1 if second == now else 1
            self._window = (now, used)
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(max(0, RATE_LIMIT - used)),
        }

    def _send(self, handler: _Handler, reply: Reply) -> None:
        data = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
        headers = (self._rate_headers() if self.flavour == "cloud" else {}) | reply.headers
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json;charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
