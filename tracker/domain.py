"""Plain domain records that connectors return and the store keeps.

Every record is a frozen dataclass; every datetime is timezone-aware UTC (see
``tracker.clock.parse_time``). Connectors translate wire formats into these records and
never judge them; extraction, diff and policy run later, at report time, so a policy
change re-judges history without a refetch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    JIRA = "jira"
    LINEAR = "linear"


class SprintState(StrEnum):
    FUTURE = "future"
    ACTIVE = "active"
    CLOSED = "closed"


class LinkKind(StrEnum):
    """Kinds of discussion link; the values are evidence kinds in the reports."""

    ISSUE_LINK = "issue_link"  # Jira issue link, either direction
    RELATION = "relation"  # Linear issue relation, either direction
    REMOTE_LINK = "remote_link"  # Jira remote link (Confluence page, Slack thread, web page)
    ATTACHMENT = "attachment"  # Linear attachment (Slack, GitHub PR, Notion, Figma, ...)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who edited or commented. ``id`` is the Jira accountId (Cloud), user key
    (Server/DC) or Linear user id; ``email`` is present only where the API shows it."""

    id: str
    name: str
    email: str | None = None
    is_bot: bool = False

    def identities(self) -> frozenset[str]:
        """Every string a roster entry may use to name this person, lower-cased."""
        found = {self.id, self.name, self.email or ""}
        return frozenset(s.strip().lower() for s in found if s and s.strip())

    def same_as(self, other: Person | None) -> bool:
        """The same person: the same id; else the same email, case-insensitively (where
        the API shows emails); a display name decides only when one side has no id,
        since two accounts may share a name. Unknown (None) is nobody's match."""
        if other is None:
            return False
        if self.id and other.id and self.id == other.id:
            return True
        if self.email and other.email and _folded(self.email) == _folded(other.email):
            return True
        if self.id and other.id:
            return False
        return bool(_folded(self.name)) and _folded(self.name) == _folded(other.name)


def _folded(text: str) -> str:
    return text.strip().lower()


@dataclass(frozen=True, slots=True)
class Sprint:
    """A Jira sprint or a Linear cycle.

    ``id`` is the Jira sprint id (``"42"``) or the Linear cycle id; ``key`` is the
    user-facing handle where one exists (Linear ``ENG-12``). ``started_at`` is the moment
    the sprint was started (Jira ``activatedDate``, else ``startDate``; Linear
    ``startsAt``); ``start_is_planned`` says the fallback was used. ``ended_at`` is the
    actual completion (Jira ``completeDate``, Linear ``completedAt``), ``planned_end`` the
    planned one.
    """

    source: str
    id: str
    name: str
    state: SprintState
    started_at: datetime | None
    ended_at: datetime | None
    planned_end: datetime | None = None
    board: str = ""
    key: str | None = None
    start_is_planned: bool = False


@dataclass(frozen=True, slots=True)
class Issue:
    source: str
    key: str
    id: str
    title: str
    url: str
    type: str = ""
    status: str = ""
    labels: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    estimate: float | None = None  # Jira story points, Linear estimate; None: not estimated


@dataclass(frozen=True, slots=True)
class EstimateChange:
    """The estimate changing from ``from_value`` to ``to_value`` (None: not estimated),
    from Jira's changelog of the story-points field or Linear's ``IssueHistory``."""

    source: str
    issue_key: str
    id: str
    at: datetime
    author: Person | None
    from_value: float | None
    to_value: float | None


@dataclass(frozen=True, slots=True)
class TextRevision:
    """One raw change of the field that holds the acceptance criteria.

    ``field`` is what the text came from: the AC custom field id or ``"description"``.
    ``from_text``/``to_text`` are the raw values (Jira wiki markup, markdown, ...); None
    means empty. ``id`` is unique per issue (Jira: ``<history id>:<item index>``).
    """

    source: str
    issue_key: str
    id: str
    at: datetime
    author: Person | None
    field: str
    from_text: str | None
    to_text: str | None


