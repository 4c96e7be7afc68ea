"""The simulated Jira site's state: people, projects, boards, sprints and issues.

Every mutation writes the issue's changelog exactly as Jira would (one history per save,
items keyed by field, sprint lists of *all* sprints, ``Link``/``RemoteIssueLink`` items)
and bumps ``updated``, so the state the API shows and the history it tells always agree.
Times are aware UTC datetimes; rendering them in the requesting user's time zone is the
server's job. One re-entrant lock guards reads (server threads) and writes (tests).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from connectors.sim.jira.fields import BY_KEY, TEXT_FIELDS, FieldDef, resolve_field
from connectors.sim.jira.records import (
    LINK_TYPES,
    REMOTE_APPS,
    STATUSES,
    Board,
    ChangeItem,
    Comment,
    History,
    Issue,
    IssueLink,
    Project,
    RemoteLink,
    Sprint,
    User,
    remote_title,
)

__all__ = [
    "LINK_TYPES",
    "REMOTE_APPS",
    "STATUSES",
    "Board",
    "ChangeItem",
    "Comment",
    "History",
    "Issue",
    "IssueLink",
    "JiraWorkspace",
    "Project",
    "RemoteLink",
    "Sprint",
    "User",
    "remote_title",
]


class JiraWorkspace:
    """A whole simulated Jira site. Build it with the ``add_*``/``create_issue`` methods,
    then change it with the mutation methods, which write the changelog."""

    def __init__(self, site: str = "acme", cloud_id: str = "d1c3f0a2-7b7e-4c35-9a51-5e0c8b1f2a10"):
        self.site = site
        self.cloud_id = cloud_id
        self.lock = threading.RLock()
        self.users: list[User] = []
        self.projects: dict[str, Project] = {}
        self.boards: dict[int, Board] = {}
        self.sprints: dict[int, Sprint] = {}
        self.issues: dict[str, Issue] = {}
        self._by_id: dict[int, Issue] = {}  # numeric-id lookups stay O(1) at scale
        self._next = {"issue": 10001, "history": 100001, "comment": 200001, "link": 30001}
        self._next |= {"remote": 40001}

    # -- building -------------------------------------------------------------------
    def _take(self, counter: str) -> int:
        value = self._next[counter]
        self._next[counter] += 1
        return value

    def add_user(self, user: User) -> User:
        self.users.append(user)
        return user

    def add_project(self, key: str, name: str, project_id: int) -> Project:
        self.projects[key] = Project(project_id, key, name)
        return self.projects[key]

    def add_board(self, board: Board) -> Board:
        self.boards[board.id] = board
        return board

    def add_sprint(self, sprint: Sprint) -> Sprint:
        self.sprints[sprint.id] = sprint
        return sprint

    def user(self, handle: str | User | None) -> User | None:
        """A user by account id, username, user key, email or display name."""
        if handle is None or isinstance(handle, User):
            return handle
        wanted = handle.strip().lower()
        for u in self.users:
            if wanted in {h.lower() for h in u.handles()} or wanted == u.display_name.lower():
                return u
        raise KeyError(f"no user {handle!r} in the simulated site")

    def issue(self, key_or_id: str) -> Issue | None:
        found = self.issues.get(key_or_id.upper())
        if found is None and key_or_id.isdigit():
            found = self._by_id.get(int(key_or_id))
        return found

    def _get(self, key: str) -> Issue:
        found = self.issue(key)
        if found is None:
            raise KeyError(f"no issue {key!r} in the simulated site")
        return found

    def create_issue(
        self, project: str, summary: str, at: datetime, reporter: str, **values: Any
    ) -> Issue:
        """A new issue. ``values`` are logical field values (``ac``, ``description``,
        ``issuetype``, ``status``, ``priority``, ``labels``, ``story_points``, ``assignee``).
        Jira writes no history for the values an issue is created with."""
        with self.lock:
            number = values.pop("number", None) or 1 + max(
                (i.number for i in self.issues.values() if i.project == project), default=0
            )
            author = self.user(reporter)
            assert author is not None
            defaults: dict[str, Any] = {
                "issuetype": "Story",
                "status": "To Do",
                "priority": "Medium",
            }
            defaults |= {"labels": [], "story_points": None, "description": None, "ac": None}
            defaults |= {"assignee": None, "rank": f"0|i{number:05d}:"}
            issue = Issue(
                id=self._take("issue"),
                key=f"{project}-{number}",
                project=project,
                created=at,
                updated=at,
                reporter=author,
                values=defaults | {"summary": summary} | values,
            )
            for text_key in TEXT_FIELDS:
                issue.text_versions[text_key] = 1 if issue.values.get(text_key) else 0
            self.issues[issue.key] = issue
            self._by_id[issue.id] = issue
            return issue

    # -- mutations (each writes one history, as one save in Jira does) --------------------
    def _record(
        self, issue: Issue, at: datetime, author: str | User | None, items: list[ChangeItem]
    ) -> History:
        history = History(self._take("history"), self.user(author), at, items)
        issue.histories.append(history)
        issue.updated = max(issue.updated, at)
        return history

    def edit_field(
        self,
        key: str,
        field_id_or_name: str,
        new_text: str | None,
        author: str | User | None,
        at: datetime,
    ) -> History:
        """Change a text field (the AC custom field or ``description``)."""
        with self.lock:
            issue = self._get(key)
            fdef = resolve_field(field_id_or_name)
            if fdef.key not in TEXT_FIELDS:
                raise ValueError(f"{fdef.name} is not a text field: use set_field")
            old = issue.values.get(fdef.key)
            issue.values[fdef.key] = new_text
            item = ChangeItem(
                fdef.key,
                fdef.name if fdef.custom else fdef.key,
                "custom" if fdef.custom else "jira",
                None,
                old,
                None,
                new_text,
            )
            if fdef.key == "description":  # Cloud keeps ADF versions and shows their ARI
                before = issue.text_versions.get("description", 0)
                item.cloud_from = self._ari(issue, before) if before else None
                issue.text_versions["description"] = before + 1
                item.cloud_to = self._ari(issue, before + 1) if new_text else None
            return self._record(issue, at, author, [item])

    def _ari(self, issue: Issue, version: int) -> str:
        ari = f"ari:cloud:jira:{self.cloud_id}:issuefieldvalue/{issue.id}/description"
        return '{"id":"' + ari + '","version":"' + str(version) + '"}'

    def set_field(
        self, key: str, field_key: str, value: Any, author: str | User | None, at: datetime
    ) -> History:
        """Change a non-text field (status, priority, summary, labels, story_points, rank,
        assignee)."""
        with self.lock:
            issue = self._get(key)
            fdef = BY_KEY[field_key]
            old = issue.values.get(field_key)
            issue.values[field_key] = value
            return self._record(issue, at, author, [_item_for(fdef, old, value, self)])

    def add_comment(self, key: str, author: str | User, body: str, at: datetime) -> Comment:
        """Comments do not appear in the changelog, but they do bump ``updated``."""
        with self.lock:
            issue = self._get(key)
            person = self.user(author)
            assert person is not None
            comment = Comment(self._take("comment"), person, body, at, at)
            issue.comments.append(comment)
            issue.updated = max(issue.updated, at)
            return comment

    def add_issue_link(
        self, key: str, other_key: str, link_type: str, at: datetime, author: str | User | None
    ) -> IssueLink:
        """Link ``key`` -> ``other_key``; both issues get a ``Link`` history item."""
        with self.lock:
            issue, other = self._get(key), self._get(other_key)
            _, inward, outward = LINK_TYPES[link_type]
            link_id = self._take("link")
            link = IssueLink(link_id, link_type, True, other.key)
            issue.links.append(link)
            other.links.append(IssueLink(link_id, link_type, False, issue.key))
            text = f"This issue {outward} {other.key}"
            self._record(
                issue, at, author, [ChangeItem("Link", "Link", "jira", None, None, other.key, text)]
            )
            back = f"This issue {inward} {issue.key}"
            self._record(
                other, at, author, [ChangeItem("Link", "Link", "jira", None, None, issue.key, back)]
            )
            return link

    def add_remote_link(
        self, key: str, url: str, title: str, app: str, at: datetime, author: str | User | None
    ) -> RemoteLink:
        """A remote link (``app``: ``confluence``, ``slack`` or ``""`` for a web link)."""
        with self.lock:
            issue = self._get(key)
            app = app.lower()
            if app not in REMOTE_APPS:
                raise KeyError(f"unknown remote app {app!r}; known: {sorted(REMOTE_APPS)}")
            link = RemoteLink(self._take("remote"), url, title, app)
            issue.remote_links.append(link)
            shown = remote_title(link)
            app_name = REMOTE_APPS[app][1]
            text = (
                f'This issue links to "{shown} ({app_name})"'
                if app_name
                else f'This issue links to "{shown}"'
            )
            item = ChangeItem(
                "RemoteIssueLink", "RemoteIssueLink", "jira", None, None, str(link.id), text
            )
            self._record(issue, at, author, [item])
            return link

    def move_to_sprint(
        self, key: str, sprint_id: int | None, at: datetime, author: str | User | None
    ) -> History | None:
        """Move an issue to a sprint (None: to the backlog). Like Jira, sprints that were
        already closed at ``at`` stay on the issue; the open one it was in is replaced.
        A move that changes nothing writes no history (None)."""
        with self.lock:
            issue = self._get(key)
            old = list(issue.sprint_ids)
            kept = [s for s in old if s in self.sprints and self.sprints[s].closed_at(at)]
            new = kept + ([sprint_id] if sprint_id is not None and sprint_id not in kept else [])
            if new == old:
                return None
            issue.sprint_ids = new
            return self._record(issue, at, author, [self._sprint_item(old, new)])

    def _sprint_item(self, old: list[int], new: list[int]) -> ChangeItem:
        def names(ids: list[int]) -> str:
            return ", ".join(self.sprints[i].name for i in ids)

        ids_old = ", ".join(str(i) for i in old)
        # Jira writes null for a first assignment and "" (not null) for a removal.
        return ChangeItem(
            "sprint",
            "Sprint",
            "custom",
            ids_old or None,
            names(old) or None,
            ", ".join(str(i) for i in new),
            names(new),
        )


def _item_for(fdef: FieldDef, old: Any, new: Any, ws: JiraWorkspace) -> ChangeItem:
    name = fdef.name if fdef.custom else fdef.key
    fieldtype = "custom" if fdef.custom else "jira"
    if fdef.key == "rank":  # Jira records a re-rank without values
        return ChangeItem("rank", name, fieldtype, "", "", "", "Ranked higher")
    if fdef.key in {"assignee", "reporter"}:
        before, after = ws.user(old), ws.user(new)
        item = ChangeItem(
            fdef.key,
            name,
            fieldtype,
            before.username if before else None,
            before.display_name if before else None,
            after.username if after else None,
            after.display_name if after else None,
        )
        item.cloud_from = before.account_id if before else None
        item.cloud_to = after.account_id if after else None
        return item

    def as_pair(value: Any) -> tuple[str | None, str | None]:
        if value is None or value == []:
            return None, None
        if fdef.key == "status":
            return STATUSES[value][0], value
        if fdef.key == "labels":
            return None, " ".join(value)
        return None, str(value)

    fv, fs = as_pair(old)
    tv, ts = as_pair(new)
    return ChangeItem(fdef.key, name, fieldtype, fv, fs, tv, ts)
