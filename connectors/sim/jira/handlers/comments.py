"""Adding a comment: ``POST /rest/api/2/issue/{key}/comment`` (wiki markup, both
flavours) and ``POST /rest/api/3/issue/{key}/comment`` (an ADF document, Cloud only);
and ``GET /rest/api/2/user``, which turns a Server/DC user key into the username a
``[~username]`` mention needs.

A comment added through v3 is kept as the wiki markup Cloud's v2 shows for it (mentions
as ``[~accountid:...]``), and answered in ADF as v3 does; the author is the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.sim.jira.handlers._base import Ctx, Reply, Route, error
from connectors.sim.jira.handlers._render import render_comment, render_user
from connectors.sim.jira.handlers.core import find_issue
from tracker import clock

_EMPTY = {"comment": "Comment body can not be empty!"}


def add_comment_v2(ctx: Ctx) -> Reply:
    issue = find_issue(ctx)
    body = ctx.body.get("body") if isinstance(ctx.body, Mapping) else None
    if not isinstance(body, str) or not body.strip():
        raise error(400, errors=_EMPTY)
    comment = ctx.view.ws.add_comment(issue.key, ctx.view.viewer, body, clock.now())
    return Reply(201, render_comment(ctx.view, issue, comment))


def add_comment_v3(ctx: Ctx) -> Reply:
    issue = find_issue(ctx)
    doc = ctx.body.get("body") if isinstance(ctx.body, Mapping) else None
    if not isinstance(doc, Mapping) or not _is_adf(doc):
        # What Cloud answers when v3 is sent a plain string instead of a document.
        raise error(
            400,
            errors={
                "comment": "Operation value must be an Atlassian Document (see the Atlassian Document Format)."
            },
        )
    text = adf_to_wiki(doc)
    if not text.strip():
        raise error(400, errors=_EMPTY)
    comment = ctx.view.ws.add_comment(issue.key, ctx.view.viewer, text, clock.now())
    rendered = render_comment(ctx.view, issue, comment)
    rendered["body"] = doc
    rendered["self"] = rendered["self"].replace("/rest/api/2/", "/rest/api/3/")
    return Reply(201, rendered)


def _is_adf(doc: Any) -> bool:
    return (
        isinstance(doc, Mapping)
        and doc.get("type") == "doc"
        and doc.get("version") == 1
        and isinstance(doc.get("content"), list)
    )


def adf_to_wiki(doc: Mapping[str, Any]) -> str:
    """The wiki markup Cloud's v2 API shows for an ADF comment (the nodes a comment uses)."""
    blocks = []
    for node in doc.get("content") or []:
        kind = node.get("type")
        if kind == "bulletList":
            blocks.append("\n".join(f"* {_item(item)}" for item in node.get("content") or []))
        elif kind == "orderedList":
            blocks.append("\n".join(f"# {_item(item)}" for item in node.get("content") or []))
        else:
            blocks.append(_inline(node.get("content") or []))
    return "\n\n".join(blocks)


def _item(item: Mapping[str, Any]) -> str:
    return " ".join(_inline(p.get("content") or []) for p in item.get("content") or [])


def _inline(nodes: list[Mapping[str, Any]]) -> str:
    out = []
    for node in nodes:
        kind = node.get("type")
        attrs = node.get("attrs") or {}
        if kind == "mention":
            out.append(f"[~accountid:{attrs.get('id', '')}]")
        elif kind == "hardBreak":
            out.append("\n")
        elif kind == "text":
            out.append(_marked(str(node.get("text", "")), node.get("marks") or []))
    return "".join(out)


def _marked(text: str, marks: list[Mapping[str, Any]]) -> str:
    for mark in marks:
        kind = mark.get("type")
        if kind == "strong":
            text = f"*{text}*"
        elif kind == "code":
            text = "{{" + text + "}}"
        elif kind == "link":
            text = f"[{text}|{(mark.get('attrs') or {}).get('href', '')}]"
    return text


def get_user(ctx: Ctx) -> Reply:
    """One user by ``accountId`` (Cloud) or ``key`` / ``username`` (Server/DC)."""
    names = ("accountId",) if ctx.view.cloud else ("key", "username")
    wanted = next(((n, v) for n in names if (v := ctx.arg(n))), None)
    if wanted is None:
        raise error(400, f"The '{names[0]}' query parameter needs to be provided.")
    name, value = wanted
    for user in ctx.view.ws.users:
        if value in (user.account_id if ctx.view.cloud else (user.user_key, user.username)):
            return Reply(200, render_user(ctx.view, user))
    raise error(404, f"The user with the {name} '{value}' does not exist")


ROUTES = (
    Route("GET", "/rest/api/2/user", get_user),
    Route("POST", "/rest/api/2/issue/{key}/comment", add_comment_v2),
    Route("POST", "/rest/api/3/issue/{key}/comment", add_comment_v3, only="cloud"),
)
