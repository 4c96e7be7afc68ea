"""The records a simulated Jira site is made of: people, projects, boards, sprints,
issues and what hangs off them (histories, comments, links). Plain mutable dataclasses;
``JiraWorkspace`` in ``model`` owns them and keeps them consistent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STATUSES = {  # name -> (id, status category key)
    "To Do": ("10000", "new"),
    "In Progress": ("3", "indeterminate"),
    "In Review": ("10101", "indeterminate"),
    "Done": ("10001", "done"),
}


@dataclass(slots=True)
class User:
    account_id: str  # Cloud identity
    username: str  # Server identity (`name`)
    user_key: str  # Server `key`, JIRAUSER...
    display_name: str
    email: str
    time_zone: str = "Europe/London"
    account_type: str = "atlassian"  # "app" for automation
    email_visible: bool = True  # Cloud privacy setting

    def handles(self) -> set[str]:
        return {self.account_id, self.username, self.user_key, self.email.lower()}


@dataclass(slots=True)
class Project:
    id: int
    key: str
    name: str


@dataclass(slots=True)
class Board:
    id: int
    name: str
    project_key: str
    type: str = "scrum"


@dataclass(slots=True)
class Sprint:
    id: int
    name: str
    board_id: int
    state: str  # future | active | closed
    start: datetime | None = None  # planned start chosen in the "Start sprint" dialog
    end: datetime | None = None  # planned end
    activated: datetime | None = None  # real start; only Server/DC shows it
    completed: datetime | None = None
    created: datetime | None = None
    goal: str = ""

    def closed_at(self, at: datetime) -> bool:
        return self.completed is not None and self.completed <= at


@dataclass(slots=True)
class ChangeItem:
    field_key: str  # logical key, or "Link" / "RemoteIssueLink"
    field: str  # display name at the time of the change
    fieldtype: str
    from_value: str | None
    from_string: str | None
    to_value: str | None
    to_string: str | None
    # Cloud-only raw values: ARI version tokens for rich text, account ids for users.
    cloud_from: str | None = None
    cloud_to: str | None = None


@dataclass(slots=True)
class History:
    id: int
    author: User | None  # None: automation, written without an author
    created: datetime
    items: list[ChangeItem]


@dataclass(slots=True)
class Comment:
    id: int
    author: User
    body: str
    created: datetime
    updated: datetime


@dataclass(slots=True)
class IssueLink:
    id: int
    type_name: str
    outward: bool  # True: this issue -> other (read with the type's outward phrase)
    other_key: str


@dataclass(slots=True)
class RemoteLink:
    id: int
    url: str
    title: str
    app: str  # "confluence", "slack", "" (plain web link)


@dataclass(slots=True)
class Issue:
    id: int
    key: str
    project: str
    created: datetime
    updated: datetime
    reporter: User
    values: dict[str, Any]  # logical field key -> value
    sprint_ids: list[int] = field(default_factory=list)
    histories: list[History] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    links: list[IssueLink] = field(default_factory=list)
    remote_links: list[RemoteLink] = field(default_factory=list)
    text_versions: dict[str, int] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return int(self.key.rsplit("-", 1)[1])


LINK_TYPES = {  # name -> (id, inward, outward)
    "Relates": ("10003", "relates to", "relates to"),
    "Blocks": ("10000", "is blocked by", "blocks"),
    "Cloners": ("10001", "is cloned by", "clones"),
}
REMOTE_APPS = {  # app -> (application type, application name)
    "confluence": ("com.atlassian.confluence", "Confluence"),
    "slack": ("com.slack", "Slack"),
    "": ("", ""),
}


def remote_title(link: RemoteLink) -> str:
    """Confluence remote links carry the generic title "Wiki Page", not the page's."""
    return "Wiki Page" if link.app == "confluence" else link.title
