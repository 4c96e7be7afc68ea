"""``LinearSource``: the Source protocol over Linear's GraphQL API.

How a poll reads (``fetch_issues``):
1. If there is a bookmark, ``DiscussionSince`` (then ``CommentsSince`` and
   ``AttachmentsSince`` for further pages) finds issues whose
   discussion moved since it while their ``updatedAt`` did not (whether a new comment bumps
   ``updatedAt`` is undocumented). Those issues are older than the bookmark, so they are
   yielded first (``IssuesById``), which keeps the pages in ascending ``updatedAt``.
2. ``IssuesPage`` reads every issue of the teams updated at or after the bookmark (inclusive,
   so sync's overlap re-reads late arrivals), ``includeArchived: true``, with its full evidence.
   Linear lists newest first and its only ascending sort is ``[INTERNAL]``, so the connector
   pages backwards (``last``/``before``) from the oldest end and reverses each page: every
   GraphQL page becomes one yielded page, oldest first, with nothing buffered. An issue
   updated while the poll runs moves to the newest end and is read again there. A first sync
   asks for ``ISSUE_PAGE`` issues a page; an incremental one for ``INCREMENTAL_PAGE`` first,
   doubling up to ``ISSUE_PAGE``, since Linear charges for the page asked for and a nightly
   poll usually finds a few issues, or none (``issue_page_sizes``).
3. A nested connection with more pages than a page inlines (labels, history, comments,
   attachments, relations both ways, and the labels of the issue at a relation's other end)
   is drained with its own ``Issue*Page`` query, for that issue only, before it is mapped.
   The inline sizes are small (``queries``): most issues need no follow-up, and the few that
   do cost far fewer points than asking every issue for room it does not use.
Yielded: issues that are or were in one of the given sprints, and backlog issues (in no
cycle), whose snapshot becomes the exact baseline if they join a cycle later.

``documentContentHistory`` is not used: it is ``[Internal]``/``[ALPHA]``, its snapshots are
coalesced and hold ProseMirror JSON rather than the markdown ``description`` is served as, so a
baseline rebuilt from it would differ in markup from every later snapshot and could show AC
changes that never happened. An issue first seen after its cycle started gets the earliest
snapshot as its baseline, which sync marks approximate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain, repeat
from typing import Any

import httpx

from connectors.base import RequestStats
from connectors.linear import queries
from connectors.linear._mapping import map_issue_bundle, map_sprint
from connectors.linear.client import LinearClient
from connectors.paging import PageGuard
from tracker.clock import parse_time
from tracker.config import LinearSourceConfig
from tracker.domain import IssueBundle, SourceKind, Sprint
from tracker.errors import AuthError, ConfigError, SourceError
from tracker.ports import Check

Node = dict[str, Any]

# (field on Issue, follow-up document, operation name)
_LABELS = ("labels", queries.ISSUE_LABELS_PAGE, "IssueLabelsPage")
_NESTED: tuple[tuple[str, str, str], ...] = (
    _LABELS,
    ("history", queries.ISSUE_HISTORY_PAGE, "IssueHistoryPage"),
    ("comments", queries.ISSUE_COMMENTS_PAGE, "IssueCommentsPage"),
    ("attachments", queries.ISSUE_ATTACHMENTS_PAGE, "IssueAttachmentsPage"),
    ("relations", queries.ISSUE_RELATIONS_PAGE, "IssueRelationsPage"),
    ("inverseRelations", queries.ISSUE_INVERSE_RELATIONS_PAGE, "IssueInverseRelationsPage"),
)


def wire_time(value: datetime) -> str:
    """Linear's own timestamp form: UTC, milliseconds, ``Z``."""
    text = value.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def issue_filter(team_keys: Sequence[str], since: datetime | None) -> dict[str, Any]:
    found: dict[str, Any] = {"team": {"key": {"in": list(team_keys)}}}
    if since is not None:
        found["updatedAt"] = {"gte": wire_time(since)}
    return found


