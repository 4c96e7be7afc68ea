"""Jira Software (Agile 1.0): boards, their sprints, a sprint, a sprint's issues."""

from __future__ import annotations

from typing import Any

from connectors.sim.jira.handlers._base import Ctx, Reply, Route, error
from connectors.sim.jira.handlers._issue import Caps, render_issue, select_fields, split_params
from connectors.sim.jira.handlers._render import render_sprint
from connectors.sim.jira.handlers.search import run_jql
from connectors.sim.jira.model import Board, Sprint

BOARD_MISSING = (
    "The requested board cannot be viewed because it either does not exist or you do not "
    "have permission to view it."
)
SPRINT_MISSING = (
    "The requested sprint cannot be viewed because it either does not exist or you do not "
    "have permission to view it."
)
# The Agile API hands out at most 50 sprints or issues per page.
AGILE_PAGE = 50
_STATE_ORDER = {"closed": 0, "active": 1, "future": 2}


def _board(ctx: Ctx) -> Board:
    raw = ctx.path["id"]
    board = ctx.view.ws.boards.get(int(raw)) if raw.isdigit() else None
    if board is None:
        raise error(404, BOARD_MISSING)
    return board


def _sprint(ctx: Ctx) -> Sprint:
    raw = ctx.path["id"]
    sprint = ctx.view.ws.sprints.get(int(raw)) if raw.isdigit() else None
    if sprint is None:
        raise error(404, SPRINT_MISSING)
    return sprint


def get_board(ctx: Ctx) -> Reply:
    board = _board(ctx)
    view = ctx.view
    project = view.ws.projects[board.project_key]
    return Reply(
        200,
        {
            "id": board.id,
            "self": f"{view.base_url}/rest/agile/1.0/board/{board.id}",
            "name": board.name,
            "type": board.type,
            "location": {
                "projectId": project.id,
                "displayName": f"{project.name} ({project.key})",
                "projectName": project.name,
                "projectKey": project.key,
                "projectTypeKey": "software",
                "name": f"{project.name} ({project.key})",
            },
        },
    )


def get_board_sprints(ctx: Ctx) -> Reply:
    board = _board(ctx)
    states = set(split_params(ctx.args("state"))) or set(_STATE_ORDER)
    bad = states - set(_STATE_ORDER)
    if bad:
        raise error(
            400,
            f"The sprint state '{sorted(bad)[0]}' is not valid. "
            "Valid states: future, active, closed.",
        )
    sprints = [
        s for s in ctx.view.ws.sprints.values() if s.board_id == board.id and s.state in states
    ]
    sprints.sort(key=lambda s: (_STATE_ORDER[s.state], s.id))  # state, then backlog position
    start = ctx.int_arg("startAt", 0)
    limit = ctx.int_arg("maxResults", AGILE_PAGE, maximum=AGILE_PAGE)
    page = sprints[start : start + limit]
    body: dict[str, Any] = {"maxResults": limit, "startAt": start}
    if not ctx.view.cloud:
        body["total"] = len(sprints)
    body |= {
        "isLast": start + limit >= len(sprints),
        "values": [render_sprint(ctx.view, s) for s in page],
    }
    return Reply(200, body)


def get_sprint(ctx: Ctx) -> Reply:
    return Reply(200, render_sprint(ctx.view, _sprint(ctx)))


def get_sprint_issues(ctx: Ctx) -> Reply:
    sprint = _sprint(ctx)
    members = [i for i in ctx.view.ws.issues.values() if sprint.id in i.sprint_ids]
    jql = ctx.arg("jql")
    if jql:
        _, members = run_jql(ctx, jql, members)
    members.sort(key=lambda i: str(i.values.get("rank", "")))  # rank order, whatever the JQL said
    start = ctx.int_arg("startAt", 0)
    limit = ctx.int_arg("maxResults", AGILE_PAGE, maximum=AGILE_PAGE)
    keys = select_fields(ctx.view, split_params(ctx.args("fields")), "*navigable", agile=True)
    expand = set(split_params(ctx.args("expand")))
    caps = Caps(histories=100, newest_first=True) if ctx.view.cloud else Caps()
    issues = [render_issue(ctx.view, i, keys, expand, caps) for i in members[start : start + limit]]
    return Reply(
        200,
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": limit,
            "total": len(members),
            "issues": issues,
        },
    )


ROUTES = (
    Route("GET", "/rest/agile/1.0/board/{id}", get_board),
    Route("GET", "/rest/agile/1.0/board/{id}/sprint", get_board_sprints),
    Route("GET", "/rest/agile/1.0/sprint/{id}", get_sprint),
    Route("GET", "/rest/agile/1.0/sprint/{id}/issue", get_sprint_issues),
)
