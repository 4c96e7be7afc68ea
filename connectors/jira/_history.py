"""Changelogs for a batch of issues, by the cheapest route each deployment offers.

- Cloud: ``POST changelog/bulkfetch`` for the whole batch (≤1000 issues per call), merging
  one issue's histories split across pages by ``issueId`` (numeric, even when keys are
  sent). Pages are followed by ``nextPageToken`` alone: a site may grant fewer histories
  a page than the ``maxResults`` asked for, so the count returned says nothing about the
  end. ``fieldIds`` narrows the answer to the items of those fields, which is how
  ``JiraSource`` reads every issue's judged fields cheaply; items without a fieldId
  (``Link``, ``RemoteIssueLink`` on Cloud, reference §1.4) only come unfiltered.
  Where bulkfetch answers 404 (older Cloud), page ``/issue/{key}/changelog`` per issue
  (complete: that route has no field filter). Batches are fetched from several threads
  at once; until bulkfetch has answered once, they take turns, so a site without it is
  asked (and answers 404) only once.
- Server/DC: the search's ``expand=changelog`` is complete there; an issue whose
  ``changelog.total`` exceeds its histories is re-read with ``/issue/{key}?expand=changelog``
  (``/issue/{key}/changelog`` is 404 on Server).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from connectors.jira._mapping import sort_histories
from connectors.jira.client import JiraClient, NotFound
from connectors.paging import PageGuard

log = logging.getLogger(__name__)

Json = Mapping[str, Any]
BULK_MAX_ISSUES = 1000  # BulkChangelogRequestBean.issueIdsOrKeys maxItems
BULK_MAX_RESULTS = 10_000  # BulkChangelogRequestBean.maxResults maximum (default 1000)
BULK_MAX_FIELDS = 10  # BulkChangelogRequestBean.fieldIds maxItems
_CHANGELOG_PAGE = 100  # /issue/{key}/changelog maximum

Histories = dict[str, list[Json]]  # issue id -> histories, oldest first


class HistoryFetcher:
    def __init__(self, client: JiraClient, *, cloud: bool) -> None:
        self._client = client
        self._cloud = cloud
        self._bulk = cloud
        self._bulk_known = not cloud
        self._probing = threading.Lock()

    def fetch(
        self, issues: Sequence[Json], field_ids: Sequence[str] = ()
    ) -> tuple[Histories, bool]:
        """The issues' histories keyed by issue id, and whether they are complete: with
        ``field_ids`` the bulk route keeps only those fields' items (and the histories
        that have one); the other routes cannot filter and give everything. Thread-safe."""
        if not issues:
            return {}, not field_ids
        if not self._bulk_known:
            with self._probing:
                if not self._bulk_known:
                    found = self._bulk_or_none(issues, field_ids)
                    self._bulk_known = True
                    if found is not None:
                        return found, not field_ids
        if self._bulk:
            found = self._bulk_or_none(issues, field_ids)
            if found is not None:
                return found, not field_ids
        return {str(raw["id"]): sort_histories(self._one(raw)) for raw in issues}, True

    def _bulk_or_none(self, issues: Sequence[Json], field_ids: Sequence[str]) -> Histories | None:
        """The bulk route's answer; None, and no more bulk calls, where it is a 404."""
        try:
            return self._bulkfetch(issues, field_ids)
        except NotFound:
            log.info("changelog/bulkfetch is not available; paging per issue instead")
            self._bulk = False
            return None

    def _bulkfetch(self, issues: Sequence[Json], field_ids: Sequence[str]) -> Histories:
        merged: dict[str, dict[str, Json]] = {str(raw["id"]): {} for raw in issues}
        ids = list(merged)
        for start in range(0, len(ids), BULK_MAX_ISSUES):
            body: dict[str, Any] = {
                "issueIdsOrKeys": ids[start : start + BULK_MAX_ISSUES],
                "maxResults": BULK_MAX_RESULTS,
            }
            if field_ids:
                body["fieldIds"] = list(field_ids)
            guard = PageGuard(f"Jira at {self._client.url}", "the changelog bulk fetch")
            while True:
                page = self._client.post("changelog/bulkfetch", body, what="changelog bulk fetch")
                for entry in page.get("issueChangeLogs") or []:
                    into = merged.setdefault(str(entry.get("issueId")), {})
                    for history in entry.get("changeHistories") or []:
                        into[str(history.get("id"))] = history
                token = page.get("nextPageToken")
                if not token:
                    break
                guard.more(_history_ids(page), token)
                body = {**body, "nextPageToken": token}
        return {key: sort_histories(list(found.values())) for key, found in merged.items()}

    def _one(self, raw: Json) -> list[Json]:
        inline = raw.get("changelog")
        if isinstance(inline, Mapping):
            histories = list(inline.get("histories") or [])
            if int(inline.get("total") or 0) <= len(histories):
                return histories
        key = str(raw["key"])
        return self._page_cloud(key) if self._cloud else self._full_server(key)

    def _page_cloud(self, key: str) -> list[Json]:
        histories: list[Json] = []
        guard = PageGuard(f"Jira at {self._client.url}", f"the changelog of {key}")
        while True:
            page = self._client.get(
                f"issue/{key}/changelog",
                {"startAt": len(histories), "maxResults": _CHANGELOG_PAGE},
                what=f"changelog of {key}",
            )
            values = list(page.get("values") or [])
            histories.extend(values)
            total = int(page.get("total") or 0)
            if not values or page.get("isLast") or len(histories) >= total:
                return histories
            guard.more((h.get("id") for h in values), total=total)

    def _full_server(self, key: str) -> list[Json]:
        raw = self._client.get(
            f"issue/{key}", {"expand": "changelog", "fields": "created"}, what=f"changelog of {key}"
        )
        return list((raw.get("changelog") or {}).get("histories") or [])


def _history_ids(page: Json) -> list[tuple[str, str]]:
    return [
        (str(entry.get("issueId")), str(history.get("id")))
        for entry in page.get("issueChangeLogs") or []
        for history in entry.get("changeHistories") or []
    ]
