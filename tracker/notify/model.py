"""The values a nudge is made of (pure, frozen): which change, to whom, and a small
channel-neutral message that each channel renders into its own markup."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from tracker import clock
from tracker.domain import Issue, Person, Sprint
from tracker.findings import CriteriaDiff, Phrase

# Every comment tracker posts carries this mark; the policy never counts a comment that
# does as evidence, whatever else it says: the nudge itself quotes `#impact`.
SIGNATURE = re.compile(r"tracker-nudge:[0-9a-f]{12}\b")


def is_nudge_text(text: str) -> bool:
    """True for the body of a comment tracker posted (in any markup: the mark is plain)."""
    return SIGNATURE.search(text) is not None


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    """One change on one channel: the unit that is sent at most once when it succeeds.
    A change is identified by its source, issue and the time of its first save."""

    source: str
    issue_key: str
    changed_at: datetime
    channel: str


@dataclass(frozen=True, slots=True)
class Nudge:
    """A flagged change that is due: what the channels need to ask about it."""

    sprint: Sprint
    issue: Issue
    first_saved_at: datetime
    last_saved_at: datetime
    editor: Person | None
    lead: Person | None
    diff: CriteriaDiff
    phrases: tuple[Phrase, ...] = ()
    defined_after_start: bool = False
    added_after_start: bool = False
    reason: str = ""

    @property
    def mark(self) -> str:
        """``tracker-nudge:<12 hex>``: the same for every channel and every rerun."""
        ident = f"{self.issue.source}\n{self.issue.key}\n{clock.iso(self.first_saved_at)}"
        return "tracker-nudge:" + hashlib.sha256(ident.encode()).hexdigest()[:12]

    def key(self, channel: str) -> DeliveryKey:
        return DeliveryKey(self.issue.source, self.issue.key, self.first_saved_at, channel)


# -- a channel-neutral message ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    bold: bool = False
    code: bool = False


@dataclass(frozen=True, slots=True)
class Mention:
    """A person to address; each channel mentions them its own way (or names them)."""

    person: Person


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str


Span = Text | Mention | Link


@dataclass(frozen=True, slots=True)
class Paragraph:
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[tuple[Span, ...], ...]


Block = Paragraph | Bullets


@dataclass(frozen=True, slots=True)
class Message:
    """What a nudge says: a title line (the fallback text of a notification) and blocks."""

    title: str
    blocks: tuple[Block, ...]
    url: str | None = None