def issue_page_sizes(incremental: bool) -> Iterator[int]:
    """The ``last`` of each successive ``IssuesPage``: ``ISSUE_PAGE`` throughout a first sync;
    ``INCREMENTAL_PAGE``, doubling up to ``ISSUE_PAGE``, for an incremental one."""
    if not incremental:
        return repeat(queries.ISSUE_PAGE)
    ramp = []
    size = queries.INCREMENTAL_PAGE
    while size < queries.ISSUE_PAGE:
        ramp.append(size)
        size *= 2
    return chain(ramp, repeat(queries.ISSUE_PAGE))


def cycle_filter(team_keys: Sequence[str]) -> dict[str, Any]:
    return {"team": {"key": {"in": list(team_keys)}}}


def comment_filter(team_keys: Sequence[str], since: datetime) -> dict[str, Any]:
    return {
        "updatedAt": {"gte": wire_time(since)},
        "issue": {"team": {"key": {"in": list(team_keys)}}},
    }


def attachment_filter(since: datetime) -> dict[str, Any]:
    return {"updatedAt": {"gte": wire_time(since)}}


class LinearSource:
    """Reads cycles and issues of ``config.teams`` from one Linear workspace."""

    kind = SourceKind.LINEAR
    exact_history = False  # IssueHistory says *that* the description changed, not from what

    def __init__(
        self,
        config: LinearSourceConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = config.name
        self.config = config
        self.teams = list(config.teams)
        self.stats = RequestStats()
        self.client = LinearClient(
            config.url,
            config.token,
            config.token_env,
            timeout=config.timeout,
            max_retries=config.max_retries,
            max_wait=config.max_wait,
            sync_timeout=config.sync_timeout,
            transport=transport,
            sleep=sleep,
            stats=self.stats,
        )

    def close(self) -> None:
        self.client.close()

    # -- doctor ---------------------------------------------------------------------------

    def check(self) -> list[Check]:
        url, env = self.config.url, self.config.token_env
        try:
            viewer = self.client.execute(queries.VIEWER, "Viewer")["viewer"]
        except AuthError as exc:
            fix = f"export {env}=<a personal API key from Linear › Settings › Security & access>"
            return [Check(f"Linear credentials for {url}", False, exc.message, fix)]
        except SourceError as exc:
            fix = "check `url` in tracker.toml (the default is https://api.linear.app/graphql)"
            return [Check(f"Linear at {url}", False, exc.message, fix)]
        who = viewer.get("email") or viewer.get("name") or "?"
        checks = [Check(f"Linear credentials for {url}", True, f"authenticated as {who}")]
        checks.extend(self._check_reach())
        try:
            data = self.client.execute(
                queries.TEAMS, "Teams", {"keys": self.teams, "first": queries.TEAM_PAGE}
            )
        except SourceError as exc:
            return [*checks, Check("Linear teams", False, exc.message)]
        found = {t["key"]: t for t in data["teams"]["nodes"]}
        return checks + [_team_check(key, found.get(key), who) for key in self.teams]

    def _check_reach(self) -> list[Check]:
        """Whether the key belongs to a workspace admin: more than tracker needs. Said, not
        failed; no line where Linear does not tell."""
        try:
            viewer = self.client.execute(queries.VIEWER_ROLE, "ViewerRole")["viewer"]
        except SourceError:
            return []
        if not isinstance(viewer, dict) or not isinstance(viewer.get("admin"), bool):
            return []
        if not viewer["admin"]:
            return [Check("key's reach", True, "not a workspace admin: no more than needed")]
        return [
            Check(
                "key's reach",
                True,
                "the key's user is a workspace admin: more than tracker needs (read; comment "
                "when nudging); a key of a member who is not an admin is safer",
            )
        ]

    # -- sprints --------------------------------------------------------------------------

    def fetch_sprints(self) -> list[Sprint]:
        variables = {"filter": cycle_filter(self.teams), "first": queries.CYCLE_PAGE}
        pages = list(self._forward(queries.CYCLES, "Cycles", "cycles", variables))
        sprints = [map_sprint(self.name, n) for page in pages for n in page]
        seen = {(n.get("team") or {}).get("key") for page in pages for n in page}
        if any(key not in seen for key in self.teams):
            self._check_teams_exist()
        return sorted(
            sprints, key=lambda s: (s.board, s.started_at or datetime.min.replace(tzinfo=UTC))
        )

    def _check_teams_exist(self) -> None:
        """A team key without cycles is either a team that has none yet, or a typo that
        would sync nothing, every night, with exit 0: ask which (one request, only then)."""
        data = self.client.execute(
            queries.TEAMS, "Teams", {"keys": self.teams, "first": queries.TEAM_PAGE}
        )
        known = {t.get("key") for t in data["teams"]["nodes"] if isinstance(t, dict)}
        unknown = [key for key in self.teams if key not in known]
        if unknown:
            raise ConfigError(
                f"source {self.name!r}: no Linear team with key {unknown[0]} is visible to this "
                "API key: fix `teams` in tracker.toml (team keys are the prefix of issue ids, "
                "e.g. ENG)"
            )

    # -- issues ---------------------------------------------------------------------------

    def fetch_issues(
        self, sprints: Sequence[Sprint], since: datetime | None
    ) -> Iterator[list[IssueBundle]]:
        wanted = {s.id for s in sprints}
        if not wanted:
            return
        if since is not None:
            stale = self._issues_with_new_discussion(since)
            for start in range(0, len(stale), queries.ISSUE_PAGE):
                ids = stale[start : start + queries.ISSUE_PAGE]
                data = self.client.execute(
                    queries.ISSUES_BY_ID, "IssuesById", {"ids": ids, "first": len(ids)}
                )
                yield from self._page(data["issues"]["nodes"], wanted)
        for nodes in self._backward_issue_pages(since):
            yield from self._page(nodes, wanted)

    def _page(self, nodes: list[Node], wanted: set[str]) -> Iterator[list[IssueBundle]]:
        bundles = [map_issue_bundle(self.name, self._drain(node)) for node in nodes]
        kept = [b for b in bundles if _touches(b, wanted)]
        kept.sort(
            key=lambda b: (b.issue.updated_at or datetime.min.replace(tzinfo=UTC), b.issue.key)
        )
        if kept:
            yield kept

    def _backward_issue_pages(self, since: datetime | None) -> Iterator[list[Node]]:
        before: str | None = None
        filter_ = issue_filter(self.teams, since)
        guard = self._guard("the issues")
        for size in issue_page_sizes(since is not None):
            variables = {"filter": filter_, "last": size, "before": before}
            connection = self.client.execute(queries.ISSUES_PAGE, "IssuesPage", variables)["issues"]
            yield list(reversed(connection["nodes"]))
            info = connection["pageInfo"]
            if not info.get("hasPreviousPage") or not info.get("startCursor"):
                return
            before = info["startCursor"]
            guard.more(_ids(connection["nodes"]), before)

    def _issues_with_new_discussion(self, since: datetime) -> list[str]:
        """Ids of team issues with comments/attachments updated since ``since`` while the
        issue's own ``updatedAt`` is older (so ``IssuesPage`` will not list them), oldest first."""
        found: dict[str, str] = {}
        comments = {"filter": comment_filter(self.teams, since), "first": queries.SCAN_PAGE}
        attachments = {"filter": attachment_filter(since), "first": queries.SCAN_PAGE}
        first = self.client.execute(
            queries.DISCUSSION_SINCE,
            "DiscussionSince",
            {
                "comments": comments["filter"],
                "attachments": attachments["filter"],
                "first": queries.SCAN_PAGE,
            },
        )
        for page in self._forward(
            queries.COMMENTS_SINCE, "CommentsSince", "comments", comments, first["comments"]
        ):
            found.update(
                (n["issue"]["id"], n["issue"]["updatedAt"]) for n in page if n.get("issue")
            )
        for page in self._forward(
            queries.ATTACHMENTS_SINCE,
            "AttachmentsSince",
            "attachments",
            attachments,
            first["attachments"],
        ):
            for node in page:
                issue = node.get("issue") or {}
                if (issue.get("team") or {}).get("key") in self.teams:
                    found[issue["id"]] = issue["updatedAt"]
        stale = [(_time(updated), id_) for id_, updated in found.items()]
        return [id_ for updated, id_ in sorted(stale) if updated < since]

    def _drain(self, node: Node) -> Node:
        """Fetch the remaining pages of every nested connection that has more, including the
        labels of the issues at the other end of its relations."""
        for nested in _NESTED:
            self._drain_one(node, *nested)
        for field, end in (("relations", "relatedIssue"), ("inverseRelations", "issue")):
            for relation in node[field]["nodes"]:
                if relation.get(end):
                    self._drain_one(relation[end], *_LABELS)
        return node

    def _drain_one(self, node: Node, field: str, document: str, operation: str) -> None:
        connection = node.get(field) or {}
        info = connection.get("pageInfo") or {}
        after = info.get("endCursor")
        nodes = list(connection.get("nodes") or [])
        guard = self._guard(f"the {field} of issue {node.get('identifier') or node['id']}")
        if info.get("hasNextPage") and after:
            guard.more(_ids(nodes), after)
        while info.get("hasNextPage") and after:
            variables = {"id": node["id"], "first": queries.FOLLOW_UP_PAGE, "after": after}
            more = self.client.execute(document, operation, variables)["issue"][field]
            nodes.extend(more["nodes"])
            info = more["pageInfo"]
            after = info.get("endCursor")
            if info.get("hasNextPage") and after:
                guard.more(_ids(more["nodes"]), after)
        node[field] = {"nodes": nodes}

    def _forward(
        self,
        document: str,
        operation: str,
        field: str,
        variables: dict[str, Any],
        first: Node | None = None,
    ) -> Iterator[list[Node]]:
        """Every page of a connection; ``first``: its first page, already fetched."""
        after: str | None = None
        guard = self._guard(f"the {field}")
        while True:
            connection = (
                first
                or self.client.execute(document, operation, {**variables, "after": after})[field]
            )
            first = None
            yield connection["nodes"]
            info = connection["pageInfo"]
            if not info.get("hasNextPage") or not info.get("endCursor"):
                return
            after = info["endCursor"]
            guard.more(_ids(connection["nodes"]), after)

    def _guard(self, what: str) -> PageGuard:
        return PageGuard(f"Linear at {self.config.url}", what)


def _ids(nodes: list[Node]) -> list[Any]:
    """Node ids, or the nodes' text where a node has none: what makes a page new."""
    return [
        n.get("id") or repr(sorted(n.items())) if isinstance(n, dict) else repr(n) for n in nodes
    ]


def _time(value: str) -> datetime:
    parsed = parse_time(value)
    assert parsed is not None  # updatedAt is DateTime! in the schema
    return parsed


def _touches(bundle: IssueBundle, wanted: set[str]) -> bool:
    """In one of the sprints now or before, or in no cycle at all: a backlog issue may join a
    cycle later, and its snapshot from before that is then the exact baseline."""
    if not bundle.sprint_ids or wanted.intersection(bundle.sprint_ids):
        return True
    return any(m.sprint_id in wanted for m in bundle.memberships)


def _team_check(key: str, team: Node | None, who: str) -> Check:
    what = f"Linear team {key}"
    if team is None:
        return Check(
            what,
            False,
            f"no team with key {key} is visible to {who}",
            "fix `teams` in tracker.toml (team keys are the prefix of issue ids, e.g. ENG)",
        )
    if not team.get("cyclesEnabled"):
        return Check(
            what,
            False,
            f"{team['name']}: cycles are turned off, so there are no sprints",
            "turn on cycles in the team's Linear settings, or remove the team",
        )
    return Check(what, True, team["name"])
