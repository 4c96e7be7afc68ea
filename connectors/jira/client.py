"""HTTP to Jira through the `jira` library, with our own retries, timeouts and error mapping.

The library's ``ResilientSession`` retries only 429/503-with-Retry-After and connection
errors, jitters below ``Retry-After``, cannot parse a date-form ``Retry-After`` and sleeps
for real. So the library gets ``max_retries=0`` (one attempt per
call) and :class:`JiraClient` does the retrying, by the policy both connectors share
(``connectors.retry``): it honours ``Retry-After`` (seconds or an HTTP date) and
``X-RateLimit-Reset`` on 429/503 up to ``max_wait``, retries other 5xx, connection errors
and answers that overran ``timeout`` a bounded number of times with exponential backoff,
stops at ``sync_timeout``, and sleeps through an injectable function so tests never wait.
The library itself is reached only through ``_library.JiraLibrary``. An answer without what
its endpoint always sends (an empty HTTP 200, a proxy's page) is an ``UpstreamError``,
never an empty result. Every HTTP request, retries included, is counted in
``RequestStats`` by a transport adapter, so the count is the truth on the wire.

The client is shared by the source's worker threads (``JiraSource.fetch_issues``), so it
enforces the source's limits itself: at most ``concurrency`` requests are in flight at
once, whichever threads make them, and while any thread sleeps off a 429 or 503 the
others send nothing new (the budget is the site's, not the thread's). The library's
``requests.Session`` is safe to share for what we do with it: its headers are only read,
its cookie jar locks itself, and urllib3's connection pool hands each thread its own
connection (sized to ``concurrency`` so none is discarded).

Errors become ``tracker.errors`` with one line that says what to fix; the token is never
part of any message (``str(JIRAError)`` can include request headers, so it is never used).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import requests
from jira import JIRAError
from requests.adapters import DEFAULT_POOLSIZE, HTTPAdapter

from connectors.base import RequestStats
from connectors.jira._library import JiraLibrary, UnreadableAnswer
from connectors.retry import RequestDeadline, WaitPolicy, Waits, backoff, server_wait
from tracker import clock
from tracker.config import JiraSourceConfig
from tracker.errors import AuthError, RateLimited, SourceError, UpstreamError

log = logging.getLogger(__name__)

T = TypeVar("T")

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_TEMPLATES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(/rest/api/\d+/issue/)[^/]+"), r"\1{key}"),
    (re.compile(r"^(/rest/agile/[\d.]+/board/)\d+"), r"\1{id}"),
    (re.compile(r"^(/rest/agile/[\d.]+/sprint/)\d+"), r"\1{id}"),
)


def endpoint_label(method: str, url: str) -> str:
    """``GET /rest/api/2/issue/{key}/comment``: one label per endpoint, ids templated."""
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    for pattern, repl in _TEMPLATES:
        path = pattern.sub(repl, path)
    return f"{method.upper()} {path}"


class _CountingAdapter(HTTPAdapter):
    """Counts every request that reaches the wire, retries included."""

    def __init__(self, stats: RequestStats, pool_size: int) -> None:
        super().__init__(pool_maxsize=pool_size)
        self._stats = stats
        self._lock = threading.Lock()

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self._stats.count(endpoint_label(request.method or "GET", request.url or ""))
        return super().send(request, *args, **kwargs)


@dataclass(frozen=True, slots=True)
class Deployment:
    cloud: bool
    version: str
    title: str = ""

    @property
    def label(self) -> str:
        return "Cloud" if self.cloud else "Server/Data Center"


class NotFound(UpstreamError):
    """HTTP 404; callers that can fall back (bulkfetch on old Cloud) catch it."""


class _Pause:
    """Holds every thread's next request back while any thread sleeps off a 429/503."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sleepers = 0
        self._open = threading.Event()
        self._open.set()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            self._sleepers += 1
            self._open.clear()
        try:
            yield
        finally:
            with self._lock:
                self._sleepers -= 1
                if not self._sleepers:
                    self._open.set()

    def wait(self) -> None:
        self._open.wait()

    def is_open(self) -> bool:
        return self._open.is_set()


