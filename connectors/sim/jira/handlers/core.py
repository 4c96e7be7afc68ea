"""Core REST v2 endpoints: serverInfo, myself, field, issue, comments, remote links."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.sim.jira.fields import FIELDS
from connectors.sim.jira.handlers._base import Ctx, Reply, Route, error
from connectors.sim.jira.handlers._issue import (
    Caps,
    render_comment_page,
    render_issue,
    select_fields,
    split_params,
)
from connectors.sim.jira.handlers._render import core_time, render_remote_link, render_user
from connectors.sim.jira.model import Issue

ISSUE_MISSING = "Issue does not exist or you do not have permission to see it."
# Cloud's GET issue inlines only the most recent 100 histories, with no way to page.
CLOUD_ISSUE_HISTORIES = 100


def find_issue(ctx: Ctx) -> Issue:
    issue = ctx.view.ws.issue(ctx.path["key"])
    if issue is None:
        raise error(404, ISSUE_MISSING)
    return issue


def server_info(ctx: Ctx) -> Reply:
    view = ctx.view
    cloud = view.cloud
    version = "1001.0.0-SNAPSHOT" if cloud else "9.12.7"
    body = {
        "baseUrl": view.base_url,
        "displayUrl": view.base_url,
        "version": version,
        "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 7],
        "deploymentType": "Cloud" if cloud else "Server",
        "buildNumber": 100293 if cloud else 9120007,
        "buildDate": "2026-02-10T00:00:00.000+0000",
        "serverTime": core_time(view, datetime.now(UTC)),
        "scmInfo": "57a0ca5b4a0bb0ac5f3fee4764acb1c14e4d7e71",
        "serverTitle": f"{view.ws.site.title()} Jira",
    }
    if not cloud:
        body["serverTimeZone"] = view.viewer.time_zone
    return Reply(200, body)


def myself(ctx: Ctx) -> Reply:
    body = render_user(ctx.view, ctx.view.viewer)
    body["locale"] = "en_US"
    if ctx.view.cloud:
        body["emailAddress"] = ctx.view.viewer.email  # one's own address is never hidden
    return Reply(200, body)


def fields(ctx: Ctx) -> Reply:
    return Reply(200, [f.to_json(ctx.flavour) for f in FIELDS])


def get_issue(ctx: Ctx) -> Reply:
    issue = find_issue(ctx)
    keys = select_fields(ctx.view, split_params(ctx.args("fields")), "*all")
    expand = set(split_params(ctx.args("expand")))
    caps = Caps(histories=CLOUD_ISSUE_HISTORIES, newest_first=True) if ctx.view.cloud else Caps()
    return Reply(200, render_issue(ctx.view, issue, keys, expand, caps))


def get_comments(ctx: Ctx) -> Reply:
    issue = find_issue(ctx)
    start = ctx.int_arg("startAt", 0)
    limit = ctx.int_arg("maxResults", 100, maximum=100 if ctx.view.cloud else 1000)
    order = ctx.arg("orderBy", "created") or "created"
    if order.lstrip("+-") != "created":
        raise error(
            400, f"Invalid orderBy value '{order}'. Valid values are: created, -created, +created."
        )
    return Reply(
        200, render_comment_page(ctx.view, issue, start, limit, newest_first=order.startswith("-"))
    )


def get_remote_links(ctx: Ctx) -> Reply:
    issue = find_issue(ctx)
    return Reply(200, [render_remote_link(ctx.view, issue, link) for link in issue.remote_links])


ROUTES = (
    Route("GET", "/rest/api/2/serverInfo", server_info),
    Route("GET", "/rest/api/2/myself", myself),
    Route("GET", "/rest/api/2/field", fields),
    Route("GET", "/rest/api/2/issue/{key}", get_issue),
    Route("GET", "/rest/api/2/issue/{key}/comment", get_comments),
    Route("GET", "/rest/api/2/issue/{key}/remotelink", get_remote_links),
)
