"""One POST with retries, for every nudge channel.

429 and 5xx answers and connection failures are retried with exponential backoff, or
after ``Retry-After`` when the server says how long (capped: a nudge can wait for the
next run). Any other 4xx is final: the caller turns it into one line with the fix. The
URL is never part of a message: a Slack webhook URL is itself the secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from tracker import clock
from tracker.errors import NotifyError

_RETRY = frozenset({429, 500, 502, 503, 504})
_BACKOFF_CAP = 30.0
MAX_WAIT = 60.0


@dataclass(frozen=True, slots=True)
class Refused:
    """A final 4xx: the status and the server's own short error text."""

    status: int
    detail: str


class Poster:
    """POSTs JSON through one ``httpx.Client`` (an injectable transport for tests)."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = httpx.Client(timeout=timeout, transport=transport)
        self._max_retries = max_retries
        self._sleep = sleep if sleep is not None else time.sleep

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response | Refused:
        """The accepted response (2xx), or ``Refused`` for a final 4xx; raises
        NotifyError when retries run out."""
        last = ""
        for attempt in range(self._max_retries + 1):
            try:
                response = self._client.request(method, url, json=json, headers=headers)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}"
                if attempt < self._max_retries:
                    self._sleep(backoff(attempt))
                continue
            if response.is_success:
                return response
            if response.status_code not in _RETRY:
                return Refused(response.status_code, _detail(response))
            last = f"HTTP {response.status_code}"
            if attempt < self._max_retries:
                self._sleep(retry_delay(response.headers, attempt))
        raise NotifyError(
            f"{what} failed after {self._max_retries} retries ({last}): "
            "nothing was recorded as sent; the next run tries again"
        )


def backoff(attempt: int) -> float:
    return float(min(_BACKOFF_CAP, 2**attempt))


def retry_delay(headers: Mapping[str, str], attempt: int) -> float:
    """``Retry-After`` (seconds or an HTTP date), capped at ``MAX_WAIT``; else backoff."""
    value = (headers.get("Retry-After") or "").strip()
    if value:
        try:
            return min(MAX_WAIT, max(0.0, float(value)))
        except ValueError:
            pass
        try:
            when = clock.ensure_utc(parsedate_to_datetime(value))
        except (TypeError, ValueError):
            return backoff(attempt)
        return min(MAX_WAIT, max(0.0, (when - clock.now()).total_seconds()))
    return backoff(attempt)


def _detail(response: httpx.Response) -> str:
    """The server's error text, short and on one line (Slack answers plain text such as
    ``invalid_token``; Jira ``errorMessages``; Linear GraphQL ``errors``)."""
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200]
    if isinstance(body, dict):
        messages = body.get("errorMessages") or [
            e.get("message", "") for e in body.get("errors") or [] if isinstance(e, dict)
        ]
        if not messages and isinstance(body.get("errors"), dict):
            messages = [f"{k}: {v}" for k, v in body["errors"].items()]
        if messages:
            return "; ".join(str(m) for m in messages)[:200]
    return " ".join(str(body).split())[:200]
