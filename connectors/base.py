"""What both connectors share. The ports they implement (``Source``, ``Check``) are the
core's, in ``tracker.ports``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
