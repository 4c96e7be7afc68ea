"""The webhook receiver: a Starlette app that verifies, translates and stores deliveries.

Order of checks for ``POST /webhooks/{kind}/{source}``, each failing with one line and
nothing stored: a known source of that kind (404); a body of at most ``MAX_BODY`` bytes,
enforced while reading so an endless body is cut off (413); the signature on the raw
body (401); a JSON object (400); Linear's replay window and delivery id (401/400); a
payload the translator understands (400). Then what it carried is stored in one
transaction with its delivery id (200), a delivery stored before is acknowledged without
storing (200), and an event that carries nothing tracker keeps is acknowledged (204).

The responses and the log never carry a secret, a traceback or the query string (a
Server/DC webhook may put its secret there).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tracker import clock
from tracker.domain import PushedEvent, SourceKind
from tracker.errors import StoreError
from tracker.serve.nudger import Nudger
from tracker.serve.verify import jira_signature_ok, linear_signature_ok, replay_problem
from tracker.serve.writer import GroupWriter
from tracker.store import Store

log = logging.getLogger("tracker.serve")

MAX_BODY = 1024 * 1024  # 1 MiB: a real delivery is a few kB; a description is capped far below


class Translator(Protocol):
    """A connector's webhook translator: a payload → records; ValueError if malformed."""

    def __call__(
        self, payload: Mapping[str, Any], key_of: Callable[[str], str | None]
    ) -> list[PushedEvent]: ...


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One configured source that deliveries may name. ``secret`` is None only for a
    source without ``webhook_secret_env``, which ``serve`` accepts on loopback only."""

    name: str
    kind: SourceKind
    secret: bytes | None
    translate: Translator

    def __repr__(self) -> str:  # never print the secret
        return f"Endpoint({self.name!r}, {self.kind!s})"


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def build_app(
    store: Store, endpoints: Sequence[Endpoint], *, nudger: Nudger | None = None
) -> Starlette:
    """``nudger``: poked with the source of every stored AC edit (``serve --notify``)."""
    by_route = {(str(e.kind), e.name): e for e in endpoints}
    writer = GroupWriter(store)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        writer.start()
        if nudger is not None:
            nudger.start()
        try:
            yield
        finally:
            if nudger is not None:
                nudger.stop()
            writer.stop()

    async def receive(request: Request) -> Response:
        kind, name = request.path_params["kind"], request.path_params["source"]
        where = repr(f"{kind}/{name}"[:120])  # quoted: a path must not forge log lines
        try:
            endpoint = by_route.get((kind, name))
            if endpoint is None:
                raise _Refused(404, f"no {kind[:40]!r} source named {name[:80]!r} is served here")
            body = await _read_body(request)
            payload = _verified_payload(endpoint, request, body)
            delivery = _delivery_id(endpoint, request, payload)
            events = await _translate(store, endpoint, payload)
            stored = await _store(writer, endpoint, events, delivery)
        except _Refused as refused:
            log.warning("%s: refused (%d): %s", where, refused.status, refused.reason)
            return PlainTextResponse(refused.reason + "\n", status_code=refused.status)
        except StoreError as exc:
            log.error("%s: not stored: %s", where, exc)
            return PlainTextResponse("database unavailable: not stored, retry later\n", 503)
        except Exception as exc:  # a response must never carry a traceback
            log.error("%s: not stored: unexpected %s", where, type(exc).__name__)
            return PlainTextResponse("internal error: not stored\n", 500)
        if stored is None:
            return Response(status_code=204)
        if nudger is not None and stored and any(e.revisions for e in events):
            nudger.poke(endpoint.name)
        return JSONResponse({"stored": stored})

    async def healthz(request: Request) -> Response:
        # Only that it runs: the names of the sources are nobody's business on a public URL.
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/webhooks/{kind:str}/{source:str}", receive, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise _Refused(413, f"body of {declared} bytes is over the 1 MiB limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _Refused(413, "body is over the 1 MiB limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _verified_payload(endpoint: Endpoint, request: Request, body: bytes) -> dict[str, Any]:
    if endpoint.secret is not None:
        if endpoint.kind is SourceKind.LINEAR:
            ok = linear_signature_ok(endpoint.secret, body, request.headers.get("linear-signature"))
        else:
            ok = jira_signature_ok(
                endpoint.secret,
                body,
                request.headers.get("x-hub-signature"),
                request.query_params.get("secret"),
            )
        if not ok:
            raise _Refused(401, "signature missing or wrong: check the webhook's secret")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Refused(400, f"body is not JSON ({type(exc).__name__})") from exc
    if not isinstance(payload, dict):
        raise _Refused(400, "body is not a JSON object")
    if endpoint.kind is SourceKind.LINEAR:
        problem = replay_problem(payload.get("webhookTimestamp"), clock.now())
        if problem:
            raise _Refused(401, problem)
    return payload


def _delivery_id(endpoint: Endpoint, request: Request, payload: Mapping[str, Any]) -> str | None:
    if endpoint.kind is SourceKind.LINEAR:
        delivery = request.headers.get("linear-delivery")
        if not delivery:
            raise _Refused(400, "missing Linear-Delivery header")
        return delivery[:200]
    # Jira Cloud names each delivery; Server/DC does not (its upserts are idempotent).
    identifier = request.headers.get("x-atlassian-webhook-identifier")
    return identifier[:200] if identifier else None


class _NeedsLookup(Exception):
    """The translator asked for an issue's key: that is a database read."""


async def _translate(
    store: Store, endpoint: Endpoint, payload: Mapping[str, Any]
) -> list[PushedEvent]:
    """Translation is pure and quick, so it runs on the event loop; only a delivery that
    names its issue by id alone (a Linear attachment or relation) needs a database read,
    and that one is translated again in a worker thread, where a read may block."""

    def no_lookup(issue_id: str) -> str | None:
        raise _NeedsLookup

    def key_of(issue_id: str) -> str | None:
        return store.issue_key_of(endpoint.name, issue_id)

    try:
        try:
            return endpoint.translate(payload, no_lookup)
        except _NeedsLookup:
            return await run_in_threadpool(endpoint.translate, payload, key_of)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _Refused(400, f"payload not understood: {_reason(exc)}") from exc


async def _store(
    writer: GroupWriter, endpoint: Endpoint, events: list[PushedEvent], delivery: str | None
) -> int | None:
    """The number of records stored, 0 for a delivery stored before, None for an event
    tracker does not keep."""
    if not events:
        return None
    claim = (endpoint.name, delivery) if delivery else None
    if not await writer.save(events, claim, clock.now()):
        return 0
    return sum(len(e.revisions) + len(e.comments) + len(e.links) for e in events)


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}" if exc.args else "missing field"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
