"""A small httpx GraphQL client for Linear: auth, timeouts, rate limits, errors.

Errors raised (all ``tracker.errors.SourceError``; the token never appears in any of them):
- ``AuthError``: Linear rejected the key (HTTP 401/403, or an ``authentication error`` /
  ``forbidden`` GraphQL error, which Linear sends with HTTP 400).
- ``RateLimited``: still rate limited after ``max_retries`` waits.
- ``UpstreamError``: unreachable URL, 5xx after retries, a body that is not GraphQL JSON, or
  GraphQL ``errors`` (which Linear returns with HTTP 200 and possibly partial ``data``).

Pacing: Linear budgets requests and complexity points per user and hour (2,500 requests and
3,000,000 points for an API key at the time of writing; the limits have changed before, so they
are read from the ``X-RateLimit-*`` headers of every response, never assumed). Before each
query the client prices it (``complexity.price``, Linear's published formula) and, when what
the last response left (plus what has refilled since: Linear's budgets are leaky buckets
refilled at ``limit`` an hour) would not cover it and one request, it waits for the shortfall
to refill, never past the ``-Reset`` header, through the injectable ``sleep``, with one warning
line saying why. A query Linear would reject is not sent, so a large first sync slows down to
the budget instead of stalling on errors. Another client of the same user spending the same
budget can still get a query rejected; that is handled below.

Rate limits: Linear signals an exhausted budget with HTTP **400** and
``errors[].extensions.code == "RATELIMITED"`` (its docs), ``extensions.type == "ratelimited"``
(its SDK), or HTTP 429 (the SDK allows it). All three are treated alike: wait as
``Retry-After`` says, else until the ``-Reset`` header (UTC epoch *milliseconds*) of the
budget that ran out (the requests budget when no request is left, the complexity budget when
the points are short; the later of the two only when the headers do not say which), then
retry.

Every wait (pacing, rate limit, backoff) and every request goes through the policy both
connectors share (``connectors.retry``): no single wait beyond ``max_wait``, no request
beyond ``timeout`` in all, nothing past ``sync_timeout``; each ends with one clear line.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from graphql import GraphQLError
from pydantic import SecretStr

from connectors import sanitize
from connectors.base import RequestStats
from connectors.linear.complexity import price
from connectors.retry import (
    RequestDeadline,
    WaitPolicy,
    Waits,
    backoff,
    parse_retry_after,
)
from tracker import clock
from tracker.errors import AuthError, RateLimited, UpstreamError

log = logging.getLogger(__name__)

HOUR_MS = 3_600_000  # the period Linear's budgets refill over
PACING_MARGIN_SECONDS = 1.0  # the headers' remaining amounts are truncated to whole numbers
_AUTH_TYPES = frozenset({"authentication error", "forbidden"})
_AUTH_CODES = frozenset({"AUTHENTICATION_ERROR", "FORBIDDEN"})


@dataclass(frozen=True, slots=True)
class RateLimitState:
    """What the last response's headers said. Resets are epoch milliseconds, as sent;
    ``seen_ms`` is when the response arrived, by the tracker's clock."""

    requests_limit: int | None = None
    requests_remaining: int | None = None
    requests_reset_ms: int | None = None
    complexity_limit: int | None = None
    complexity_remaining: int | None = None
    complexity_reset_ms: int | None = None
    complexity: int | None = None
    seen_ms: int | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], seen_ms: int | None = None) -> RateLimitState:
        def number(name: str) -> int | None:
            raw = headers.get(name)
            try:
                return int(float(raw)) if raw is not None else None
            except ValueError:
                return None

        return cls(
            requests_limit=number("x-ratelimit-requests-limit"),
            requests_remaining=number("x-ratelimit-requests-remaining"),
            requests_reset_ms=number("x-ratelimit-requests-reset"),
            complexity_limit=number("x-ratelimit-complexity-limit"),
            complexity_remaining=number("x-ratelimit-complexity-remaining"),
            complexity_reset_ms=number("x-ratelimit-complexity-reset"),
            complexity=number("x-complexity"),
            seen_ms=seen_ms,
        )

    def latest_reset_ms(self) -> int | None:
        resets = [r for r in (self.requests_reset_ms, self.complexity_reset_ms) if r is not None]
        return max(resets) if resets else None

    def exhausted_reset_ms(self, points: int) -> int | None:
        """When the budget that ran out is full again: the requests budget when no request
        is left, the complexity budget when it cannot pay ``points``; the later of the two
        when both ran out or the headers do not say which."""
        resets = []
        if self.requests_remaining is not None and self.requests_remaining < 1:
            resets.append(self.requests_reset_ms)
        if self.complexity_remaining is not None and self.complexity_remaining < max(1, points):
            resets.append(self.complexity_reset_ms)
        known = [r for r in resets if r is not None]
        return max(known) if known else self.latest_reset_ms()

    def wait_before(self, points: int, now_ms: int) -> float:
        """Seconds until both budgets hold one more request and ``points`` (0: now)."""
        if self.seen_ms is None:
            return 0.0
        elapsed = max(0, now_ms - self.seen_ms)
        requests = _refill_ms(
            1, self.requests_limit, self.requests_remaining, self.requests_reset_ms, elapsed, now_ms
        )
        points_ms = _refill_ms(
            points,
            self.complexity_limit,
            self.complexity_remaining,
            self.complexity_reset_ms,
            elapsed,
            now_ms,
        )
        return max(requests, points_ms) / 1000


