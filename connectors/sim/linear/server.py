"""``LinearSimulator``: a loopback HTTP server that speaks Linear's GraphQL wire format.

``POST /graphql`` with ``{"query", "variables", "operationName"}``, executed by graphql-core
against the subset of Linear's schema that the connector uses
(``connectors/linear/schema.graphql``) over a ``LinearWorkspace`` as of ``ws.now``.

What it reproduces from Linear:
- Auth: ``Authorization: <personal API key>`` with no ``Bearer``; ``Bearer <token>`` only for
  an OAuth token. Anything else is an ``authentication error`` (HTTP 400, Linear's shape).
- Headers on every response: ``X-Complexity``, ``X-RateLimit-Requests-{Limit,Remaining,Reset}``
  and ``X-RateLimit-Complexity-{Limit,Remaining,Reset}``; resets are UTC epoch milliseconds.
  Budgets are leaky buckets refilled continuously over an hour, by the simulator's clock
  (``clock_fn``, the tracker's clock by default): a test that moves that clock in the client's
  injected ``sleep`` sees them refill, with no real waiting. ``-Reset`` is when the bucket
  will be full again.
- A query is charged its complexity (Linear's published rule, read independently of the
  connector's estimator: ``complexity.py``; ``X-Complexity``) up front. One that
  costs more than the points left, or any query with no request left, is HTTP **400** with
  ``extensions.code == "RATELIMITED"`` and charges nothing; ``rate_limited`` counts those
  answers per operation. A document over 10,000 points is refused whatever the budget;
  invalid documents and missing entities are HTTP 200 with ``errors``.
- ``fail_next(kind)`` injects what a test cannot provoke cheaply: a fault both simulators
  know (``connectors.sim._loopback.FAULTS``: ``"rate_limited"`` is a 400 RATELIMITED,
  ``"unavailable"`` a 503 with ``Retry-After``, ``"server_error"`` a 500, ``"auth"``), or
  Linear's own ``"ratelimited"`` (the same 400), ``"http429"`` (429 with ``Retry-After``),
  ``"graphql_error"`` (200 + errors). Start, stop and ``url`` are the shared life cycle.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLFormattedError,
    execute_sync,
    parse,
    validate,
)

from connectors.sim._loopback import FAULTS, LoopbackServer
from connectors.sim.linear.complexity import CEILING, charge
from connectors.sim.linear.resolvers import Ctx, resolve_field, simulator_schema
from connectors.sim.linear.workspace import LinearWorkspace
from tracker import clock

HOUR_MS = 3_600_000
FAILURE_KINDS = ("ratelimited", "http429", "auth", "graphql_error", "unavailable", "server_error")
_SHARED = {"rate_limited": "ratelimited"}  # the shared fault names Linear spells its own way
Reply = tuple[int, dict[str, Any], dict[str, str]]


class _Bucket:
    """A leaky bucket: ``limit`` tokens refilled evenly over an hour."""

    def __init__(self, limit: int, now_ms: int) -> None:
        self.limit = limit
        self.remaining = float(limit)
        self.at_ms = now_ms

    def refill(self, now_ms: int) -> None:
        elapsed = max(0, now_ms - self.at_ms)
        self.remaining = min(self.limit, self.remaining + elapsed * self.limit / HOUR_MS)
        self.at_ms = now_ms

    def reset_ms(self) -> int:
        """When the bucket is full again (epoch ms)."""
        return self.at_ms + int((self.limit - self.remaining) * HOUR_MS / self.limit)


def _error(message: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"userError": True, **extensions}}


AUTH_ERROR = _error(
    "Authentication required, not authenticated",
    type="authentication error",
    code="AUTHENTICATION_ERROR",
    statusCode=401,
    userPresentableMessage="You need to authenticate to access this operation.",
)
RATELIMITED_ERROR = _error(
    "Rate limit exceeded",
    type="ratelimited",
    code="RATELIMITED",
    statusCode=429,
    userPresentableMessage="Rate limit exceeded. Please try again later.",
)


class LinearSimulator(LoopbackServer):
    """Serve ``ws`` on ``http://127.0.0.1:<port>/graphql`` for the life of the ``with`` block."""

    path = "/graphql"

    def __init__(
        self,
        ws: LinearWorkspace,
        api_key: str,
        *,
        latency: float = 0.0,
        oauth_token: str | None = None,
        requests_per_hour: int = 2_500,
        complexity_per_hour: int = 3_000_000,
        clock_fn: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.ws = ws
        self.latency = latency
        self.rate_limited: Counter[str] = Counter()  # RATELIMITED answers, per operation
        self.complexity = 0
        self._accepted = {api_key} | ({f"Bearer {oauth_token}"} if oauth_token else set())
        self._clock = clock_fn or clock.now
        now = self._now_ms()
        self._requests = _Bucket(requests_per_hour, now)
        self._points = _Bucket(complexity_per_hour, now)
        self._failures: deque[str] = deque()
        self._lock = threading.Lock()

    def _make_server(self) -> ThreadingHTTPServer:
        return ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))

    def fail_next(self, kind: str = "ratelimited", count: int = 1) -> None:
        kind = _SHARED.get(kind, kind)
        if kind not in FAILURE_KINDS:
            known = ", ".join(dict.fromkeys((*FAULTS, *FAILURE_KINDS)))
            raise ValueError(f"unknown failure {kind!r}; one of {known}")
        with self._lock:
            self._failures.extend([kind] * count)

    def _now_ms(self) -> int:
        return int(self._clock().timestamp() * 1000)

    # -- one request ------------------------------------------------------------------------

    def handle(self, authorization: str | None, body: bytes) -> Reply:
        if self.latency:
            time.sleep(self.latency)
        try:
            request = json.loads(body)
            query, operation = request["query"], request.get("operationName")
        except (ValueError, KeyError, TypeError):
            return (
                400,
                {"errors": [_error("Body must be JSON with a query", type="invalid input")]},
                {},
            )
        with self._lock:
            self.requests[operation or "anonymous"] += 1
            failure = self._failures.popleft() if self._failures else None
            if failure is None and authorization not in self._accepted:
                failure = "auth"
            return self._answer(failure, query, operation, request.get("variables") or {})

    def _answer(
        self, failure: str | None, query: str, operation: str | None, variables: dict[str, Any]
    ) -> Reply:
        now = self._now_ms()
        self._requests.refill(now)
        self._points.refill(now)
        if failure == "auth":
            return 400, {"errors": [AUTH_ERROR]}, {}
        if failure == "http429":
            return 429, {"errors": [_error("Too many requests")]}, {"Retry-After": "2"}
        if failure == "unavailable":
            return 503, {"errors": [_error("Service unavailable")]}, {"Retry-After": "2"}
        if failure == "server_error":
            return 500, {"errors": [_error("Internal server error", type="internal error")]}, {}
        if failure == "ratelimited":  # as if another client of the same user emptied it
            self.rate_limited[operation or "anonymous"] += 1
            return 400, {"errors": [RATELIMITED_ERROR]}, self._headers(0, exhausted_ms=now + 2000)
        if self._requests.remaining < 1:
            self.rate_limited[operation or "anonymous"] += 1
            return 400, {"errors": [RATELIMITED_ERROR]}, self._headers(0)
        if failure == "graphql_error":
            error = _error("Internal error: the simulator was told to fail", type="internal error")
            return 200, {"data": None, "errors": [error]}, self._headers(0)
        return self._execute(query, operation, variables)

    def _execute(self, query: str, operation: str | None, variables: dict[str, Any]) -> Reply:
        schema = simulator_schema()
        document, problems = _checked(query)
        if document is None or problems:
            return 200, {"errors": list(problems)}, self._headers(0)
        cost = charge(schema, document, variables, operation)
        if cost > CEILING:
            error = _error(
                f"Query too complex: {cost} points, the maximum is {CEILING}",
                type="invalid input",
                code="QUERY_TOO_COMPLEX",
            )
            return 200, {"errors": [error]}, self._headers(0)
        if self._points.remaining < cost:
            self.rate_limited[operation or "anonymous"] += 1
            return 400, {"errors": [RATELIMITED_ERROR]}, self._headers(0)
        self._requests.remaining -= 1
        self._points.remaining -= cost
        self.complexity += cost
        ctx = Ctx(self.ws.as_of(self.ws.now), self._rate_limit_status())
        result = execute_sync(
            schema,
            document,
            context_value=ctx,
            variable_values=variables,
            operation_name=operation,
            field_resolver=resolve_field,
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return 200, payload, self._headers(cost)

    def _headers(self, cost: int, *, exhausted_ms: int | None = None) -> dict[str, str]:
        requests_left = 0 if exhausted_ms else int(self._requests.remaining)
        return {
            "X-Complexity": str(cost),
            "X-RateLimit-Requests-Limit": str(self._requests.limit),
            "X-RateLimit-Requests-Remaining": str(requests_left),
            "X-RateLimit-Requests-Reset": str(exhausted_ms or self._requests.reset_ms()),
            "X-RateLimit-Complexity-Limit": str(self._points.limit),
            "X-RateLimit-Complexity-Remaining": str(int(self._points.remaining)),
            "X-RateLimit-Complexity-Reset": str(self._points.reset_ms()),
        }

    def _rate_limit_status(self) -> dict[str, Any]:
        def limit(kind: str, bucket: _Bucket) -> dict[str, Any]:
            return {
                "type": kind,
                "allowedAmount": bucket.limit,
                "remainingAmount": bucket.remaining,
                "requestedAmount": 1,
                "reset": bucket.reset_ms(),
                "period": HOUR_MS,
            }

        return {
            "identifier": "api-key",
            "kind": "api key",
            "limits": [limit("requestCount", self._requests), limit("complexity", self._points)],
        }


@lru_cache(maxsize=128)
def _checked(query: str) -> tuple[DocumentNode | None, tuple[GraphQLFormattedError, ...]]:
    """Parse and validate once per document text: a sync sends the same few documents
    hundreds of times."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, (exc.formatted,)
    return document, tuple(e.formatted for e in validate(simulator_schema(), document))


def _handler_for(sim: LinearSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.split("?")[0] != "/graphql":
                self._send(404, {"errors": [_error("Not found")]}, {})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                status, payload, headers = sim.handle(
                    self.headers.get("Authorization"), self.rfile.read(length)
                )
            except Exception as exc:  # a simulator bug must reach the test as an answer
                error = _error(f"Simulator error: {exc!r}", type="internal error")
                status, payload, headers = 500, {"errors": [error]}, {}
            self._send(status, payload, headers)

        def do_GET(self) -> None:
            self._send(404, {"errors": [_error("POST /graphql")]}, {})

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return  # the test output stays clean; requests are counted in sim.requests

    return Handler
