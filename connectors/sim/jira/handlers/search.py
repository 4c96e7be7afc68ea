"""JQL search: Cloud's enhanced ``/search/jql`` and Server/DC's classic ``/search``.

Cloud removed the classic endpoint (HTTP 410 since August 2025, CHANGE-2046); its
replacement pages by ``nextPageToken`` with no ``total``, returns only ``id`` unless
``fields`` are asked for, refuses unbounded JQL, and inlines at most 40 histories and 20
comments per issue. Server/DC has no ``/search/jql`` (404) and keeps ``startAt``/``total``.
"""

from __future__ import annotations

from typing import Any

from connectors.sim.jira.handlers._base import (
    ApiError,
    Ctx,
    Reply,
    Route,
    clamp_int,
    decode_token,
    encode_token,
    error,
)
from connectors.sim.jira.handlers._issue import Caps, render_issue, select_fields, split_params
from connectors.sim.jira.jql import JqlError, Query, parse_jql
from connectors.sim.jira.model import Issue

REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
# Documented in the migration notes of enhanced JQL (CHANGE-2046).
SEARCH_JQL_CAPS = Caps(histories=40, comments=20, newest_first=True)
_JQL_BODY_KEYS = {
    "jql",
    "nextPageToken",
    "maxResults",
    "fields",
    "expand",
    "properties",
    "fieldsByKeys",
    "reconcileIssues",
    "failFast",
}
_SEARCH_BODY_KEYS = {
    "jql",
    "startAt",
    "maxResults",
    "fields",
    "expand",
    "properties",
    "fieldsByKeys",
    "validateQuery",
}


def run_jql(ctx: Ctx, jql: str, candidates: list[Issue] | None = None) -> tuple[Query, list[Issue]]:
    ws = ctx.view.ws
    try:
        query = parse_jql(jql, ws, ctx.view.tz, ctx.view.now)
    except JqlError as exc:
        raise error(400, str(exc)) from exc
    pool = list(ws.issues.values()) if candidates is None else candidates
    return query, query.run(pool)


def params_from(ctx: Ctx, allowed: set[str]) -> dict[str, Any]:
    """GET query or POST body, as one dict; unknown body keys are a 400, as in Jira."""
    if ctx.body is None:
        out: dict[str, Any] = {
            k: ctx.arg(k) for k in ("jql", "nextPageToken", "maxResults", "startAt")
        }
        out["fields"] = split_params(ctx.args("fields"))
        out["expand"] = split_params(ctx.args("expand"))
        return out
    if not isinstance(ctx.body, dict):
        raise error(400, "Request body must be a JSON object.")
    unknown = sorted(set(ctx.body) - allowed)
    if unknown:
        raise error(400, f'Unrecognized field "{unknown[0]}" (not marked as ignorable).')
    out = dict(ctx.body)
    fields = out.get("fields") or []
    out["fields"] = split_params(fields if isinstance(fields, list) else [str(fields)])
    out["expand"] = split_params(
        [out["expand"]] if isinstance(out.get("expand"), str) else out.get("expand") or []
    )
    return out


def search_jql(ctx: Ctx) -> Reply:
    p = params_from(ctx, _JQL_BODY_KEYS)
    jql = p.get("jql") or ""
    query, found = run_jql(ctx, jql)
    if not query.bounded:
        raise error(400, UNBOUNDED)
    keys = select_fields(ctx.view, p["fields"], "id")
    # With ids only Jira hands out up to 5000 per page; with fields, at most 100.
    limit = clamp_int(p.get("maxResults"), "maxResults", 50, 5000 if not keys else 100)
    start = decode_token(p["nextPageToken"], jql) if p.get("nextPageToken") else 0
    page = found[start : start + limit]
    id_only = not keys and "key" not in p["fields"]
    issues = [
        render_issue(ctx.view, i, keys, set(p["expand"]), SEARCH_JQL_CAPS, id_only=id_only)
        for i in page
    ]
    body: dict[str, Any] = {"issues": issues}
    last = start + limit >= len(found)
    if not last:
        body["nextPageToken"] = encode_token(start + limit, jql)
    body["isLast"] = last
    return Reply(200, body)


def search_classic(ctx: Ctx) -> Reply:
    if ctx.view.cloud:
        raise ApiError(410, {"errorMessages": [REMOVED], "errors": {}})
    p = params_from(ctx, _SEARCH_BODY_KEYS)
    _, found = run_jql(ctx, p.get("jql") or "")
    start = clamp_int(p.get("startAt"), "startAt", 0, None)
    limit = clamp_int(p.get("maxResults"), "maxResults", 50, 1000)
    keys = select_fields(ctx.view, p["fields"], "*navigable")
    page = found[start : start + limit]
    issues = [render_issue(ctx.view, i, keys, set(p["expand"]), Caps()) for i in page]
    return Reply(
        200,
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": limit,
            "total": len(found),
            "issues": issues,
        },
    )


ROUTES = (
    Route("GET", "/rest/api/2/search/jql", search_jql, only="cloud"),
    Route("POST", "/rest/api/2/search/jql", search_jql, only="cloud"),
    Route("GET", "/rest/api/2/search", search_classic),
    Route("POST", "/rest/api/2/search", search_classic),
)