@dataclass(frozen=True, slots=True)
class TextEdit:
    """An API's record *that* the AC-bearing text changed, without the text itself
    (Linear ``IssueHistory.updatedDescription``). Sync pairs it with description
    snapshots to attribute a revision to who and when."""

    source: str
    issue_key: str
    id: str
    at: datetime
    author: Person | None


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """An issue joining (``added``) or leaving a sprint at ``at``. ``automated`` marks
    moves made by automation rather than a person (Linear cycle roll-over, bots)."""

    source: str
    issue_key: str
    sprint_id: str
    at: datetime
    added: bool
    by: Person | None = None
    automated: bool = False
    id: str = ""


@dataclass(frozen=True, slots=True)
class Comment:
    source: str
    issue_key: str
    id: str
    created_at: datetime
    author: Person | None
    body: str
    updated_at: datetime | None = None
    url: str | None = None
    parent_id: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A discussion link: an issue link or relation, a remote link or an attachment.

    ``added_at`` comes from the changelog (Jira ``Link``/``RemoteIssueLink`` items) or the
    API's ``createdAt``; None when unknown. For issue links and relations ``target_*``
    describe the other issue, whose title, type and labels the policy matches against
    ``link_patterns``. ``app`` names the remote application or attachment source
    (``confluence``, ``slack``, ``github``, ...).
    """

    source: str
    issue_key: str
    id: str
    kind: LinkKind
    title: str
    url: str | None = None
    relationship: str = ""
    added_at: datetime | None = None
    added_by: Person | None = None
    target_key: str | None = None
    target_type: str = ""
    target_labels: tuple[str, ...] = ()
    app: str = ""


@dataclass(frozen=True, slots=True)
class IssueBundle:
    """Everything a connector read about one issue in one poll.

    ``current_text`` is the AC-bearing field's value now (custom field or description);
    sync keeps a snapshot whenever it differs from the last one, which is the only way to
    recover old text where the API's history has none (Linear), and the baseline of an
    issue whose field never changed. ``revisions`` carry text (Jira changelog);
    ``text_edits`` only who/when (Linear history). ``memberships`` is every sprint join
    or leave the API recorded; ``sprint_ids`` the sprints the issue is in now.
    """

    issue: Issue
    text_field: str
    current_text: str | None
    revisions: tuple[TextRevision, ...] = ()
    text_edits: tuple[TextEdit, ...] = ()
    memberships: tuple[MembershipChange, ...] = ()
    sprint_ids: tuple[str, ...] = ()
    comments: tuple[Comment, ...] = ()
    links: tuple[Link, ...] = ()
    estimates: tuple[EstimateChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The AC-bearing text as sync saw it at ``seen_at``."""

    seen_at: datetime
    text: str | None


@dataclass(frozen=True, slots=True)
class IssueHistory:
    """Everything the store knows about one issue: the input of the sprint analysis.

    ``exact_history`` is True where the tracker's own history holds every old text
    (Jira's changelog); False where old texts are known only from sync's snapshots
    (Linear), so a baseline before the first snapshot is approximate.
    """

    issue: Issue
    text_field: str
    current_text: str | None
    exact_history: bool
    revisions: tuple[TextRevision, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    text_edits: tuple[TextEdit, ...] = ()
    memberships: tuple[MembershipChange, ...] = ()
    sprint_ids: tuple[str, ...] = ()
    comments: tuple[Comment, ...] = ()
    links: tuple[Link, ...] = ()
    estimates: tuple[EstimateChange, ...] = ()


@dataclass(frozen=True, slots=True)
class PushedEvent:
    """What one webhook delivery said about one issue (``tracker serve``).

    ``revisions`` carry the text before and after each save, as exact as the trackers'
    own history: Linear's ``updatedFrom`` (the only place Linear ever shows an old
    description) or the changelog items of a Jira edit. ``keeps_snapshots`` marks the
    sources whose history has no texts (Linear): there the store also keeps the text just
    before and just after each save as snapshots, so the poll sees them as known and a
    baseline taken from them is exact.
    """

    source: str
    issue_key: str
    at: datetime
    revisions: tuple[TextRevision, ...] = ()
    comments: tuple[Comment, ...] = ()
    links: tuple[Link, ...] = ()
    keeps_snapshots: bool = False
