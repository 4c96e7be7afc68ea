"""The Linear simulator's data: a workspace whose every fact carries the time it happened.

Linear's history says *that* a description changed, never the old text, so the only way to
see an AC change is to poll before and after it. The workspace is therefore a timeline: each
description version, cycle move, comment, attachment and relation is stored with its time,
and the simulator answers "as of" ``ws.now``. ``advance_to(t)`` moves that moment;
``as_of(t)`` gives a read-only view at another one. A test or ``tracker demo`` builds the
timeline once and syncs at several moments (``connectors.sim.linear.demo_poll_times``).

Fidelity choices, each a documented Linear behaviour or a deliberate worst case:
- Description saves by one actor within ``GROUP_WINDOW`` share one ``IssueHistory`` entry
  whose ``updatedAt`` moves forward (Linear groups history per actor per short window).
- Cycle moves and relations add history entries and bump ``Issue.updatedAt``; comments and
  attachments do not (whether they do on Linear is undocumented: the worst case is served).
- A cycle completed before its ``endsAt`` has ``endsAt`` rewritten to the completion time.
- Linear's own roll-over of unfinished issues at cycle close has no actor and no bot actor.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connectors.sim.linear.model import (
    Actor,
    Attachment,
    Bot,
    Comment,
    Cycle,
    HistoryEntry,
    Issue,
    Label,
    Relation,
    Team,
    User,
    latest,
    split_actor,
    workflow_state,
)
from tracker.clock import ensure_utc
from tracker.clock import now as clock_now

GROUP_WINDOW = timedelta(minutes=3)
_NAMESPACE = uuid.UUID("6f1c1b1e-2d5a-4c8e-9a51-4e8f4b6c0d11")


@dataclass
class LinearWorkspace:
    """A Linear organisation's data as a timeline; the simulator serves it ``as of`` ``now``."""

    url_key: str = "acme"
    viewer: User | None = None
    now: datetime = field(default_factory=clock_now)
    users: list[User] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    _seq: int = 0
    # identifier and id -> issue, so scale-mode workspaces (thousands of issues) build in
    # linear time; a miss falls back to a scan (issues appended to ``issues`` directly).
    _issue_index: dict[str, Issue] = field(default_factory=dict, repr=False)
    _groups: dict[tuple[str, str], tuple[list[Any], int, dict[str, list[Any]]]] = field(
        default_factory=dict, repr=False
    )

    # -- time -------------------------------------------------------------------------------

    def advance_to(self, at: datetime) -> None:
        self.now = ensure_utc(at)

    def as_of(self, at: datetime) -> LinearWorkspace:
        """A view of the same data at another moment (share data: do not mutate the view)."""
        view = copy.copy(self)
        view.now = ensure_utc(at)
        return view

    def new_id(self, kind: str) -> str:
        self._seq += 1
        return str(uuid.uuid5(_NAMESPACE, f"{self.url_key}:{kind}:{self._seq}"))

    # -- setup ------------------------------------------------------------------------------

    def add_user(self, name: str, display_name: str, email: str) -> User:
        user = User(self.new_id("user"), name, display_name, email)
        self.users.append(user)
        return user

    def add_bot(self, name: str, type_: str) -> Bot:
        return Bot(self.new_id("bot"), name, type_)

    def add_team(self, key: str, name: str) -> Team:
        team = Team(self.new_id("team"), key, name)
        self.teams.append(team)
        return team

    def add_cycle(
        self,
        team: Team,
        number: int,
        starts_at: datetime,
        ends_at: datetime,
        *,
        completed_at: datetime | None = None,
        name: str | None = None,
    ) -> Cycle:
        cycle = Cycle(
            self.new_id("cycle"),
            team,
            float(number),
            name,
            ensure_utc(starts_at),
            ensure_utc(ends_at),
            completed_at and ensure_utc(completed_at),
            ensure_utc(starts_at) - timedelta(days=14),
        )
        self.cycles.append(cycle)
        return cycle

    def add_issue(
        self,
        team: Team,
        number: int,
        title: str,
        description: str | None,
        *,
        creator: User | None,
        at: datetime,
        cycle: Cycle | None = None,
        labels: tuple[str, ...] = (),
        state: str = "Todo",
    ) -> Issue:
        at = ensure_utc(at)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
        issue = Issue(
            id=self.new_id("issue"),
            team=team,
            number=number,
            title=title,
            url=f"https://linear.app/{self.url_key}/issue/{team.key}-{number}/{slug}",
            created_at=at,
            creator=creator,
            labels=[Label(self.new_id("label"), name) for name in labels],
            descriptions=[(at, description)],
            cycles=[(at, cycle)],
            states=[(at, workflow_state(state))],
            bumps=[at],
        )
        self.issues.append(issue)
        self._issue_index[issue.id] = self._issue_index[issue.identifier] = issue
        return issue

    def issue(self, identifier: str) -> Issue:
        found = self._issue_index.get(identifier)
        if found is not None and identifier in (found.identifier, found.id):
            return found
        for issue in self.issues:
            if identifier in (issue.identifier, issue.id):
                return issue
        raise KeyError(f"no issue {identifier}")

    def cycle(self, key_or_id: str) -> Cycle:
        for cycle in self.cycles:
            if key_or_id in (cycle.id, f"{cycle.team.key}-{int(cycle.number)}"):
                return cycle
        raise KeyError(f"no cycle {key_or_id}")

    # -- the mutation API tests use between two syncs ---------------------------------------

    def edit_description(
        self, issue_identifier: str, new_text: str | None, actor: Actor, at: datetime
    ) -> None:
        issue, at = self.issue(issue_identifier), ensure_utc(at)
        issue.descriptions.append((at, new_text))
        issue.bumps.append(at)
        user, bot = split_actor(actor)
        last = next((h for h in reversed(self.history) if h.issue is issue), None)
        if (
            last is not None
            and last.updated_description
            and last.actor == user
            and last.bot == bot
            and at - last.times[-1] <= GROUP_WINDOW
        ):
            last.times.append(at)
            return
        self.history.append(
            HistoryEntry(
                self.new_id("history"),
                issue,
                [at],
                user,
                bot,
                updated_description=True,
                description_updated_by=[user] if user else None,
            )
        )

    def add_comment(
        self,
        issue_identifier: str,
        body: str,
        author: Actor,
        at: datetime,
        *,
        parent_id: str | None = None,
    ) -> str:
        user, bot = split_actor(author)
        comment = Comment(
            self.new_id("comment"),
            self.issue(issue_identifier),
            body,
            ensure_utc(at),
            user,
            bot,
            parent_id,
        )
        self.comments.append(comment)
        return comment.id

    def add_attachment(
        self,
        issue_identifier: str,
        url: str,
        title: str,
        at: datetime,
        *,
        creator: User | None,
        source_type: str | None = None,
        subtitle: str | None = None,
    ) -> str:
        attachment = Attachment(
            self.new_id("attachment"),
            self.issue(issue_identifier),
            url,
            title,
            subtitle,
            source_type,
            ensure_utc(at),
            creator,
        )
        self.attachments.append(attachment)
        return attachment.id

    def add_relation(
        self,
        issue_identifier: str,
        related_identifier: str,
        type_: str,
        at: datetime,
        actor: Actor = None,
    ) -> str:
        issue, related, at = (
            self.issue(issue_identifier),
            self.issue(related_identifier),
            ensure_utc(at),
        )
        relation = Relation(self.new_id("relation"), type_, issue, related, at)
        self.relations.append(relation)
        user, bot = split_actor(actor)
        for mine, other in ((issue, related), (related, issue)):
            mine.bumps.append(at)
            self.history.append(
                HistoryEntry(
                    self.new_id("history"),
                    mine,
                    [at],
                    user,
                    bot,
                    relation_changes=[(other.identifier, "ar")],
                )
            )
        return relation.id

    def move_to_cycle(
        self, issue_identifier: str, cycle: str | None, actor: Actor, at: datetime
    ) -> None:
        """Move an issue into a cycle (its key ``ENG-12`` or id), or out of any with None.
        ``actor`` None is Linear's own automation (cycle roll-over)."""
        issue, at = self.issue(issue_identifier), ensure_utc(at)
        target = self.cycle(cycle) if cycle else None
        previous = self.cycle_of(issue, at)
        issue.cycles.append((at, target))
        issue.bumps.append(at)
        user, bot = split_actor(actor)
        self.history.append(
            HistoryEntry(
                self.new_id("history"), issue, [at], user, bot, from_cycle=previous, to_cycle=target
            )
        )

    def set_estimate(
        self, issue_identifier: str, value: float | None, actor: Actor, at: datetime
    ) -> None:
        """Estimate (or re-estimate) an issue; Linear records ``fromEstimate``/``toEstimate``."""
        issue, at = self.issue(issue_identifier), ensure_utc(at)
        previous = latest(issue.estimates, at) if issue.estimates else None
        issue.estimates.append((at, value))
        issue.bumps.append(at)
        user, bot = split_actor(actor)
        self.history.append(
            HistoryEntry(
                self.new_id("history"),
                issue,
                [at],
                user,
                bot,
                from_estimate=previous,
                to_estimate=value,
            )
        )

    def set_state(self, issue_identifier: str, name: str, at: datetime) -> None:
        issue = self.issue(issue_identifier)
        issue.states.append((ensure_utc(at), workflow_state(name)))
        issue.bumps.append(ensure_utc(at))

    # -- reading as of a moment -------------------------------------------------------------

    def cycle_of(self, issue: Issue, at: datetime | None = None) -> Cycle | None:
        return latest(issue.cycles, at or self.now)

    def description_of(self, issue: Issue) -> str | None:
        return latest(issue.descriptions, self.now)

    def grouped(self, kind: str, attr: str = "issue") -> dict[str, list[Any]]:
        """``history``/``comments``/``attachments``/``relations`` by the id of each item's
        ``attr`` issue. Kept up to date incrementally (those lists only grow by appending) and
        shared with ``as_of`` views, so a page of a large workspace costs no full scans."""
        items: list[Any] = getattr(self, kind)
        known, done, groups = self._groups.get((kind, attr), (items, 0, {}))
        if known is not items or done > len(items):
            done, groups = 0, {}
        for item in items[done:]:
            groups.setdefault(getattr(item, attr).id, []).append(item)
        self._groups[(kind, attr)] = (items, len(items), groups)
        return groups

    def visible_issues(self) -> list[Issue]:
        return [i for i in self.issues if i.created_at <= self.now]
