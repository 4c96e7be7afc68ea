"""What analysis concludes about a sprint: the records every report renders.

Pure, frozen values. ``reports/`` turns a ``SprintReport`` into a table, CSV, JSON,
Markdown or HTML; nothing here knows about any of those formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# The criteria diff is the AC package's value; reports take it from here with the rest.
from tracker.ac.diff import CriteriaDiff as CriteriaDiff
from tracker.ac.diff import Modified as Modified
from tracker.ac.extract import DEFAULT_HEADINGS, extract_criteria
from tracker.domain import Issue, Person, Sprint, SprintState


class Verdict(StrEnum):
    DISCUSSED = "discussed"
    FLAGGED = "flagged"
    COSMETIC = "cosmetic"
    # The tracker knows an edit happened (Linear's history) but never saw the text
    # before it: nothing about it can be judged, and it is never silently dropped.
    UNKNOWN = "unknown"


class Scope(StrEnum):
    """What a non-cosmetic change did to the criteria."""

    EXPANDED = "expanded"  # criteria only added
    REDUCED = "reduced"  # criteria only removed
    REWRITTEN = "rewritten"  # anything else


class EvidenceKind(StrEnum):
    COMMENT = "comment"
    MARKER = "marker"
    ISSUE_LINK = "issue_link"
    RELATION = "relation"
    REMOTE_LINK = "remote_link"
    ATTACHMENT = "attachment"
    ENGINEER_EDIT = "engineer_edit"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Something that may show engineering took part: a comment, a link, an edit."""

    kind: EvidenceKind
    at: datetime | None
    by: str
    url: str | None
    text: str
    by_id: str = ""
    # Made by the editor alone (their own link, attachment or marker comment): it still
    # counts, but reads weaker than an engineer's word.
    by_editor: bool = False


@dataclass(frozen=True, slots=True)
class Considered:
    """Evidence that was looked at and did not count, with the reason."""

    evidence: Evidence
    why_not: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """A trust-eroding phrase ("it should be simple", "can we just ...") found near a
    change, with the better question to ask instead."""

    kind: str
    quote: str
    by: str
    at: datetime | None
    suggestion: str


@dataclass(frozen=True, slots=True)
class Judgement:
    verdict: Verdict
    reason: str
    evidence: tuple[Evidence, ...] = ()
    considered: tuple[Considered, ...] = ()


@dataclass(frozen=True, slots=True)
class AcVersion:
    """The AC as it stood from ``at`` on: the raw text, and how to read its criteria.

    ``criteria`` are parsed from ``text`` when first asked for (memoised by text), so
    a report that shows only the changed issues never parses the unchanged ones."""

    at: datetime | None
    by: Person | None
    text: str
    whole_field: bool = True  # the text is a dedicated AC field, all of it AC
    headings: tuple[str, ...] = DEFAULT_HEADINGS

    @property
    def criteria(self) -> tuple[str, ...]:
        return extract_criteria(self.text, whole_field=self.whole_field, headings=self.headings)


@dataclass(frozen=True, slots=True)
class Reestimate:
    """The estimate changing inside the window after an AC change."""

    from_value: float | None
    to_value: float | None
    at: datetime
    by: Person | None


@dataclass(frozen=True, slots=True)
class EstimateView:
    """The issue's estimate at its baseline and now, and the re-estimate that followed
    a change (None when nobody re-estimated inside the window after it)."""

    at_start: float | None
    now: float | None
    reestimated: Reestimate | None = None


@dataclass(frozen=True, slots=True)
class ChangeFinding:
    """One AC change (a burst of saves by one person counts once) and its verdict."""

    issue: Issue
    changed_at: datetime
    changed_by: Person | None
    verdict: Verdict
    reason: str
    diff: CriteriaDiff
    before: AcVersion
    after: AcVersion
    added_after_start: bool = False
    baseline_approximate: bool = False
    saves: int = 1
    evidence: tuple[Evidence, ...] = ()
    considered: tuple[Considered, ...] = ()
    phrases: tuple[Phrase, ...] = ()
    hours_into_sprint: float | None = None
    defined_after_start: bool = False
    scope: Scope | None = None
    estimate: EstimateView | None = None

    @property
    def scope_grew_unestimated(self) -> bool:
        """The scope grew and nobody re-estimated inside the window after it."""
        return (
            self.scope is Scope.EXPANDED
            and self.estimate is not None
            and self.estimate.reestimated is None
        )


@dataclass(frozen=True, slots=True)
class IssueFinding:
    """An issue that was in the sprint at some time during it."""

    issue: Issue
    baseline: AcVersion
    current: AcVersion
    net_diff: CriteriaDiff
    changes: tuple[ChangeFinding, ...] = ()
    added_after_start: bool = False
    removed_before_end: bool = False
    baseline_approximate: bool = False
    # Joined the sprint (or was in it at the start) with no criteria at all.
    without_ac_at_start: bool = False
    estimate: EstimateView | None = None

    @property
    def without_ac_now(self) -> bool:
        return not self.current.criteria


@dataclass(frozen=True, slots=True)
class Summary:
    issues: int
    issues_with_ac_changes: int
    changes: int
    flagged: int
    discussed: int
    cosmetic: int
    unknown: int = 0
    defined_after_start: int = 0
    issues_without_ac: int = 0
    issues_baseline_approximate: int = 0
    points_added_after_start: float = 0.0


@dataclass(frozen=True, slots=True)
class SprintReport:
    sprint: Sprint
    generated_at: datetime
    issues: tuple[IssueFinding, ...]
    changes: tuple[ChangeFinding, ...]
    summary: Summary

    @property
    def not_started(self) -> bool:
        """The sprint has not started: there is nothing to compare against yet."""
        started = self.sprint.started_at
        return (
            self.sprint.state is SprintState.FUTURE
            or started is None
            or started > self.generated_at
        )

    @property
    def partial(self) -> bool:
        """The sprint is still running: the report covers it only up to now."""
        return not self.not_started and self.sprint.ended_at is None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """The measures of one sprint, for ``tracker trend``."""

    sprint: Sprint
    summary: Summary
    share_flagged: float
    median_hours_to_discussion: float | None
    changes_by_editor: tuple[tuple[str, int], ...]
    median_sprint_fraction: float | None
