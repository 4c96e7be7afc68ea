"""The naive baseline: what a straightforward script does to read a sprint's issues.

List the boards' sprints, search the sprints' issues (a page of keys), then per issue:
``GET issue/{key}?expand=changelog``, every page of ``issue/{key}/comment`` and
``issue/{key}/remotelink``. On Cloud the issue's inline changelog keeps only the most
recent 100 histories, so an AC change buried under later saves is never seen; the client
counts what it saw so the benchmark can say what it missed. Same bounded concurrency as
the real connector, so wall times compare fairly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from connectors.sim.jira.model import JiraWorkspace

AC_FIELD_NAME = "Acceptance Criteria"


@dataclass(slots=True)
class NaiveResult:
    issues: int = 0
    ac_changes_seen: dict[str, int] = field(default_factory=dict)  # key -> AC histories seen


class NaiveClient:
    def __init__(
        self, url: str, email: str, token: str, *, concurrency: int = 4, timeout: float = 60
    ) -> None:
        self._http = httpx.Client(
            base_url=url,
            auth=(email, token),
            timeout=timeout,
            headers={"Accept": "application/json"},
        )
        self._workers = max(1, concurrency)

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        reply = self._http.get(path, params=params)
        reply.raise_for_status()
        return reply.json()

    def fetch(self, boards: Iterable[int], since: datetime | None = None) -> NaiveResult:
        sprints = [s for b in boards for s in self._sprints(b)]
        jql = f"sprint in ({', '.join(str(s) for s in sprints)})"
        if since is not None:
            jql += (since.astimezone(UTC) - timedelta(hours=14)).strftime(
                ' AND updated >= "%Y-%m-%d %H:%M"'
            )
        keys = self._search(jql + " ORDER BY key ASC")
        result = NaiveResult(issues=len(keys))
        with ThreadPoolExecutor(self._workers) as pool:
            for key, seen in zip(keys, pool.map(self._issue, keys), strict=True):
                result.ac_changes_seen[key] = seen
        return result

    def _sprints(self, board: int) -> list[int]:
        found: list[int] = []
        while True:
            page = self._get(
                f"/rest/agile/1.0/board/{board}/sprint", {"startAt": len(found), "maxResults": 50}
            )
            found += [int(s["id"]) for s in page.get("values") or []]
            if page.get("isLast", True) or not page.get("values"):
                return found

    def _search(self, jql: str) -> list[str]:
        keys: list[str] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"jql": jql, "fields": "summary", "maxResults": 100}
            if token:
                params["nextPageToken"] = token
            page = self._get("/rest/api/2/search/jql", params)
            keys += [str(i["key"]) for i in page.get("issues") or []]
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                return keys

    def _issue(self, key: str) -> int:
        """Read one issue the straightforward way; returns the AC histories it saw."""
        issue = self._get(f"/rest/api/2/issue/{key}", {"expand": "changelog"})
        comments: list[Any] = []
        while True:
            page = self._get(
                f"/rest/api/2/issue/{key}/comment", {"startAt": len(comments), "maxResults": 100}
            )
            comments += page.get("comments") or []
            if not page.get("comments") or len(comments) >= int(page.get("total") or 0):
                break
        self._get(f"/rest/api/2/issue/{key}/remotelink")
        histories = (issue.get("changelog") or {}).get("histories") or []
        return sum(
            1
            for h in histories
            if any(i.get("field") == AC_FIELD_NAME for i in h.get("items") or [])
        )


CLOUD_ISSUE_HISTORIES = 100  # what GET issue?expand=changelog inlines on Cloud


def predict_naive(ws: JiraWorkspace, boards: Iterable[int]) -> tuple[int, int, int]:
    """(requests, AC edits missed, issues affected) of a naive first read, from the site
    itself: checked against a measured run at a small size, used at the large ones."""
    boards = list(boards)
    sprints = {s.id for s in ws.sprints.values() if s.board_id in boards}
    per_board = [sum(1 for s in ws.sprints.values() if s.board_id == b) for b in boards]
    found = [i for i in ws.issues.values() if sprints & set(i.sprint_ids)]
    requests = sum(max(1, math.ceil(n / 50)) for n in per_board)
    requests += max(1, math.ceil(len(found) / 100))
    requests += sum(2 + max(1, math.ceil(len(i.comments) / 100)) for i in found)
    missed = issues = 0
    for issue in found:
        ordered = sorted(issue.histories, key=lambda h: (h.created, h.id))
        hidden = ordered[: max(0, len(ordered) - CLOUD_ISSUE_HISTORIES)]
        lost = sum(1 for h in hidden for item in h.items if item.field_key == "ac")
        missed += lost
        issues += lost > 0
    return requests, missed, issues
