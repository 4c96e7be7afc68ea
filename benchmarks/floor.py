"""The request floor: the fewest requests Jira Cloud's API permits for a sync.

A pure function of what is to be read (per issue: histories, comments, whether it has AC
changes and remote-link items) and the API's page limits. A client that knew the answer
in advance could not do with fewer, so ``requests made / floor`` measures waste:

- setup: ``serverInfo`` (Cloud or DC) and ``/field`` (which field holds the AC) once per
  run; per board, its project (``board/{id}``, to catch issues removed from a sprint) and
  its sprint pages (50 a page);
- search: ``/search/jql`` pages of 100 issues with fields (at least one, even if empty);
- bulk changelog: ``changelog/bulkfetch`` takes 1000 issues a call and pages by
  ``maxResults`` (up to 10,000 histories); each call costs at least one page;
- per issue, only what bulk data cannot give, and only where an AC change needs it:
  the comments beyond the 20 search inlines (100 a page), the remote links' URLs when the
  history shows a ``RemoteIssueLink`` item, and changelog pages where a bulk call would
  return fewer histories than the issue has (never on Cloud's bulkfetch).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from connectors.sim.jira.model import Issue, JiraWorkspace


@dataclass(frozen=True, slots=True)
class IssueShape:
    histories: int
    comments: int
    ac_changes: int = 0
    remote_link_items: int = 0


@dataclass(frozen=True, slots=True)
class Limits:
    """Jira Cloud's documented caps, as the simulator enforces them."""

    search_page: int = 100  # /search/jql with fields
    bulk_issues: int = 1000  # changelog/bulkfetch issueIdsOrKeys
    bulk_page: int = 10_000  # changelog/bulkfetch maxResults
    inline_comments: int = 20  # comments /search/jql inlines
    comment_page: int = 100  # /issue/{key}/comment
    sprint_page: int = 50  # Agile board/{id}/sprint
    bulk_history_cap: int | None = None  # histories per issue bulkfetch returns (None: all)
    changelog_page: int = 100  # /issue/{key}/changelog


@dataclass(frozen=True, slots=True)
class Floor:
    setup: int
    search: int
    bulk: int
    comments: int
    remote_links: int
    changelogs: int

    @property
    def total(self) -> int:
        return (
            self.setup + self.search + self.bulk + self.comments + self.remote_links
        ) + self.changelogs

    def as_dict(self) -> dict[str, int]:
        return {
            "setup": self.setup,
            "search": self.search,
            "bulk": self.bulk,
            "comments": self.comments,
            "remote_links": self.remote_links,
            "changelogs": self.changelogs,
            "total": self.total,
        }


def compute_floor(
    issues: Sequence[IssueShape], sprints_per_board: Sequence[int], limits: Limits = Limits()
) -> Floor:
    """The fewest requests to read ``issues`` (those the sync must see) on a site whose
    configured boards hold ``sprints_per_board`` sprints."""
    setup = 2 + sum(1 + max(1, math.ceil(s / limits.sprint_page)) for s in sprints_per_board)
    search = max(1, math.ceil(len(issues) / limits.search_page))
    bulk = 0
    for start in range(0, len(issues), limits.bulk_issues):
        chunk = issues[start : start + limits.bulk_issues]
        bulk += max(1, math.ceil(sum(_bulk_share(i, limits) for i in chunk) / limits.bulk_page))
    needy = [i for i in issues if i.ac_changes]
    comments = sum(
        math.ceil((i.comments - limits.inline_comments) / limits.comment_page)
        for i in needy
        if i.comments > limits.inline_comments
    )
    remote = sum(1 for i in needy if i.remote_link_items)
    changelogs = 0
    if limits.bulk_history_cap is not None:
        cap = limits.bulk_history_cap
        changelogs = sum(
            math.ceil((i.histories - cap) / limits.changelog_page)
            for i in issues
            if i.histories > cap
        )
    return Floor(setup, search, bulk, comments, remote, changelogs)


def _bulk_share(issue: IssueShape, limits: Limits) -> int:
    cap = limits.bulk_history_cap
    return issue.histories if cap is None else min(issue.histories, cap)


def shape_of(issue: Issue, ac_key: str = "ac") -> IssueShape:
    """What the floor needs to know about one simulated issue."""
    items = [item for h in issue.histories for item in h.items]
    return IssueShape(
        histories=len(issue.histories),
        comments=len(issue.comments),
        ac_changes=sum(1 for item in items if item.field_key == ac_key),
        remote_link_items=sum(1 for item in items if item.field_key == "RemoteIssueLink"),
    )


def workspace_floor(
    ws: JiraWorkspace,
    boards: Iterable[int],
    keys: Iterable[str] | None = None,
    limits: Limits = Limits(),
) -> Floor:
    """The floor for reading ``keys`` (default: every issue ever planned into a sprint of
    ``boards``) from the simulated site, in key order as a search would page them."""
    boards = list(boards)
    sprints = {s.id for s in ws.sprints.values() if s.board_id in boards}
    chosen = sorted(ws.issues) if keys is None else sorted(set(keys))
    shapes = [
        shape_of(ws.issues[k]) for k in chosen if keys is not None or _was_in(ws.issues[k], sprints)
    ]
    per_board = [sum(1 for s in ws.sprints.values() if s.board_id == b) for b in boards]
    return compute_floor(shapes, per_board, limits)


def _was_in(issue: Issue, sprints: set[int]) -> bool:
    if sprints & set(issue.sprint_ids):
        return True
    return any(
        item.field_key == "sprint"
        and sprints & {int(x) for x in (item.to_value or "").split(", ") if x.isdigit()}
        for h in issue.histories
        for item in h.items
    )
