"""The request floor: the fewest requests Jira Cloud's API permits for a sync.

A pure function of what is to be read (per issue: histories, comments, whether it has AC
changes and remote-link items) and the API's page limits. A client that knew the answer
in advance could not do with fewer, so ``requests made / floor`` measures waste:

- setup: ``serverInfo`` (Cloud or DC) and ``/field`` (which field holds the AC) once per
  run; per board, its project (``board/{id}``, to catch issues removed from a sprint) and
  its sprint pages (50 a page);
- search: ``/search/jql`` pages of 100 issues with fields (at least one, even if empty);
- bulk changelog, in two passes: every issue's history filtered to the judged fields
  (``fieldIds``: the AC and Sprint fields; only histories holding one come back), then
  the unfiltered history of the issues whose AC changed after the start of a sprint they
  were in (only those need the times links were added, which carry no fieldId). A call
  takes 1000 issues and pages by what the server grants (``bulk_page``: the spec allows
  10,000, sites grant fewer); each call costs at least one page;
- per issue, only what bulk data cannot give, and only where such an AC change needs it:
  the comments beyond the 20 search inlines (100 a page), the remote links' URLs when the
  history shows a ``RemoteIssueLink`` item, and changelog pages where a bulk call would
  return fewer histories than the issue has (never on Cloud's bulkfetch).

With ``warm`` setup, what a client may keep between syncs (server info, the field list,
board details) is not asked again: only each board's sprint pages remain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.sim.jira.model import Issue, JiraWorkspace


@dataclass(frozen=True, slots=True)
class IssueShape:
    histories: int
    comments: int
    ac_changes: int = 0  # AC changes made after the start of a sprint the issue was in
    remote_link_items: int = 0
    judged_histories: int | None = None  # holding an AC or Sprint item (None: all of them)

    @property
    def judged(self) -> int:
        return self.histories if self.judged_histories is None else self.judged_histories


@dataclass(frozen=True, slots=True)
class Limits:
    """Jira Cloud's documented caps, as the simulator enforces them."""

    search_page: int = 100  # /search/jql with fields
    bulk_issues: int = 1000  # changelog/bulkfetch issueIdsOrKeys
    bulk_page: int = 10_000  # changelog/bulkfetch histories a page: maxResults, or what is granted
    inline_comments: int = 20  # comments /search/jql inlines
    comment_page: int = 100  # /issue/{key}/comment
    sprint_page: int = 50  # Agile board/{id}/sprint
    bulk_history_cap: int | None = None  # histories per issue bulkfetch returns (None: all)
    changelog_page: int = 100  # /issue/{key}/changelog


@dataclass(frozen=True, slots=True)
class Floor:
    setup: int
    search: int
    bulk: int  # both passes
    comments: int
    remote_links: int
    changelogs: int
    bulk_judged: int = 0  # of which the filtered pass
    bulk_full: int = 0  # of which the unfiltered pass

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

    def terms(self) -> str:
        """The floor written out, for anyone to check against the workspace."""
        return (
            f"setup {self.setup:,} + search {self.search:,} + bulk {self.bulk:,} "
            f"({self.bulk_judged:,} filtered + {self.bulk_full:,} unfiltered) + comments "
            f"{self.comments:,} + remote links {self.remote_links:,} + changelogs "
            f"{self.changelogs:,} = {self.total:,}"
        )


def compute_floor(
    issues: Sequence[IssueShape],
    sprints_per_board: Sequence[int],
    limits: Limits = Limits(),
    *,
    warm: bool = False,
) -> Floor:
    """The fewest requests to read ``issues`` (those the sync must see) on a site whose
    configured boards hold ``sprints_per_board`` sprints."""
    pages = sum(max(1, math.ceil(s / limits.sprint_page)) for s in sprints_per_board)
    setup = pages if warm else 2 + len(sprints_per_board) + pages
    search = max(1, math.ceil(len(issues) / limits.search_page))
    needy = [i for i in issues if i.ac_changes]
    judged = _bulk_calls(issues, limits, lambda i: i.judged)
    full = _bulk_calls(needy, limits, lambda i: _bulk_share(i, limits))
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
    return Floor(setup, search, judged + full, comments, remote, changelogs, judged, full)


