"""JiraSource: sprints of the configured boards, and their issues with complete history.

Request plan of a sync: ``serverInfo`` once (Cloud or Server/DC), ``/field``
once, the boards' sprint pages, then the search pages: Cloud ``/search/jql``, and for each
1000 issues found, history in two passes of ``changelog/bulkfetch`` (``expand=changelog``
truncates there): every issue's history filtered to the judged fields (the AC or
description, Sprint; ``ResolvedFields.judged_ids``), then the unfiltered history only of
the issues whose AC changed after the start of a sprint they were in (the times links and
remote links were added, whose items carry no fieldId, are evidence for those changes
only). Server/DC: ``/search?expand=changelog`` (complete there). Per-issue calls happen
only where bulk data says they are needed, for those same issues: a truncated changelog,
more comments than came inline, or a ``RemoteIssueLink`` item in the history.

What rarely changes (``serverInfo``, the field list, each board's details) is kept in a
:class:`~connectors.memo.Memo` that sync stores with the source: a day old, or after a
failed sync, it is asked for again; a configured AC field missing from a kept field list
asks for the list again. A sync with nothing changed then costs one sprint page per board
and one search page.

Concurrency: the search, the changelog of each batch of issues and the per-issue calls
overlap, up to ``concurrency`` requests in flight (``fetch_issues``); what is yielded, and
in which order, is the same at any ``concurrency``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from connectors.base import RequestStats
from connectors.jira import _mapping as m
from connectors.jira._history import BULK_MAX_FIELDS, BULK_MAX_ISSUES, Histories, HistoryFetcher
from connectors.jira._jql import build_issue_jql
from connectors.jira._pipeline import prefetch, worker_pool
from connectors.jira.client import Deployment, JiraClient
from connectors.jira.fields import (
    ResolvedFields,
    resolve_estimate,
    resolve_fields,
    resolve_sprint,
    resolve_text_field,
)
from connectors.memo import Memo
from connectors.paging import PageGuard
from tracker import clock as _clock
from tracker.config import JiraSourceConfig
from tracker.domain import IssueBundle, SourceKind, Sprint, SprintState
from tracker.errors import ConfigError, TrackerError
from tracker.ports import Check

log = logging.getLogger(__name__)

Json = Mapping[str, Any]
_SEARCH_PAGE = 100
_SPRINT_PAGE = 50  # the Agile API's own cap
_COMMENT_PAGE = 100
# Issues the search may run ahead of the page being stored: bounds memory, and is
# enough to keep the changelog and per-issue calls of the next batch going meanwhile.
_AHEAD_ISSUES = 2 * BULK_MAX_ISSUES
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)  # no `updated`: never drop it
_FIELD_KEYS = ("id", "key", "name", "untranslatedName", "custom", "schema")
# Permissions that mean a token can do far more than read and comment (mypermissions keys).
_ADMIN = {
    "ADMINISTER": "administer Jira",
    "SYSTEM_ADMIN": "administer the system",
    "ADMINISTER_PROJECTS": "administer projects",
}


class JiraSource:
    kind = SourceKind.JIRA
    exact_history = True  # the changelog keeps every old value of the field

    def __init__(
        self,
        config: JiraSourceConfig,
        *,
        clock: Callable[[], datetime] = _clock.now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = config.name
        self.stats = RequestStats()
        self._config = config
        self._clock = clock
        self.client = JiraClient(config, self.stats, sleep=sleep, now=clock)
        self._fields: ResolvedFields | None = None
        self._projects: list[str] | None = None
        self.memo = Memo(clock)
        self._stored: Mapping[str, datetime] = {}  # key -> updated, already stored (sync)
        # Start of every sprint the boards list (whichever a sync reads): whether an AC
        # change came after a start decides which issues need their evidence read.
        self._starts: dict[str, datetime] = {}

    # -- doctor ----------------------------------------------------------------------------

    def check(self) -> list[Check]:
        checks: list[Check] = []
        try:
            dep = self.client.deployment()
            where = f"{dep.label} {dep.version} at {self.client.url}"
            checks.append(Check("Jira reachable", True, where))
            me = self.client.get("myself", what="myself")
            who = me.get("displayName") or me.get("accountId") or me.get("name")
            checks.append(Check("Jira credentials", True, f"signed in as {who}"))
        except TrackerError as exc:
            return [*checks, _failed("Jira reachable" if not checks else "Jira credentials", exc)]
        checks.extend(self._check_reach())
        checks.extend(self._check_board(board) for board in self._config.boards)
        return checks + self._check_fields()

    def _check_reach(self) -> list[Check]:
        """Whether the token can administer Jira or projects: far more than tracker needs
        (read, and comment when nudging). Said, not failed; no line where Jira cannot tell."""
        try:
            answer = self.client.get(
                "mypermissions", {"permissions": ",".join(_ADMIN)}, what="the token's permissions"
            )
        except TrackerError:
            return []
        granted = (answer or {}).get("permissions") if isinstance(answer, Mapping) else None
        if not isinstance(granted, Mapping):
            return []
        held = [
            _ADMIN[key]
            for key in _ADMIN
            if isinstance(granted.get(key), Mapping) and granted[key].get("havePermission")
        ]
        if not held:
            return [Check("token's reach", True, "no administration rights: no more than needed")]
        return [
            Check(
                "token's reach",
                True,
                f"it can {' and '.join(held)}: more than tracker needs (read; comment when "
                "nudging); a token of an account without these rights is safer",
            )
        ]

    def _check_board(self, board: int) -> Check:
        try:
            raw = self._board(board)
        except TrackerError as exc:
            return _failed(f"board {board}", exc)
        project = (raw.get("location") or {}).get("projectKey")
        detail = f"{raw.get('name', '')} readable" + (f", project {project}" if project else "")
        return Check(f"board {board}", True, detail)

    def _check_fields(self) -> list[Check]:
        try:
            raw = self._raw_fields()
        except TrackerError as exc:
            return [_failed("field list", exc)]
        checks = []
        try:
            text = resolve_text_field(raw, self._config.ac_field)
            detail = f"{self._config.ac_field!r} → {text.id} ({text.name})"
            checks.append(Check("AC field", True, detail))
        except ConfigError as exc:
            checks.append(_failed("AC field", exc))
        try:
            sprint = resolve_sprint(raw)
            checks.append(Check("Sprint field", True, f"{sprint.name} → {sprint.id}"))
        except ConfigError as exc:
            checks.append(_failed("Sprint field", exc))
        points = resolve_estimate(raw)
        checks.append(
            Check(
                "estimate field",
                True,
                f"{points.name} → {points.id}"
                if points
                else "no story-points field: reports show no estimate",
            )
        )
        return checks

    # -- what is kept between syncs ----------------------------------------------------------

    def recall(self, stored: Mapping[str, Any]) -> None:
        """Start from what an earlier sync kept (see :class:`~connectors.memo.Memo`)."""
        self.memo.load(stored)

    def remembered(self) -> dict[str, Any]:
        return self.memo.dump()

    def skip_stored(self, stored: Mapping[str, datetime]) -> None:
        """Leave out of the next ``fetch_issues`` the issues stored with the ``updated``
        the search reports now (the overlap's re-reads), before any history request."""
        self._stored = dict(stored)

    def _deployment(self) -> Deployment:
        return self.client.use_server_info(self.memo.get("serverInfo", self.client.server_info))

    # -- sprints -----------------------------------------------------------------------------

    def fetch_sprints(self) -> list[Sprint]:
        try:
            return self._fetch_sprints()
        except TrackerError:
            self.memo.forget()  # a board may have moved or gone: ask afresh next time
            raise

    def _fetch_sprints(self) -> list[Sprint]:
        # serverInfo first (or kept): a URL that is not Jira is named as such, not as a
        # bad board.
        self._deployment()
        sprints: dict[str, Sprint] = {}
        for board in self._config.boards:
            start = 0
            guard = self._guard(f"sprints of board {board}")
            while True:
                page = self.client.get(
                    f"board/{board}/sprint",
                    {"startAt": start, "maxResults": _SPRINT_PAGE},
                    agile=True,
                    what=f"sprints of board {board}",
                    fix_404=_board_fix(board),
                )
                values = page.get("values") or []
                for raw in values:
                    # A sprint shared by two boards is listed by both: keep one.
                    sprints.setdefault(str(raw["id"]), m.map_sprint(raw, self.name, board))
                start += len(values)
                if page.get("isLast", True) or not values:
                    break
                guard.more((raw.get("id") for raw in values), total=_total(page))
        self._remember_starts(sprints.values())
        return list(sprints.values())

    def _remember_starts(self, sprints: Iterable[Sprint]) -> None:
        for sprint in sprints:
            if sprint.started_at is not None and sprint.state != SprintState.FUTURE:
                self._starts[sprint.id] = sprint.started_at

    # -- issues ------------------------------------------------------------------------------

    def fetch_issues(
        self, sprints: Sequence[Sprint], since: datetime | None
    ) -> Iterator[list[IssueBundle]]:
        try:
            yield from self._fetch_issues(sprints, since)
        except TrackerError:
            self.memo.forget()  # the site may have changed under what was kept
            raise

    def _fetch_issues(
        self, sprints: Sequence[Sprint], since: datetime | None
    ) -> Iterator[list[IssueBundle]]:
        wanted = {s.id for s in sprints}
        if not wanted:
            return
        fields = self.fields()
        self._remember_starts(sprints)
        started = [s.started_at for s in sprints if s.state != SprintState.FUTURE and s.started_at]
        jql = build_issue_jql(
            sorted(wanted, key=_as_int),
            self._board_projects() if started else [],
            min(started) if started else None,
            since,
            self._clock(),
        )
        cloud = self._deployment().cloud
        history = HistoryFetcher(self.client, cloud=cloud)
        # Cloud: one bulk changelog call serves up to 1000 issues, so search pages are
        # gathered into batches of that size first (Server/DC: a batch is one page).
        batch_size = BULK_MAX_ISSUES if cloud else 1
        stored, self._stored = self._stored, {}
        batches = _batches(self._search(jql, fields, cloud), since, batch_size, stored)
        # Three chains overlap, each sequential in itself (token pagination): the search
        # runs ahead in its own thread; each batch's changelog is fetched in a `histories`
        # worker as soon as the batch is complete; each issue's own calls (comments,
        # remote links) run in a `details` worker. There are more threads than
        # `concurrency`; the client holds the requests in flight to it, whichever thread
        # sends them. Pages are still yielded one at a time, in search order, each once,
        # for sync to commit in turn; leaving early drops the work not yet started.
        workers = max(1, self._config.concurrency)
        ahead = max(1, _AHEAD_ISSUES // max(batch_size, _SEARCH_PAGE))
        with (
            worker_pool(workers, "jira-details") as details,
            worker_pool(workers, "jira-histories") as histories,
            prefetch(
                (
                    histories.submit(self._prepare, batch, history, details, fields, wanted)
                    for batch in batches
                ),
                ahead,
                "jira-search",
            ) as prepared,
        ):
            for batch in prepared:
                for page in batch.result():
                    bundles = [bundle.result() for bundle in page]
                    if bundles:
                        yield bundles

    def _prepare(
        self,
        batch: list[list[Json]],
        history: HistoryFetcher,
        details: Executor,
        fields: ResolvedFields,
        wanted: set[str],
    ) -> list[list[Future[IssueBundle]]]:
        """The batch's histories in two passes (see the module docstring); then, page by
        page, each wanted issue's bundle handed to ``details`` (where it makes its own
        calls, if any)."""
        issues = [raw for page in batch for raw in page]
        judged = fields.judged_ids()[:BULK_MAX_FIELDS]
        histories, complete = history.fetch(issues, judged)
        kept = [raw for raw in issues if _touches(raw, _of(histories, raw), fields, wanted)]
        needy = {
            str(raw["id"]) for raw in kept if self._changed_after_start(raw, histories, fields)
        }
        if needy and not complete:
            full, _ = history.fetch([raw for raw in kept if str(raw["id"]) in needy])
            histories.update(full)
        chosen = {str(raw["id"]) for raw in kept}
        return [
            [
                details.submit(
                    self._bundle, raw, _of(histories, raw), fields, str(raw["id"]) in needy
                )
                for raw in page
                if str(raw["id"]) in chosen
            ]
            for page in batch
        ]

    def _changed_after_start(self, raw: Json, histories: Histories, fields: ResolvedFields) -> bool:
        """Did the AC change at or after the start of a sprint the issue is or was in?
        Only such a change is judged, so only its evidence (comments beyond those
        inline, links' times, remote links) is worth a request."""
        mine = _of(histories, raw)
        ids = set(m.parse_sprint_ids((raw.get("fields") or {}).get(fields.sprint.id)))
        for _, _, item in m.iter_items(mine, fields.sprint):
            ids |= m.parse_id_list(item.get("from")) | m.parse_id_list(item.get("to"))
        starts = [self._starts[i] for i in ids if i in self._starts]
        if not starts:
            return False
        first = min(starts)
        return any(
            (_clock.parse_time(h.get("created")) or _FAR_FUTURE) >= first
            for h, _, _ in m.iter_items(mine, fields.text)
        )

    def fields(self) -> ResolvedFields:
        """The AC (or description) and Sprint fields; ConfigError when not resolvable."""
        if self._fields is None:
            kept = self.memo.known("fields")
            try:
                self._fields = resolve_fields(self._raw_fields(), self._config.ac_field)
            except ConfigError:
                if not kept:
                    raise
                # The kept list may predate the field (or the config): ask once more.
                self.memo.forget("fields")
                self._fields = resolve_fields(self._raw_fields(), self._config.ac_field)
        return self._fields

    def _raw_fields(self) -> list[Json]:
        return list(self.memo.get("fields", self._ask_fields))

    def _ask_fields(self) -> list[dict[str, Any]]:
        raw = self.client.get("field", what="field list")
        # What resolving needs, not each field's clause names and search metadata.
        return [{k: f[k] for k in _FIELD_KEYS if k in f} for f in raw if isinstance(f, Mapping)]

    def _search(self, jql: str, fields: ResolvedFields, cloud: bool) -> Iterator[list[Json]]:
        wanted = [
            "summary", "status", "issuetype", "labels", "created", "updated",
            "issuelinks", "comment", fields.text.id, fields.sprint.id,
        ]  # fmt: skip
        if fields.estimate is not None:
            wanted.append(fields.estimate.id)
        params: dict[str, Any] = {
            "jql": jql,
            "fields": ",".join(wanted),
            "maxResults": _SEARCH_PAGE,
        }
        if cloud:
            yield from self._search_cloud(params)
        else:
            # Server/DC: expand=changelog is complete there.
            yield from self._search_server({**params, "expand": "changelog"})

    def _search_cloud(self, params: dict[str, Any]) -> Iterator[list[Json]]:
        token: str | None = None
        guard = self._guard("the issue search")
        while True:
            query = {**params, "nextPageToken": token} if token else params
            page = self.client.get("search/jql", query, what="issue search")
            issues = list(page.get("issues") or [])
            yield issues
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                return
            guard.more((raw.get("id") for raw in issues), token)

    def _search_server(self, params: dict[str, Any]) -> Iterator[list[Json]]:
        start = 0
        guard = self._guard("the issue search")
        while True:
            page = self.client.get("search", {**params, "startAt": start}, what="issue search")
            issues = list(page.get("issues") or [])
            yield issues
            start += len(issues)
            if not issues or start >= int(page.get("total") or 0):
                return
            guard.more((raw.get("id") for raw in issues), total=_total(page))

    def _bundle(
        self, raw: Json, histories: list[Json], fields: ResolvedFields, detail: bool
    ) -> IssueBundle:
        key = str(raw["key"])
        values = raw.get("fields") or {}
        issue = m.map_issue(raw, self.name, self.client.url)
        if fields.estimate is not None:
            issue = replace(issue, estimate=m.parse_points(values.get(fields.estimate.id)))
        sprint_ids = m.parse_sprint_ids(values.get(fields.sprint.id))
        revisions = m.map_revisions(self.name, key, histories, fields.text)
        # Comments and remote links are evidence about AC changes made after a start only
        # (``detail``): another issue keeps what the search returned inline, and costs no
        # extra call. Once its AC changes in a sprint the edit updates it, and the next
        # sync reads them all.
        remote = (
            self.client.get(f"issue/{key}/remotelink", what=f"remote links of {key}")
            if detail and m.has_remote_link_items(histories)
            else []
        )
        comments = self._comments(key, values) if detail else _inline_comments(values)
        return IssueBundle(
            issue=issue,
            text_field=fields.text.id,
            current_text=m.text_value(values.get(fields.text.id)),
            revisions=revisions,
            memberships=m.map_memberships(
                self.name, key, histories, fields.sprint, sprint_ids, issue.created_at
            ),
            sprint_ids=sprint_ids,
            comments=m.map_comments(self.name, key, comments, self.client.url),
            links=m.map_issue_links(
                self.name, key, values.get("issuelinks") or [], histories, self.client.url
            )
            + m.map_remote_links(self.name, key, remote, histories),
            estimates=m.map_estimates(self.name, key, histories, fields.estimate),
        )

    def _comments(self, key: str, values: Json) -> list[Json]:
        inline = values.get("comment")
        if isinstance(inline, Mapping):
            comments = list(inline.get("comments") or [])
            if int(inline.get("total") or 0) <= len(comments):
                return comments  # inline block is complete: no call needed
        comments = []
        guard = self._guard(f"the comments of {key}")
        while True:
            page = self.client.get(
                f"issue/{key}/comment",
                {"startAt": len(comments), "maxResults": _COMMENT_PAGE},
                what=f"comments of {key}",
            )
            batch = list(page.get("comments") or [])
            comments.extend(batch)
            if not batch or len(comments) >= int(page.get("total") or 0):
                return comments
            guard.more((c.get("id") for c in batch), total=_total(page))

    def _guard(self, what: str) -> PageGuard:
        return PageGuard(f"Jira at {self.client.url}", what)

    def _board(self, board: int) -> Json:
        found = self.memo.get(
            f"board/{board}",
            lambda: self.client.get(
                f"board/{board}", agile=True, what=f"board {board}", fix_404=_board_fix(board)
            ),
        )
        return found if isinstance(found, Mapping) else {}

    def _board_projects(self) -> list[str]:
        """Projects whose recently updated issues may have left a sprint (see _jql)."""
        if self._projects is None:
            keys = list(self._config.projects)
            for board in [] if keys else self._config.boards:
                location = self._board(board).get("location") or {}
                if location.get("projectKey"):
                    keys.append(str(location["projectKey"]))
                else:
                    log.warning(
                        "board %s is not in a project: issues removed from its sprints are "
                        "missed unless `projects` is set in tracker.toml",
                        board,
                    )
            self._projects = list(dict.fromkeys(keys))
        return self._projects

    def close(self) -> None:
        self.client.close()


def _touches(raw: Json, histories: list[Json], fields: ResolvedFields, wanted: set[str]) -> bool:
    """Is or was the issue in one of the wanted sprints? (The project clause over-selects.)"""
    now = set(m.parse_sprint_ids((raw.get("fields") or {}).get(fields.sprint.id)))
    if now & wanted:
        return True
    for _, _, item in m.iter_items(histories, fields.sprint):
        if (m.parse_id_list(item.get("from")) | m.parse_id_list(item.get("to"))) & wanted:
            return True
    return False


def _total(page: Json) -> int | None:
    total = page.get("total")
    return total if isinstance(total, int) else None


def _of(histories: Histories, raw: Json) -> list[Json]:
    return histories.get(str(raw["id"]), [])


def _updated(raw: Json) -> datetime:
    return _clock.parse_time((raw.get("fields") or {}).get("updated")) or _FAR_FUTURE


def _as_int(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _board_fix(board: int) -> str:
    return f"check `boards` in tracker.toml (board {board} is missing or hidden from the token)"


def _failed(what: str, exc: TrackerError) -> Check:
    detail, _, fix = exc.message.partition(": ")
    return Check(what, False, detail if fix else exc.message, fix)


def _batches(
    pages: Iterator[list[Json]],
    since: datetime | None,
    size: int,
    stored: Mapping[str, datetime],
) -> Iterator[list[list[Json]]]:
    """Consecutive search pages, filtered to issues updated at or after ``since`` (the
    JQL bound is minute-precise and has slack for clock skew; this is exact) and not
    ``stored`` as they are, grouped until a group holds ``size`` issues or more."""
    batch: list[list[Json]] = []
    count = 0
    for page in pages:
        fresh = [
            raw
            for raw in page
            if (since is None or _updated(raw) >= since)
            and stored.get(str(raw.get("key"))) != _updated(raw)
        ]
        if not fresh:
            continue
        batch.append(fresh)
        count += len(fresh)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def _inline_comments(values: Json) -> list[Json]:
    inline = values.get("comment")
    return list(inline.get("comments") or []) if isinstance(inline, Mapping) else []
