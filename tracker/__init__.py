"""tracker: which acceptance criteria changed after the sprint started, and was
engineering asked? The library behind the ``tracker`` command.

    from tracker import Store, build_report, load_config

    config = load_config()
    store = Store(config.database)
    try:
        report = build_report(store, config.policy, "Payments Sprint 42")
    finally:
        store.close()

``__all__`` is the public API. A connector to another tracker implements
``tracker.ports.Source``. The names are imported on first use, so that importing a part
of the pure core (``tracker.domain``, say) does not load the database libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.config import Config, load_config
    from tracker.domain import (
        Comment,
        Issue,
        IssueBundle,
        IssueHistory,
        Link,
        Person,
        Sprint,
        TextRevision,
    )
    from tracker.errors import (
        AuthError,
        ConfigError,
        RateLimited,
        SourceError,
        StoreError,
        TrackerError,
        UpstreamError,
    )
    from tracker.findings import ChangeFinding, IssueFinding, SprintReport, TrendPoint, Verdict
    from tracker.policy import Policy
    from tracker.ports import Check, Source
    from tracker.service import build_report, build_trend, issue_timeline
    from tracker.store import Store
    from tracker.sync import SyncResult, sync_all, sync_source

__all__ = [
    "AuthError",
    "ChangeFinding",
    "Check",
    "Comment",
    "Config",
    "ConfigError",
    "Issue",
    "IssueBundle",
    "IssueFinding",
    "IssueHistory",
    "Link",
    "Person",
    "Policy",
    "RateLimited",
    "Source",
    "SourceError",
    "Sprint",
    "SprintReport",
    "Store",
    "StoreError",
    "SyncResult",
    "TextRevision",
    "TrackerError",
    "TrendPoint",
    "UpstreamError",
    "Verdict",
    "build_report",
    "build_trend",
    "issue_timeline",
    "load_config",
    "sync_all",
    "sync_source",
]

# Where each public name is defined.
_HOMES = {
    "tracker.config": ("Config", "load_config"),
    "tracker.domain": (
        "Comment", "Issue", "IssueBundle", "IssueHistory", "Link", "Person", "Sprint",
        "TextRevision",
    ),
    "tracker.errors": (
        "AuthError", "ConfigError", "RateLimited", "SourceError", "StoreError",
        "TrackerError", "UpstreamError",
    ),
    "tracker.findings": ("ChangeFinding", "IssueFinding", "SprintReport", "TrendPoint", "Verdict"),
    "tracker.policy": ("Policy",),
    "tracker.ports": ("Check", "Source"),
    "tracker.service": ("build_report", "build_trend", "issue_timeline"),
    "tracker.store": ("Store",),
    "tracker.sync": ("SyncResult", "sync_all", "sync_source"),
}  # fmt: skip
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'tracker' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