def _bulk_calls(
    issues: Sequence[IssueShape], limits: Limits, share: Callable[[IssueShape], int]
) -> int:
    calls = 0
    for start in range(0, len(issues), limits.bulk_issues):
        chunk = issues[start : start + limits.bulk_issues]
        calls += max(1, math.ceil(sum(share(i) for i in chunk) / limits.bulk_page))
    return calls


def _bulk_share(issue: IssueShape, limits: Limits) -> int:
    cap = limits.bulk_history_cap
    return issue.histories if cap is None else min(issue.histories, cap)


JUDGED = frozenset({"ac", "sprint", "story_points"})  # the fields JiraSource asks bulkfetch for


def shape_of(
    issue: Issue, starts: Mapping[int, datetime] | None = None, ac_key: str = "ac"
) -> IssueShape:
    """What the floor needs to know about one simulated issue; ``starts``: the sprints'
    starts (an AC change counts from the earliest start of a sprint the issue was in;
    None: every AC change counts)."""
    items = [item for h in issue.histories for item in h.items]
    first = _first_start(issue, starts) if starts is not None else datetime.min.replace(tzinfo=UTC)
    return IssueShape(
        histories=len(issue.histories),
        comments=len(issue.comments),
        ac_changes=0
        if first is None
        else sum(
            1
            for h in issue.histories
            if h.created >= first
            for item in h.items
            if item.field_key == ac_key
        ),
        remote_link_items=sum(1 for item in items if item.field_key == "RemoteIssueLink"),
        judged_histories=sum(
            1 for h in issue.histories if any(i.field_key in JUDGED for i in h.items)
        ),
    )


def _first_start(issue: Issue, starts: Mapping[int, datetime]) -> datetime | None:
    ids = set(issue.sprint_ids)
    for h in issue.histories:
        for item in h.items:
            if item.field_key == "sprint":
                for value in (item.from_value, item.to_value):
                    ids |= {int(x) for x in (value or "").split(", ") if x.isdigit()}
    found = [starts[i] for i in ids if i in starts]
    return min(found) if found else None


def sprint_starts(ws: JiraWorkspace) -> dict[int, datetime]:
    """Each started sprint's start as Cloud shows it (``startDate``)."""
    return {
        s.id: s.start for s in ws.sprints.values() if s.state != "future" and s.start is not None
    }


def workspace_floor(
    ws: JiraWorkspace,
    boards: Iterable[int],
    keys: Iterable[str] | None = None,
    limits: Limits = Limits(),
    *,
    warm: bool = False,
) -> Floor:
    """The floor for reading ``keys`` (default: every issue ever planned into a sprint of
    ``boards``) from the simulated site, in key order as a search would page them."""
    boards = list(boards)
    sprints = {s.id for s in ws.sprints.values() if s.board_id in boards}
    starts = sprint_starts(ws)
    chosen = sorted(ws.issues) if keys is None else sorted(set(keys))
    shapes = [
        shape_of(ws.issues[k], starts)
        for k in chosen
        if keys is not None or _was_in(ws.issues[k], sprints)
    ]
    per_board = [sum(1 for s in ws.sprints.values() if s.board_id == b) for b in boards]
    return compute_floor(shapes, per_board, limits, warm=warm)


def _was_in(issue: Issue, sprints: set[int]) -> bool:
    if sprints & set(issue.sprint_ids):
        return True
    return any(
        item.field_key == "sprint"
        and sprints & {int(x) for x in (item.to_value or "").split(", ") if x.isdigit()}
        for h in issue.histories
        for item in h.items
    )
