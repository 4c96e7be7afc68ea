"""The one mutation the simulator accepts: ``commentCreate`` (how tracker asks on an
issue). The comment is authored by the API key's user, dated the simulator's now, and an
``id`` given in the input is kept; a second create with the same id is refused, as
Linear refuses a duplicate identifier."""

from __future__ import annotations

import uuid
from typing import Any

from graphql import GraphQLError

from connectors.sim.linear import model
from connectors.sim.linear.resolvers import Ctx, issue_by_id


def _invalid(message: str) -> GraphQLError:
    return GraphQLError(
        message,
        extensions={
            "type": "invalid input",
            "code": "INVALID_INPUT",
            "userError": True,
            "userPresentableMessage": message,
        },
    )


def comment_create(_: Any, ctx: Ctx, input: dict[str, Any]) -> dict[str, Any]:
    issue = issue_by_id(ctx, str(input.get("issueId") or ""))
    body = str(input.get("body") or "")
    if not body.strip():
        raise _invalid("Argument Validation Error: body should not be empty")
    ident = str(input.get("id") or uuid.uuid4())
    if any(c.id == ident for c in ctx.ws.comments):
        raise _invalid(f"Entity already exists: Comment {ident}")
    comment = model.Comment(ident, issue, body, ctx.now, ctx.ws.viewer, None, input.get("parentId"))
    ctx.ws.comments.append(comment)  # the view shares its lists with the workspace
    return {"success": True, "lastSyncId": float(len(ctx.ws.comments)), "comment": comment}


MUTATIONS: dict[tuple[str, str], Any] = {("Mutation", "commentCreate"): comment_create}
