"""Issue beans: which fields a request gets, and how much history and comment rides along.

Jira caps what it inlines, and the caps differ by endpoint and deployment:
``GET issue?expand=changelog`` keeps the 100 most recent histories on Cloud and all of
them on Server; Cloud's ``/search/jql`` keeps 40 histories and 20 comments. ``total``
always tells the real number, which is how a careful client notices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from connectors.sim.jira.fields import BY_KEY, FIELDS, TEXT_FIELDS, resolve_field
from connectors.sim.jira.handlers._render import (
    View,
    core_time,
    render_comment,
    render_history,
    render_issue_link,
    render_named,
    render_sprint,
    render_sprint_value,
    render_status,
    render_user,
    wire_text,
)
from connectors.sim.jira.model import Issue

ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
AGILE_FIELDS = ("sprint_agile", "closedSprints", "flagged")
_ALL = tuple(f.key for f in FIELDS)
_NAVIGABLE = tuple(f.key for f in FIELDS if f.navigable)


@dataclass(frozen=True, slots=True)
class Caps:
    """How many histories / comments an endpoint inlines (None: all)."""

    histories: int | None = None
    comments: int | None = None
    newest_first: bool = False


def split_params(values: Iterable[str]) -> list[str]:
    """``fields=a,b&fields=c`` and ``["a,b", "c"]`` alike -> ``["a", "b", "c"]``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def select_fields(
    view: View, requested: list[str], default: str, *, agile: bool = False
) -> list[str]:
    """Logical field keys to render. Unknown ids are ignored, as Jira does."""
    wanted: list[str] = []
    excluded: set[str] = set()
    for name in requested or [default]:
        if name.startswith("-"):
            excluded |= set(_keys_for(name[1:], agile))
            continue
        wanted += [k for k in _keys_for(name, agile) if k not in wanted]
    return [k for k in wanted if k not in excluded]


def _keys_for(name: str, agile: bool) -> list[str]:
    extra = list(AGILE_FIELDS) if agile else []
    if name == "*all":
        return [*_ALL, *extra]
    if name == "*navigable":
        return [*_NAVIGABLE, *extra]
    if name in {"id", "key"}:
        return []
    if agile and name in {"sprint", "closedSprints", "flagged"}:
        return ["sprint_agile" if name == "sprint" else name]
    try:
        return [resolve_field(name).key]
    except KeyError:
        return []


def render_issue(
    view: View,
    issue: Issue,
    keys: list[str],
    expand: set[str],
    caps: Caps,
    *,
    id_only: bool = False,
) -> dict[str, Any]:
    """An ``IssueBean``. ``id_only``: Cloud search's default, the bare ``{"id": ...}``."""
    body: dict[str, Any] = {"id": str(issue.id)}
    if not id_only:
        body = {
            "expand": ISSUE_EXPAND,
            "id": str(issue.id),
            "self": view.api(f"issue/{issue.id}"),
            "key": issue.key,
        }
        if keys:
            body["fields"] = {_wire_key(view, k): render_field(view, issue, k, caps) for k in keys}
    if "changelog" in expand:
        body["changelog"] = render_changelog_page(view, issue, caps)
    return body


def _wire_key(view: View, key: str) -> str:
    if key == "sprint_agile":
        return "sprint"
    if key in {"closedSprints", "flagged"}:
        return key
    return BY_KEY[key].id_for(view.flavour)


def render_changelog_page(view: View, issue: Issue, caps: Caps) -> dict[str, Any]:
    """``PageOfChangelogs``: the most recent ``caps.histories`` histories."""
    ordered = sorted(issue.histories, key=lambda h: (h.created, h.id))
    kept = ordered if caps.histories is None else ordered[-caps.histories :]
    if caps.newest_first:  # Cloud's spec says "starting from the most recent"
        kept = kept[::-1]
    rendered = [render_history(view, h) for h in kept]
    return {
        "startAt": 0,
        "maxResults": len(kept) if caps.histories is None else caps.histories,
        "total": len(ordered),
        "histories": rendered,
    }


def render_comment_page(
    view: View, issue: Issue, start: int, limit: int, newest_first: bool = False
) -> dict[str, Any]:
    ordered = sorted(issue.comments, key=lambda c: (c.created, c.id), reverse=newest_first)
    page = ordered[start : start + limit]
    return {
        "comments": [render_comment(view, issue, c) for c in page],
        "maxResults": limit,
        "total": len(ordered),
        "startAt": start,
    }


def render_field(view: View, issue: Issue, key: str, caps: Caps) -> Any:
    value: Any = issue.values.get(key)
    if key in TEXT_FIELDS:
        return wire_text(view, value)
    if key in {"created", "updated"}:
        return core_time(view, getattr(issue, key))
    if key == "status":
        return render_status(view, value)
    if key in {"issuetype", "priority"}:
        return render_named(view, key, value)
    if key in {"reporter", "assignee"}:
        person = issue.reporter if key == "reporter" else view.ws.user(value)
        return render_user(view, person) if person else None
    if key == "resolution":
        done = issue.values["status"] == "Done"
        return render_named(view, "resolution", "Done") if done else None
    if key == "issuelinks":
        return [render_issue_link(view, link) for link in issue.links]
    if key == "comment":
        limit = len(issue.comments) if caps.comments is None else caps.comments
        page = render_comment_page(view, issue, 0, limit)
        return page | {"self": view.api(f"issue/{issue.id}/comment")} if view.cloud else page
    if key == "project":
        project = view.ws.projects[issue.project]
        return {
            "self": view.api(f"project/{project.id}"),
            "id": str(project.id),
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
        }
    if key in {"sprint", "sprint_agile", "closedSprints", "flagged"}:
        return _sprint_field(view, issue, key)
    return value


def _sprint_field(view: View, issue: Issue, key: str) -> Any:
    """The Sprint custom field, or the Agile API's own ``sprint``/``closedSprints``."""
    sprints = [view.ws.sprints[s] for s in issue.sprint_ids]
    if key == "sprint":
        return [render_sprint_value(view, s) for s in sprints] or None
    if key == "sprint_agile":  # the one open sprint the issue is in
        open_ = [s for s in sprints if s.state != "closed"]
        return render_sprint(view, open_[0]) if open_ else None
    if key == "closedSprints":
        return [render_sprint(view, s) for s in sprints if s.state == "closed"]
    return False  # flagged
