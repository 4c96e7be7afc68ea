"""The Source protocol every connector implements.

A connector fetches and translates; it never decides. It returns plain domain records
(``tracker.domain``) and raises only ``tracker.errors.SourceError`` subclasses, with a
one-line message that says what to fix and the library exception kept as ``__cause__``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from tracker.domain import IssueBundle, SourceKind, Sprint


@dataclass(frozen=True, slots=True)
class Check:
    """One line of ``tracker doctor``: what was checked, whether it passed, and the fix."""

    what: str
    ok: bool
    detail: str = ""
    fix: str = ""


@dataclass
class RequestStats:
    """Requests made, by endpoint label (``GET /rest/api/2/search/jql``, ``POST graphql
    IssuesPage``); the benchmarks and the closing notes quote these."""

    by_endpoint: Counter[str] = field(default_factory=Counter)
    complexity: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_endpoint.values())

    def count(self, label: str) -> None:
        self.by_endpoint[label] += 1


@runtime_checkable
class Source(Protocol):
    name: str
    kind: SourceKind
    stats: RequestStats

    def check(self) -> list[Check]:
        """Credentials, deployment, field mapping: one Check per thing ``doctor`` shows."""
        ...

    def fetch_sprints(self) -> list[Sprint]:
        """Every sprint/cycle of the configured boards/teams (future ones included)."""
        ...

    def fetch_issues(
        self, sprints: Sequence[Sprint], since: datetime | None
    ) -> Iterator[list[IssueBundle]]:
        """Issues that are or were in ``sprints`` and were updated at or after ``since``
        (all of them when None), complete with history, comments and links.

        Pages come in ascending ``issue.updated_at`` order so that sync can commit a page
        and move its cursor past it; one page is one transaction.
        """
        ...

    def close(self) -> None: ...
