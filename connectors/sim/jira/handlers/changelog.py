"""Cloud's changelog endpoints: per-issue pages and the bulk fetch.

Both exist only on Cloud (Server/DC answers 404 and gives every history through
``expand=changelog`` instead). Bulkfetch sorts by history date, then issue id, so one
issue's histories can straddle pages, writes ``issueId`` as a numeric string even when
keys were sent, and ``created`` as epoch milliseconds.
"""

from __future__ import annotations

from typing import Any

from connectors.sim.jira.handlers._base import (
    Ctx,
    Reply,
    Route,
    clamp_int,
    decode_token,
    encode_token,
    error,
)
from connectors.sim.jira.handlers._render import item_field_id, render_history
from connectors.sim.jira.handlers.core import find_issue
from connectors.sim.jira.model import History, Issue

_BULK_KEYS = {"issueIdsOrKeys", "fieldIds", "maxResults", "nextPageToken"}


def get_changelog(ctx: Ctx) -> Reply:
    issue = find_issue(ctx)
    start = ctx.int_arg("startAt", 0)
    limit = ctx.int_arg("maxResults", 100, maximum=100)
    ordered = sorted(issue.histories, key=lambda h: (h.created, h.id))
    page = ordered[start : start + limit]
    base = ctx.view.api(f"issue/{issue.key}/changelog")
    body: dict[str, Any] = {"self": f"{base}?startAt={start}&maxResults={limit}"}
    last = start + limit >= len(ordered)
    if not last:
        body["nextPage"] = f"{base}?&startAt={start + limit}&maxResults={limit}"
    body |= {
        "maxResults": limit,
        "startAt": start,
        "total": len(ordered),
        "isLast": last,
        "values": [render_history(ctx.view, h) for h in page],
    }
    return Reply(200, body)


def _validate_bulk(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise error(400, "Request body must be a JSON object.")
    unknown = sorted(set(body) - _BULK_KEYS)
    if unknown:  # BulkChangelogRequestBean has additionalProperties: false
        raise error(400, f'Unrecognized field "{unknown[0]}" (not marked as ignorable).')
    ids = body.get("issueIdsOrKeys")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 1000:
        raise error(
            400,
            "issueIdsOrKeys must contain between 1 and 1000 issue ids or keys.",
            errors={"issueIdsOrKeys": "size must be between 1 and 1000"},
        )
    field_ids = body.get("fieldIds") or []
    if (
        not isinstance(field_ids, list)
        or len(field_ids) > 10
        or len(set(field_ids)) != len(field_ids)
    ):
        raise error(
            400,
            "fieldIds must contain at most 10 unique field ids.",
            errors={"fieldIds": "size must be between 0 and 10"},
        )
    if not 1 <= clamp_int(body.get("maxResults"), "maxResults", 1000, None) <= 10000:
        raise error(400, "maxResults must be between 1 and 10000.")
    return body


def bulk_fetch(ctx: Ctx) -> Reply:
    body = _validate_bulk(ctx.body)
    ws = ctx.view.ws
    issues: dict[int, Issue] = {}
    for ident in body["issueIdsOrKeys"]:
        found = ws.issue(str(ident))
        if found is not None:  # issues one cannot see are left out, not an error
            issues[found.id] = found
    field_ids = set(body.get("fieldIds") or []) or None
    # A server may grant fewer histories a page than asked for: the client pages by the
    # token, never by the count it asked for.
    limit = min(clamp_int(body.get("maxResults"), "maxResults", 1000, 10000), ctx.view.bulk_grant)
    scope = ",".join(str(i) for i in sorted(issues)) + "|" + ",".join(sorted(field_ids or []))
    start = decode_token(body["nextPageToken"], scope) if body.get("nextPageToken") else 0
    kept = _ordered(ctx, issues, field_ids, scope)
    groups: dict[int, list[dict[str, Any]]] = {}
    for h, issue in kept[start : start + limit]:
        shown = render_history(ctx.view, h, epoch_ms=True, field_ids=field_ids)
        assert shown is not None  # _ordered kept only histories with a matching item
        groups.setdefault(issue.id, []).append(shown)
    reply: dict[str, Any] = {
        "issueChangeLogs": [{"issueId": str(i), "changeHistories": hs} for i, hs in groups.items()]
    }
    if start + limit < len(kept):
        reply["nextPageToken"] = encode_token(start + limit, scope)
    return Reply(200, reply)


# The last few answers' order, so that paging one request's histories costs one sort
# (benchmarks page 25,000 histories 100 at a time). Keyed by the request's scope and
# the issues' history counts, which change whenever a history is added.
_ORDERED: dict[tuple[int, str, int], list[tuple[History, Issue]]] = {}
_ORDERED_KEEP = 4


def _ordered(
    ctx: Ctx, issues: dict[int, Issue], field_ids: set[str] | None, scope: str
) -> list[tuple[History, Issue]]:
    """The histories to page, oldest first then by issue id; with ``field_ids``, only
    those with an item of one of those fields."""
    key = (
        id(ctx.view.ws),
        f"{ctx.view.flavour}|{scope}",
        sum(len(i.histories) for i in issues.values()),
    )
    found = _ORDERED.get(key)
    if found is not None:
        return found
    kept = [
        (h, issue)
        for issue in issues.values()
        for h in issue.histories
        if field_ids is None or any(item_field_id(ctx.view, item) in field_ids for item in h.items)
    ]
    kept.sort(key=lambda t: (t[0].created, t[1].id, t[0].id))
    if len(_ORDERED) >= _ORDERED_KEEP:
        _ORDERED.pop(next(iter(_ORDERED)))
    _ORDERED[key] = kept
    return kept


ROUTES = (
    Route("GET", "/rest/api/2/issue/{key}/changelog", get_changelog, only="cloud"),
    Route("POST", "/rest/api/2/changelog/bulkfetch", bulk_fetch, only="cloud"),
)
