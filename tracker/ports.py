"""The ports: what the core asks of a connector to an issue tracker, and of a channel
that delivers nudges (``tracker notify``).

``tracker.sync`` and the CLI depend on these; ``connectors.jira`` and ``connectors.linear``
implement them. A connector fetches and translates; it never decides. It returns plain
domain records (``tracker.domain``) and raises only ``tracker.errors.SourceError``
subclasses, with a one-line message that says what to fix and the library exception
kept as ``__cause__``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from tracker.domain import IssueBundle, SourceKind, Sprint
from tracker.notify.model import Nudge


@dataclass(frozen=True, slots=True)
class Check:
    """One line of ``tracker doctor``: what was checked, whether it passed, and the fix."""

    what: str
    ok: bool
    detail: str = ""
    fix: str = ""


@runtime_checkable
class Source(Protocol):
    name: str
    kind: SourceKind
    # Whether the tracker's own history holds every old AC text (Jira's changelog), or
    # only that it changed (Linear), so that old texts are known from sync's snapshots.
    exact_history: bool

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


@runtime_checkable
class Remembering(Protocol):
    """A source that keeps answers it rarely sees change (server info, field lists)
    between syncs: plain JSON that sync stores with the source and hands back."""

    def recall(self, stored: Mapping[str, Any]) -> None:
        """Start from what an earlier sync kept (``{}`` for a ``--full`` sync)."""
        ...

    def remembered(self) -> dict[str, Any]:
        """What to keep for the next sync."""
        ...


@runtime_checkable
class SkipsStored(Protocol):
    """A source that can leave out of its next ``fetch_issues`` the issues already stored
    as they are now (its tracker reports the same ``updated``), before any request about
    them: an incremental sync's overlap then re-reads only late arrivals."""

    def skip_stored(self, stored: Mapping[str, datetime]) -> None:
        """``stored``: issue key -> the ``updated`` time stored for it."""
        ...


# -- nudge channels: connectors.notify implements them ------------------------------------


@dataclass(frozen=True, slots=True)
class Sent:
    """The channel accepted the message; ``remote_id`` is the comment id where one exists."""

    remote_id: str | None = None


class Channel(Protocol):
    """Where nudges go. ``send`` returns ``Sent`` once the far end accepted the message,
    and raises ``tracker.errors.NotifyError`` (one line with the fix) otherwise."""

    name: str

    def describe(self, nudge: Nudge) -> str:
        """One line for the dry run: where this nudge would go."""
        ...

    def preview(self, nudge: Nudge) -> Any:
        """Exactly what would be sent for ``nudge``: the request, as JSON-able data."""
        ...

    def send(self, nudge: Nudge) -> Sent: ...

    def close(self) -> None: ...


@runtime_checkable
class DigestChannel(Protocol):
    """A channel that can also send one message for several nudges of one sprint."""

    name: str

    def preview_digest(self, sprint: Sprint, nudges: tuple[Nudge, ...]) -> Any: ...

    def send_digest(self, sprint: Sprint, nudges: tuple[Nudge, ...]) -> Sent: ...