def _refill_ms(
    need: int,
    limit: int | None,
    remaining: int | None,
    reset_ms: int | None,
    elapsed_ms: int,
    now_ms: int,
) -> float:
    """How long a leaky bucket that held ``remaining`` of ``limit`` ``elapsed_ms`` ago takes to
    hold ``need``: the shortfall at ``limit`` an hour, and never past ``reset_ms`` (full).

    0 when nothing is known (no header, an unlimited bucket, or a reset already past): the
    query is sent and Linear's answer decides. A ``need`` above ``limit`` waits for the reset
    and is then sent anyway (Linear will reject it; waiting longer would not help)."""
    if remaining is None:
        return 0.0
    rate = limit / HOUR_MS if limit else 0.0  # per millisecond
    available = remaining + elapsed_ms * rate
    if limit:
        available = min(float(limit), available)
    if available >= need:
        return 0.0
    waits = []
    if rate and limit is not None and need <= limit:
        waits.append((need - available) / rate)
    if reset_ms is not None and reset_ms > now_ms:
        waits.append(float(reset_ms - now_ms))
    return min(waits) if waits else 0.0


def authorization_header(token: str) -> str:
    """Personal API keys (``lin_api_...``) go raw; OAuth access tokens take ``Bearer``.

    Sending ``Bearer <personal key>`` is rejected by Linear, so the prefix is decided here
    from the key's shape, and a value that already carries ``Bearer`` is left alone.
    """
    token = token.strip()
    if token.startswith("lin_api_") or token.lower().startswith("bearer "):
        return token
    return f"Bearer {token}"