class JiraClient:
    """One authenticated connection to one Jira site."""

    def __init__(
        self,
        config: JiraSourceConfig,
        stats: RequestStats,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.url = config.url.rstrip("/")
        self._config = config
        self.waits = Waits(WaitPolicy.of(config), f"Jira at {self.url}", sleep=sleep, now=now)
        token = config.token.get_secret_value() if config.token else ""
        auth: dict[str, Any] = (
            {"basic_auth": (config.email, token)} if config.email else {"token_auth": token}
        )
        concurrency = max(1, config.concurrency)
        self._slots = threading.BoundedSemaphore(concurrency)
        self._pause = _Pause()
        adapter = _CountingAdapter(stats, max(DEFAULT_POOLSIZE, concurrency))
        self._library = JiraLibrary(self.url, auth, timeout=config.timeout, adapter=adapter)
        self._deployment: Deployment | None = None

    # -- calls -------------------------------------------------------------------------

    def deployment(self) -> Deployment:
        if self._deployment is None:
            return self.use_server_info(self.server_info())
        return self._deployment

    def server_info(self) -> dict[str, Any]:
        """The parts of ``serverInfo`` the connector uses (plain JSON, worth keeping)."""
        info = self.get(
            "serverInfo",
            what="serverInfo",
            fix_404="it does not look like a Jira site: check `url` in tracker.toml",
        )
        return {k: info.get(k) for k in ("deploymentType", "version", "serverTitle")}

    def use_server_info(self, info: Mapping[str, Any]) -> Deployment:
        """Take ``info`` (asked now or kept from an earlier sync) as the site's."""
        cloud = info.get("deploymentType") == "Cloud"
        self._library.set_deployment_type(info.get("deploymentType"))
        self._deployment = Deployment(
            cloud, str(info.get("version") or ""), str(info.get("serverTitle") or "")
        )
        return self._deployment

    def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        agile: bool = False,
        what: str = "",
        fix_404: str = "",
    ) -> Any:
        query = dict(params or {})
        answer = self._call(
            lambda: self._library.get_json(path, query, agile=agile),
            what=what or path,
            fix_404=fix_404,
        )
        return self._checked(answer, "GET", path, what or path)

    def post(self, path: str, body: Mapping[str, Any], *, what: str = "") -> Any:
        payload = dict(body)
        answer = self._call(lambda: self._library.post_json(path, payload), what=what or path)
        return self._checked(answer, "POST", path, what or path)

    def _checked(self, answer: Any, method: str, path: str, what: str) -> Any:
        """The answer, if it has what its endpoint always sends."""
        problem = answer_problem(method, path, answer)
        if problem:
            raise UpstreamError(
                f"Jira at {self.url} answered {what} {problem}: nothing from it was stored "
                "and the sync's cursor stays; try again later, or check a proxy in between"
            )
        return answer

    def _call(self, fn: Callable[[], T], *, what: str, fix_404: str = "") -> T:
        """Run one request with bounded retries; map what is left to tracker.errors.

        Each attempt waits for a pause to end, then holds one of ``concurrency`` slots
        (never while sleeping before a retry), and has ``timeout`` seconds in all."""
        attempt = 0
        while True:
            try:
                return self._send(fn, what)
            except JIRAError as exc:
                status = exc.status_code or 0
                headers = exc.response.headers if exc.response is not None else {}
                if status in _RETRY_STATUSES and attempt < self.waits.max_retries:
                    self._wait(self.retry_delay(status, headers, attempt), status, what)
                    attempt += 1
                    continue
                raise self._http_error(status, exc, what, fix_404) from exc
            except UnreadableAnswer as exc:
                raise UpstreamError(
                    f"Jira at {self.url} sent {exc.message} for {what}: nothing from it was "
                    "stored and the sync's cursor stays; try again later, or check a proxy "
                    "in between"
                ) from exc
            except RequestDeadline as exc:
                if attempt < self.waits.max_retries:
                    self._wait(backoff(attempt), 0, what)
                    attempt += 1
                    continue
                raise RequestDeadline(f"{exc.message} ({attempt + 1} attempts)") from exc
            except requests.RequestException as exc:
                reason = _network_reason(exc, self._config.timeout)
                # A name that does not resolve or a bad certificate will not mend in a
                # few seconds: say so at once instead of retrying.
                if reason not in _PERMANENT and attempt < self.waits.max_retries:
                    self._wait(backoff(attempt), 0, what)
                    attempt += 1
                    continue
                tries = "" if attempt == 0 else f" after {attempt + 1} attempts"
                raise UpstreamError(
                    f"cannot reach {self.url}: {reason}{tries}: check `url` in tracker.toml "
                    "and the network"
                ) from exc

    def _send(self, fn: Callable[[], T], what: str) -> T:
        while True:
            self._pause.wait()
            with self._slots:
                # A pause may have begun while this thread waited for its slot.
                if self._pause.is_open():
                    return self.waits.bounded(fn, what)

    # -- retry policy ------------------------------------------------------------------

    def retry_delay(self, status: int, headers: Mapping[str, str], attempt: int) -> float:
        """Seconds to wait before the next attempt: what the server asked for, else backoff."""
        if status in (429, 503):
            told = server_wait(headers, self.waits.now())
            if told is not None:
                return told
        return backoff(attempt)

    def _wait(self, seconds: float, status: int, what: str) -> None:
        why = f"HTTP {status}" if status else "no answer"
        log.info("Jira %s for %s; retrying in %.1fs", status or "unreachable", what, seconds)
        if status in (429, 503):
            # The site is throttling or overloaded, not this one request: the other
            # threads wait too rather than spend the budget on more refusals.
            with self._pause.held():
                self.waits.sleep(seconds, what, why)
        else:
            self.waits.sleep(seconds, what, why)

    def _http_error(self, status: int, exc: JIRAError, what: str, fix_404: str) -> SourceError:
        cfg = self._config
        if status == 401:
            return AuthError(
                f"Jira rejected the token for {self.url} (HTTP 401): check {cfg.token_env}"
            )
        if status == 403:
            return AuthError(
                f"Jira refused access to {what} at {self.url} (HTTP 403): give the token's "
                "account Browse Projects permission there (the board, its filter and projects)"
            )
        if status == 404:
            fix = fix_404 or "check `url` (and the Jira version) in tracker.toml"
            return NotFound(f"Jira answered 404 for {what} at {self.url}: {fix}")
        if status == 429:
            return RateLimited(
                f"Jira at {self.url} still rate limits {what} after {cfg.max_retries} retries: "
                "run again later or lower `concurrency`"
            )
        if status >= 500:
            return UpstreamError(
                f"Jira at {self.url} failed {what} with HTTP {status} after "
                f"{cfg.max_retries} retries: try again later or check Jira's status"
            )
        detail = _server_message(exc)
        return UpstreamError(
            f"Jira at {self.url} refused {what} (HTTP {status}{': ' + detail if detail else ''})"
        )

    def close(self) -> None:
        self._library.close()


