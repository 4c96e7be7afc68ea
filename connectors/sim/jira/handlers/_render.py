"""Workspace records -> Jira REST v2 / Agile 1.0 JSON, per deployment.

Where Cloud and Server/DC differ this module is the one place that knows: user shapes
(accountId vs name/key), ``fieldId`` on changelog items (Cloud only), ``\\r\\n`` line
endings in Server text, ARI tokens in Cloud rich-text ``from``/``to``, time stamps in the
requesting user's zone (``+HHMM`` on the core API, ``+HH:MM``/``Z`` on Agile) and the
Sprint field (objects on Cloud, ``Sprint@...[...]`` strings on Server).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.sim.jira.fields import BY_KEY, TEXT_FIELDS, Flavour
from connectors.sim.jira.model import (
    LINK_TYPES,
    REMOTE_APPS,
    STATUSES,
    ChangeItem,
    Comment,
    History,
    Issue,
    IssueLink,
    JiraWorkspace,
    RemoteLink,
    Sprint,
    User,
    remote_title,
)


@dataclass(frozen=True, slots=True)
class View:
    """Who is asking, of which deployment: everything rendering depends on."""

    ws: JiraWorkspace
    flavour: Flavour
    base_url: str
    viewer: User
    now: datetime | None = None  # the server's clock: relative JQL dates are read from it
    bulk_grant: int = 10_000  # the most histories a bulkfetch page holds, whatever is asked

    @property
    def cloud(self) -> bool:
        return self.flavour == "cloud"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.viewer.time_zone)

    def api(self, path: str) -> str:
        return f"{self.base_url}/rest/api/2/{path}"


def core_time(view: View, at: datetime) -> str:
    """``2026-03-02T19:12:37.412+1000``: the core API's form, in the viewer's zone."""
    local = at.astimezone(view.tz)
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{local.microsecond // 1000:03d}"
        + local.strftime("%z")
    )


def agile_time(view: View, at: datetime | None) -> str | None:
    """Agile dates: ``...Z`` on Cloud, ``...-05:00`` (viewer's zone) on Server."""
    if at is None:
        return None
    local = at.astimezone(UTC if view.cloud else view.tz)
    text = local.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if view.cloud else text


def wire_text(view: View, text: str | None) -> str | None:
    """Server/DC stores text with ``\\r\\n`` line endings; Cloud sends what was saved."""
    if text is None or view.cloud:
        return text
    return re.sub(r"(?<!\r)\n", "\r\n", text)


def render_user(view: View, user: User) -> dict[str, Any]:
    avatars = {
        size: f"https://avatars.example.invalid/{user.username}/{size}"
        for size in ("48x48", "24x24", "16x16", "32x32")
    }
    if view.cloud:
        body: dict[str, Any] = {
            "self": view.api(f"user?accountId={user.account_id}"),
            "accountId": user.account_id,
            "avatarUrls": avatars,
            "displayName": user.display_name,
            "active": True,
            "timeZone": user.time_zone,
            "accountType": user.account_type,
        }
        if user.email_visible:
            body["emailAddress"] = user.email
        return body
    return {
        "self": view.api(f"user?username={user.username}"),
        "name": user.username,
        "key": user.user_key,
        "emailAddress": user.email,
        "avatarUrls": avatars,
        "displayName": user.display_name,
        "active": True,
        "timeZone": user.time_zone,
    }


def render_sprint(view: View, sprint: Sprint) -> dict[str, Any]:
    """A ``SprintBean`` of the Agile API; Server/DC adds activatedDate, synced, autoStartStop."""
    body: dict[str, Any] = {
        "id": sprint.id,
        "self": f"{view.base_url}/rest/agile/1.0/sprint/{sprint.id}",
        "state": sprint.state,
        "name": sprint.name,
    }
    if sprint.start is not None:
        body["startDate"] = agile_time(view, sprint.start)
        body["endDate"] = agile_time(view, sprint.end)
    if sprint.completed is not None:
        body["completeDate"] = agile_time(view, sprint.completed)
    if view.cloud and sprint.created is not None:
        body["createdDate"] = agile_time(view, sprint.created)
    if not view.cloud and sprint.activated is not None:
        body["activatedDate"] = agile_time(view, sprint.activated)
    body["originBoardId"] = sprint.board_id
    body["goal"] = sprint.goal
    if not view.cloud:
        body |= {"synced": False, "autoStartStop": False}
    return body


def render_sprint_value(view: View, sprint: Sprint) -> dict[str, Any] | str:
    """One entry of the Sprint custom field on an issue."""
    if view.cloud:
        body: dict[str, Any] = {
            "id": sprint.id,
            "name": sprint.name,
            "state": sprint.state,
            "boardId": sprint.board_id,
            "goal": sprint.goal,
        }
        if sprint.start is not None:
            body |= {
                "startDate": agile_time(view, sprint.start),
                "endDate": agile_time(view, sprint.end),
            }
        if sprint.completed is not None:
            body["completeDate"] = agile_time(view, sprint.completed)
        return body
    parts = {
        "id": str(sprint.id),
        "rapidViewId": str(sprint.board_id),
        "state": sprint.state.upper(),
        "name": sprint.name,
        "startDate": agile_time(view, sprint.start) or "<null>",
        "endDate": agile_time(view, sprint.end) or "<null>",
        "completeDate": agile_time(view, sprint.completed) or "<null>",
        "activatedDate": agile_time(view, sprint.activated) or "<null>",
        "sequence": str(sprint.id),
        "goal": sprint.goal,
    }
    # Real Server data does not keep one key order; odd ids put ``id`` last.
    order = list(parts)
    if sprint.id % 2:
        order = [*order[1:], "id"]
    digest = hashlib.sha1(str(sprint.id).encode(), usedforsecurity=False).hexdigest()[:7]
    inner = ",".join(f"{k}={parts[k]}" for k in order)
    return f"com.atlassian.greenhopper.service.sprint.Sprint@{digest}[{inner}]"


def render_item(view: View, item: ChangeItem) -> dict[str, Any]:
    body: dict[str, Any] = {"field": item.field, "fieldtype": item.fieldtype}
    fid = item_field_id(view, item)
    if fid is not None:
        body["fieldId"] = fid
    from_value, to_value = item.from_value, item.to_value
    if view.cloud and item.field_key in {"description", "assignee", "reporter"}:
        from_value, to_value = item.cloud_from, item.cloud_to
    text = item.field_key in TEXT_FIELDS
    body |= {
        "from": from_value,
        "fromString": wire_text(view, item.from_string) if text else item.from_string,
        "to": to_value,
        "toString": wire_text(view, item.to_string) if text else item.to_string,
    }
    return body


def item_field_id(view: View, item: ChangeItem) -> str | None:
    """The item's ``fieldId`` as the wire shows it (Cloud only; None: not shown)."""
    if not view.cloud:
        return None
    if item.field_key == "Link":
        return "issuelinks"
    if item.field_key == "RemoteIssueLink":  # some Cloud items carry no fieldId at all
        return None
    return BY_KEY[item.field_key].id_for(view.flavour)


def render_history(
    view: View, history: History, *, epoch_ms: bool = False, field_ids: set[str] | None = None
) -> dict[str, Any] | None:
    """A ``Changelog``. ``field_ids`` keeps only matching items (bulkfetch), None if none
    remain; ``epoch_ms`` writes ``created`` as epoch milliseconds, as bulkfetch does."""
    items = [render_item(view, it) for it in history.items]
    if field_ids is not None:
        items = [it for it in items if it.get("fieldId") in field_ids]
        if not items:
            return None
    body: dict[str, Any] = {"id": str(history.id)}
    if history.author is not None:
        body["author"] = render_user(view, history.author)
    created: str | int = core_time(view, history.created)
    if epoch_ms:
        created = int(history.created.timestamp() * 1000)
    body |= {"created": created, "items": items}
    if history.author is None:
        body["historyMetadata"] = {
            "type": "jira.automation",
            "activityDescription": "Automation rule",
        }
    return body


def render_comment(view: View, issue: Issue, comment: Comment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "self": view.api(f"issue/{issue.id}/comment/{comment.id}"),
        "id": str(comment.id),
        "author": render_user(view, comment.author),
        "body": wire_text(view, comment.body),
        "updateAuthor": render_user(view, comment.author),
        "created": core_time(view, comment.created),
        "updated": core_time(view, comment.updated),
    }
    if view.cloud:
        body["jsdPublic"] = True
    return body


def render_remote_link(view: View, issue: Issue, link: RemoteLink) -> dict[str, Any]:
    app_type, app_name = REMOTE_APPS[link.app]
    application = {"type": app_type, "name": app_name} if app_type else {}
    relationship = {"confluence": "Wiki Page", "slack": "mentioned in"}.get(link.app, "links to")
    global_id = (
        f"appId=3c1b2a9e&pageId={link.id}" if link.app == "confluence" else f"system={link.url}"
    )
    return {
        "id": link.id,
        "self": view.api(f"issue/{issue.key}/remotelink/{link.id}"),
        "globalId": global_id,
        "application": application,
        "relationship": relationship,
        "object": {
            "url": link.url,
            "title": remote_title(link),
            "icon": {
                "url16x16": f"{view.base_url}/images/icons/generic_link_16.png",
                "title": app_name or "Web Link",
            },
            "status": {"icon": {}},
        },
    }


def render_link_type(view: View, name: str) -> dict[str, Any]:
    type_id, inward, outward = LINK_TYPES[name]
    return {
        "id": type_id,
        "name": name,
        "inward": inward,
        "outward": outward,
        "self": view.api(f"issueLinkType/{type_id}"),
    }


def render_issue_link(view: View, link: IssueLink) -> dict[str, Any]:
    other = view.ws.issues[link.other_key]
    side = "outwardIssue" if link.outward else "inwardIssue"
    summary = {
        "summary": other.values["summary"],
        "status": render_status(view, other.values["status"]),
        "priority": render_named(view, "priority", other.values["priority"]),
        "issuetype": render_named(view, "issuetype", other.values["issuetype"]),
    }
    return {
        "id": str(link.id),
        "self": view.api(f"issueLink/{link.id}"),
        "type": render_link_type(view, link.type_name),
        side: {
            "id": str(other.id),
            "key": other.key,
            "self": view.api(f"issue/{other.id}"),
            "fields": summary,
        },
    }


_CATEGORIES = {
    "new": (2, "blue-gray", "To Do"),
    "indeterminate": (4, "yellow", "In Progress"),
    "done": (3, "green", "Done"),
}


def render_status(view: View, name: str) -> dict[str, Any]:
    status_id, category = STATUSES[name]
    cat_id, colour, cat_name = _CATEGORIES[category]
    return {
        "self": view.api(f"status/{status_id}"),
        "description": "",
        "iconUrl": f"{view.base_url}/images/icons/statuses/generic.png",
        "name": name,
        "id": status_id,
        "statusCategory": {
            "self": view.api(f"statuscategory/{cat_id}"),
            "id": cat_id,
            "key": category,
            "colorName": colour,
            "name": cat_name,
        },
    }


_NAMED_IDS = {
    "Story": "10001",
    "Task": "10002",
    "Bug": "10004",
    "Spike": "10005",
    "Highest": "1",
    "High": "2",
    "Medium": "3",
    "Low": "4",
}


def render_named(view: View, kind: str, name: str) -> dict[str, Any]:
    ident = _NAMED_IDS.get(name, "10000")
    body: dict[str, Any] = {
        "self": view.api(f"{kind}/{ident}"),
        "iconUrl": f"{view.base_url}/images/icons/{kind}.svg",
        "name": name,
        "id": ident,
    }
    if kind == "issuetype":
        body |= {"description": "", "subtask": False}
        if view.cloud:
            body["hierarchyLevel"] = 0
    return body