class LinearClient:
    """POSTs GraphQL documents to one Linear endpoint and returns ``data``."""

    def __init__(
        self,
        url: str,
        token: SecretStr | None,
        token_env: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        max_wait: float = 300.0,
        sync_timeout: float = 7200.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = clock.now,
        stats: RequestStats | None = None,
    ) -> None:
        self.url = url
        self.token_env = token_env
        self.max_retries = max_retries
        self.stats = stats if stats is not None else RequestStats()
        self.rate_limit = RateLimitState()
        self.pauses: list[float] = []  # seconds waited for the budget, one entry per wait
        policy = WaitPolicy(timeout, max_retries, max_wait, sync_timeout)
        self.waits = Waits(policy, f"Linear at {url}", sleep=sleep, now=now)
        headers = {"Content-Type": "application/json", "User-Agent": "tracker-linear/0.1"}
        if token is not None:
            headers["Authorization"] = authorization_header(token.get_secret_value())
        self._http = httpx.Client(timeout=timeout, transport=transport, headers=headers)

    def close(self) -> None:
        self._http.close()

    def execute(
        self, document: str, operation_name: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run one operation; return its ``data`` or raise a ``SourceError``."""
        body = {
            "query": document,
            "variables": dict(variables or {}),
            "operationName": operation_name,
        }
        content = json.dumps(body, sort_keys=True, separators=(",", ":"))
        cost = _price(document, operation_name, variables)
        for attempt in range(self.max_retries + 1):
            self._pace(cost, operation_name)
            response = self._send(content, operation_name, attempt)
            if response is None:
                continue
            payload = _payload(response, self.url, operation_name)
            if _is_rate_limited(response, payload):
                self._wait_for_budget(response, attempt, cost, operation_name)
                continue
            if response.status_code in _TRANSIENT:
                self._backoff(attempt, f"HTTP {response.status_code}", operation_name)
                continue
            return self._data(response, payload, operation_name)
        raise RateLimited(
            f"Linear at {self.url} is still rate limited after {self.max_retries} waits: "
            "try again later, or use a dedicated API user (budgets are per user, not per key)"
        )

    def _send(self, content: str, operation_name: str, attempt: int) -> httpx.Response | None:
        self.stats.count(f"POST graphql {operation_name}")
        try:
            response = self.waits.bounded(
                lambda: self._http.post(self.url, content=content), operation_name
            )
        except httpx.ConnectError as exc:
            raise UpstreamError(f"cannot reach Linear at {self.url}: {_reason(exc)}") from exc
        except (httpx.TransportError, RequestDeadline) as exc:
            if attempt >= self.max_retries:
                if isinstance(exc, RequestDeadline):
                    raise
                raise UpstreamError(
                    f"Linear at {self.url} did not answer {operation_name}: {_reason(exc)}"
                ) from exc
            self._backoff(attempt, type(exc).__name__, operation_name)
            return None
        self.rate_limit = RateLimitState.from_headers(response.headers, self._now_ms())
        if self.rate_limit.complexity is not None:
            self.stats.complexity += self.rate_limit.complexity
        log.debug(
            "linear %s: HTTP %s, complexity %s, requests left %s, points left %s",
            operation_name,
            response.status_code,
            self.rate_limit.complexity,
            self.rate_limit.requests_remaining,
            self.rate_limit.complexity_remaining,
        )
        return response

    def _data(
        self, response: httpx.Response, payload: dict[str, Any] | None, operation_name: str
    ) -> dict[str, Any]:
        errors = (payload or {}).get("errors") or []
        if response.status_code in (401, 403) or any(_is_auth_error(e) for e in errors):
            raise AuthError(f"Linear rejected the API key for {self.url}: check {self.token_env}")
        if errors:
            messages = "; ".join(_error_message(e) for e in errors[:3])
            raise UpstreamError(
                f"Linear returned an error for {operation_name} at {self.url}: {messages}"
            )
        if (
            response.status_code >= 400
            or payload is None
            or not isinstance(payload.get("data"), dict)
        ):
            raise UpstreamError(
                f"Linear at {self.url} answered {operation_name} with HTTP {response.status_code} "
                "and no GraphQL data: check the url (it should end in /graphql)"
            )
        data: dict[str, Any] = payload["data"]
        # Every root field tracker selects is non-null in Linear's schema: a null or an
        # empty ``data`` is a faulty answer, not an empty result.
        empty = [name for name, value in data.items() if value is None]
        if empty or not data:
            raise UpstreamError(
                f"Linear at {self.url} answered {operation_name} with "
                f"{'`data.' + empty[0] + ': null`' if empty else 'empty `data`'}, which its "
                "schema never allows: nothing from it was stored; try again later"
            )
        return data

    def _pace(self, cost: int, operation_name: str) -> None:
        """Wait until the budgets the last response reported can pay for this query."""
        seconds = self.rate_limit.wait_before(cost, self._now_ms())
        if seconds <= 0:
            return
        # No cap but the period: a leaky bucket is full again within it, and a shorter cap
        # would send a query that is then rejected.
        seconds = min(seconds + PACING_MARGIN_SECONDS, HOUR_MS / 1000)
        self.waits.refuse_long(seconds, operation_name, "Linear's hourly budget is spent")
        state = self.rate_limit
        log.warning(
            "Linear's hourly budget at %s is nearly spent (%s of %s complexity points and %s of "
            "%s requests left): waiting %.0f s for it to refill before %s (about %s points)",
            self.url,
            _amount(state.complexity_remaining),
            _amount(state.complexity_limit),
            _amount(state.requests_remaining),
            _amount(state.requests_limit),
            seconds,
            operation_name,
            f"{cost:,}",
        )
        self.waits.sleep(seconds, operation_name, "Linear's hourly budget is spent")
        self.pauses.append(seconds)

    def _wait_for_budget(
        self, response: httpx.Response, attempt: int, cost: int, operation_name: str
    ) -> None:
        if attempt >= self.max_retries:
            return
        now = self.waits.now()
        seconds = parse_retry_after(response.headers.get("retry-after"), now)
        reset_ms = self.rate_limit.exhausted_reset_ms(cost)
        if seconds is None and reset_ms is not None:
            seconds = reset_ms / 1000 - now.timestamp()
        if seconds is None:
            seconds = backoff(attempt)
        seconds = max(seconds, 1.0)
        log.warning("Linear rate limit reached at %s: waiting %.0f s", self.url, seconds)
        self.waits.sleep(seconds, operation_name, "Linear's rate limit")
        # That wait was sized by these headers: pacing on them again would wait twice.
        self.rate_limit = RateLimitState()

    def _backoff(self, attempt: int, why: str, operation_name: str) -> None:
        if attempt >= self.max_retries:
            raise UpstreamError(f"Linear at {self.url} kept failing ({why}): try again later")
        seconds = backoff(attempt)
        log.warning("Linear at %s failed (%s): retrying in %.0f s", self.url, why, seconds)
        self.waits.sleep(seconds, operation_name, why)

    def _now_ms(self) -> int:
        return int(self.waits.now().timestamp() * 1000)


def _price(document: str, operation_name: str, variables: Mapping[str, Any] | None) -> int:
    """The query's complexity, or 0 for a document that does not parse: Linear's answer will
    say what is wrong with it."""
    try:
        return price(document, operation_name, variables)
    except (GraphQLError, ValueError):
        return 0


def _amount(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _payload(response: httpx.Response, url: str, operation_name: str) -> dict[str, Any] | None:
    """The body as a JSON object (None when it is not one), its text made storable."""
    try:
        parsed = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    if not isinstance(parsed, dict):
        return None
    payload: dict[str, Any] = parsed
    if sanitize.may_need_cleaning(response.content):
        sanitize.warn(sanitize.clean(payload)[1], f"Linear at {url}", operation_name)
    return payload


def _is_rate_limited(response: httpx.Response, payload: dict[str, Any] | None) -> bool:
    if response.status_code == 429:
        return True
    for error in (payload or {}).get("errors") or []:
        extensions = error.get("extensions") or {} if isinstance(error, dict) else {}
        if extensions.get("code") == "RATELIMITED" or extensions.get("type") == "ratelimited":
            return True
    return False


def _is_auth_error(error: Any) -> bool:
    if not isinstance(error, dict):
        return False
    extensions = error.get("extensions") or {}
    return extensions.get("type") in _AUTH_TYPES or extensions.get("code") in _AUTH_CODES


def _error_message(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)
    extensions = error.get("extensions") or {}
    message = str(extensions.get("userPresentableMessage") or error.get("message") or "unknown")
    path = error.get("path")
    return f"{message} (at {'.'.join(map(str, path))})" if path else message


# Worth a retry; any other status (501 from a server that is not GraphQL, 505, ...)
# will not change and is reported at once.
_TRANSIENT = frozenset({500, 502, 503, 504})


def _reason(exc: httpx.HTTPError) -> str:
    # httpx messages name the host, never the headers, so they are safe to show.
    return str(exc) or type(exc).__name__