# What each endpoint always sends: a JSON object with these keys (of these types), or a
# list. An answer without it is a proxy's or an overloaded server's, never an empty result.
_ANSWER_SHAPES: tuple[tuple[str, re.Pattern[str], tuple[str, ...] | None], ...] = tuple(
    (method, re.compile(pattern), keys)
    for method, pattern, keys in (
        ("GET", r"serverInfo", ("version",)),
        ("GET", r"field", None),
        ("GET", r"myself", ()),
        ("GET", r"search/jql", ("issues",)),
        ("GET", r"search", ("issues", "total")),
        ("GET", r"board/\d+", ("id",)),
        ("GET", r"board/\d+/sprint", ("values",)),
        ("GET", r"issue/[^/]+", ("key",)),
        ("GET", r"issue/[^/]+/comment", ("comments",)),
        ("GET", r"issue/[^/]+/changelog", ("values",)),
        ("GET", r"issue/[^/]+/remotelink", None),
        ("POST", r"changelog/bulkfetch", ("issueChangeLogs",)),
    )
)
_KEY_TYPES: dict[str, type] = {
    "issues": list,
    "values": list,
    "comments": list,
    "issueChangeLogs": list,
    "total": int,
}


def answer_problem(method: str, path: str, answer: Any) -> str:
    """Why ``answer`` cannot be what ``method path`` always sends; empty when it can be."""
    for m, pattern, keys in _ANSWER_SHAPES:
        if m != method or not pattern.fullmatch(path):
            continue
        if keys is None:
            return "" if isinstance(answer, list) else "without the list it always sends"
        if not isinstance(answer, dict):
            return "without the JSON object it always sends"
        missing = [k for k in keys if not isinstance(answer.get(k), _KEY_TYPES.get(k, object))]
        if missing:
            return f"without {', '.join(f'`{k}`' for k in missing)}, which it always sends"
        return ""
    return ""


_DNS = "the host name does not resolve"
_REFUSED = "connection refused"
_TLS = "TLS handshake failed"
_PERMANENT = (_DNS, _TLS)  # a refused connection may be a server restarting


def _network_reason(exc: requests.RequestException, timeout: float) -> str:
    text = str(exc).lower()
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g}s"
    if "name or service not known" in text or "getaddrinfo" in text or "resolve" in text:
        return _DNS
    if "refused" in text:
        return _REFUSED
    if isinstance(exc, requests.exceptions.SSLError):
        return _TLS
    return type(exc).__name__


def _server_message(exc: JIRAError) -> str:
    """Jira's own error text (errorMessages), which never carries credentials."""
    text = (exc.text or "").strip().replace("\n", " ")
    return text[:300]
