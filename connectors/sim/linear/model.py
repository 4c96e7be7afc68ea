"""The records a simulated Linear workspace is made of, each carrying the times it changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

_T = TypeVar("_T")


@dataclass(frozen=True)
class User:
    id: str
    name: str
    display_name: str
    email: str
    active: bool = True
    app: bool = False
    admin: bool = False  # a workspace administrator


@dataclass(frozen=True)
class Bot:
    """An ``ActorBot``: an integration or automation acting without a user."""

    id: str
    name: str
    type: str
    sub_type: str | None = None
    user_display_name: str | None = None


Actor = User | Bot | None


@dataclass
class Team:
    id: str
    key: str
    name: str
    timezone: str = "Europe/London"
    cycles_enabled: bool = True


@dataclass
class Cycle:
    id: str
    team: Team
    number: float
    name: str | None
    starts_at: datetime
    ends_at: datetime
    completed_at: datetime | None  # when it closes; visible only once ``now`` reaches it
    created_at: datetime
    description: str | None = None


@dataclass(frozen=True)
class Label:
    id: str
    name: str


@dataclass(frozen=True)
class WorkflowState:
    id: str
    name: str
    type: str


@dataclass
class Issue:
    id: str
    team: Team
    number: int
    title: str
    url: str
    created_at: datetime
    creator: User | None
    labels: list[Label]
    descriptions: list[tuple[datetime, str | None]]
    cycles: list[tuple[datetime, Cycle | None]]
    states: list[tuple[datetime, WorkflowState]]
    bumps: list[datetime]  # moments that changed ``updatedAt``
    assignee: User | None = None
    archived_at: datetime | None = None
    # The estimate over time (empty: never estimated); ``Issue.estimate`` is the latest.
    estimates: list[tuple[datetime, float | None]] = field(default_factory=list)

    @property
    def identifier(self) -> str:
        return f"{self.team.key}-{self.number}"


@dataclass
class HistoryEntry:
    id: str
    issue: Issue
    times: list[datetime]  # first = createdAt; grouped saves push updatedAt forward
    actor: User | None
    bot: Bot | None
    updated_description: bool | None = None
    description_updated_by: list[User] | None = None
    from_cycle: Cycle | None = None
    to_cycle: Cycle | None = None
    attachment_id: str | None = None
    relation_changes: list[tuple[str, str]] | None = None
    from_estimate: float | None = None
    to_estimate: float | None = None


@dataclass
class Comment:
    id: str
    issue: Issue
    body: str
    created_at: datetime
    user: User | None
    bot: Bot | None = None
    parent_id: str | None = None


@dataclass
class Attachment:
    id: str
    issue: Issue
    url: str
    title: str
    subtitle: str | None
    source_type: str | None
    created_at: datetime
    creator: User | None


@dataclass
class Relation:
    id: str
    type: str
    issue: Issue
    related: Issue
    created_at: datetime


def latest(timeline: list[tuple[datetime, _T]], at: datetime) -> _T:
    current = timeline[0][1]
    for when, value in timeline:
        if when <= at:
            current = value
    return current


def split_actor(actor: Actor) -> tuple[User | None, Bot | None]:
    if isinstance(actor, Bot):
        return None, actor
    return actor, None


_STATE_TYPES = {
    "Backlog": "backlog",
    "Todo": "unstarted",
    "In Progress": "started",
    "In Review": "started",
    "Done": "completed",
    "Canceled": "canceled",
}


def workflow_state(name: str) -> WorkflowState:
    return WorkflowState(
        f"state-{name.lower().replace(' ', '-')}", name, _STATE_TYPES.get(name, "unstarted")
    )
