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
from tracker.domain import Issue, Person, Sprint


class Verdict(StrEnum):
    DISCUSSED = "discussed"
    FLAGGED = "flagged"
    COSMETIC = "cosmetic"


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


@dataclass(frozen=True, slots=True)
class Summary:
    issues: int
    issues_with_ac_changes: int
    changes: int
    flagged: int
    discussed: int
    cosmetic: int


@dataclass(frozen=True, slots=True)
class SprintReport:
    sprint: Sprint
    generated_at: datetime
    issues: tuple[IssueFinding, ...]
    changes: tuple[ChangeFinding, ...]
    summary: Summary


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """The measures of one sprint, for ``tracker trend``."""

    sprint: Sprint
    summary: Summary
    share_flagged: float
    median_hours_to_discussion: float | None
    changes_by_editor: tuple[tuple[str, int], ...]
    median_sprint_fraction: float | None
