"""Evidence → verdict: was engineering part of the conversation about an AC change?

The window is ``[first_at - window_before, last_at + window_after]`` around the burst of
saves, both ends included. Inside it these count:

- ``comment``: a comment by an engineer who is not the editor;
- ``marker``: a comment containing an impact marker, whoever wrote it (the editor too),
  except a nudge tracker posted itself (it carries ``tracker-nudge:``): never evidence;
- ``issue_link`` / ``relation``: a link to an issue whose title, type or a label matches a
  ``link_patterns`` entry as a word (``adr`` matches ``ADR-12`` and ``ADRs``, not
  ``address``);
- ``remote_link`` / ``attachment``: added in the window (Confluence page, Slack thread, PR);
- ``engineer_edit``: the editor is on the (non-empty) roster.

Evidence the editor made alone (their own link, remote link, attachment or marker
comment) still counts but carries ``by_editor``; when nothing else counted, the reason
says "the editor linked ...; no engineer took part", so it reads weaker than an
engineer's word. A change whose earlier text was never seen is ``unknown``: the evidence
in its window is listed as considered, never judged.

A link whose ``added_at`` is unknown is looked at and does not count ("time unknown"): it
may well predate the change, and counting it would let any old link excuse every edit.
Comments are placed by ``created_at``. Everything is sorted before it is reported, so
the judgement never depends on the order comments and links arrive in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.ac.diff import ChangeKind
from tracker.ac.extract import DEFAULT_HEADINGS
from tracker.domain import Comment, Link, LinkKind, Person
from tracker.findings import Considered, Evidence, EvidenceKind, Judgement, Phrase, Verdict
from tracker.notify.model import is_nudge_text
from tracker.phrases import SUGGESTIONS, find_in_text

_SNIPPET = 200
_PATTERN_KINDS = (LinkKind.ISSUE_LINK, LinkKind.RELATION)


@dataclass(frozen=True, slots=True)
class Policy:
    """How AC changes are judged: the ``[policy]`` table of tracker.toml, key for key.

    The defaults below are the only place they are written; ``tracker.config`` builds
    this record from the file and ``tracker init`` writes them out.
    """

    engineers: tuple[str, ...] = ()
    window_before: timedelta = timedelta(days=3)
    window_after: timedelta = timedelta(days=2)
    link_patterns: tuple[str, ...] = ("impact", "spike", "design", "rfc", "adr")
    markers: tuple[str, ...] = ("#impact", "engineering impact")
    burst: timedelta = timedelta(minutes=10)
    grace: timedelta = timedelta(0)
    ac_headings: tuple[str, ...] = DEFAULT_HEADINGS


@dataclass(frozen=True, slots=True)
class ChangeContext:
    issue_key: str
    first_at: datetime  # first save of the burst
    last_at: datetime  # last save of the burst
    editor: Person | None
    kind: ChangeKind


def on_roster(person: Person | None, policy: Policy) -> bool:
    if person is None or person.is_bot or not policy.engineers:
        return False
    roster = {e.strip().lower() for e in policy.engineers if e.strip()}
    return bool(roster & person.identities())


def is_engineer(person: Person | None, editor: Person | None, policy: Policy) -> bool:
    """On the roster (matched against every identity, case-insensitively); with an empty
    roster, anyone but the editor. Bots and unknown authors never."""
    if person is None or person.is_bot:
        return False
    if policy.engineers:
        return on_roster(person, policy)
    return not person.same_as(editor)


def judge_change(
    change: ChangeContext, comments: Sequence[Comment], links: Sequence[Link], policy: Policy
) -> Judgement:
    """The verdict on one AC change: ``evidence`` is what counted, ``considered`` what was
    looked at and did not count, with why (kept for discussed changes too)."""
    if change.kind is not ChangeKind.SUBSTANTIVE:
        return Judgement(Verdict.COSMETIC, _cosmetic_reason(change.kind))
    counted: list[Evidence] = []
    considered: list[Considered] = []
    if on_roster(change.editor, policy) and change.editor is not None:
        counted.append(_engineer_edit(change.editor, change.first_at))
    for comment in comments:
        _sort_into(_judge_comment(comment, change, policy), counted, considered)
    for link in links:
        _sort_into(_judge_link(link, change, policy), counted, considered)
    counted.sort(key=_evidence_key)
    considered.sort(key=lambda c: (*_evidence_key(c.evidence), c.why_not))
    if counted:
        reason = _discussed_reason(counted, change)
        return Judgement(Verdict.DISCUSSED, reason, tuple(counted), tuple(considered))
    return Judgement(Verdict.FLAGGED, _flagged_reason(considered), (), tuple(considered))


UNSEEN = "not judged: the text before the edit was never seen"


def judge_unseen(
    change: ChangeContext,
    comments: Sequence[Comment],
    links: Sequence[Link],
    policy: Policy,
    first_seen: datetime,
) -> Judgement:
    """An edit the tracker knows of only from the API's history, made before it first
    saw the text: the verdict is ``unknown``. Everything in the window is listed as
    considered (what would have counted says so), so the reader can look for themselves."""
    looked = judge_change(
        ChangeContext(
            change.issue_key, change.first_at, change.last_at, change.editor, ChangeKind.SUBSTANTIVE
        ),
        comments,
        links,
        policy,
    )
    considered = [Considered(e, f"would count; {UNSEEN}") for e in looked.evidence]
    considered += [c for c in looked.considered if not c.why_not.startswith("outside")]
    considered.sort(key=lambda c: (*_evidence_key(c.evidence), c.why_not))
    who = change.editor.name if change.editor else "someone"
    looked_at = f"; {_plural(len(considered), 'comment or link')} in its window listed, not judged"
    reason = (
        f"unknown: {who} edited the text, but the tracker first saw it "
        f"{duration(first_seen - change.last_at)} later, so the text before the edit was "
        f"never seen" + (looked_at if considered else "")
    )
    return Judgement(Verdict.UNKNOWN, reason, (), tuple(considered))


def find_phrases(
    change: ChangeContext, comments: Sequence[Comment], policy: Policy
) -> tuple[Phrase, ...]:
    """Trust-eroding phrases in the comments inside the change's window."""
    found: list[Phrase] = []
    for comment in comments:
        if not _in_window(comment.created_at, change, policy) or is_nudge_text(comment.body):
            continue
        by = comment.author.name if comment.author else "unknown"
        for kind, quote in find_in_text(comment.body):
            found.append(Phrase(kind, quote, by, comment.created_at, SUGGESTIONS[kind]))
    return tuple(sorted(found, key=lambda p: (p.at or datetime.min, p.kind, p.by, p.quote)))


_Outcome = tuple[Evidence, str | None]  # why_not is None when the evidence counts


def _sort_into(outcome: _Outcome, counted: list[Evidence], considered: list[Considered]) -> None:
    evidence, why_not = outcome
    if why_not is None:
        counted.append(evidence)
    else:
        considered.append(Considered(evidence, why_not))


def _judge_comment(comment: Comment, change: ChangeContext, policy: Policy) -> _Outcome:
    author = comment.author
    marker = _marker(comment.body, policy)
    kind = EvidenceKind.MARKER if marker else EvidenceKind.COMMENT
    evidence = Evidence(
        kind=kind,
        at=comment.created_at,
        by=author.name if author else "unknown",
        url=comment.url,
        text=_snippet(comment.body),
        by_id=_person_id(author),
        by_editor=marker is not None and author is not None and author.same_as(change.editor),
    )
    if is_nudge_text(comment.body):
        # tracker's own nudge quotes the marker it asks for: never evidence.
        return evidence, "tracker's own nudge: never evidence"
    if not _in_window(comment.created_at, change, policy):
        return evidence, _outside(comment.created_at, change)
    if marker:
        return evidence, None
    if author is not None and author.same_as(change.editor):
        return evidence, "by the editor"
    if author is None:
        return evidence, "author unknown"
    if author.is_bot:
        return evidence, "by a bot"
    if not is_engineer(author, change.editor, policy):
        return evidence, "not by an engineer"
    return evidence, None


def _judge_link(link: Link, change: ChangeContext, policy: Policy) -> _Outcome:
    text = f"{link.target_key}: {link.title}" if link.target_key else link.title
    evidence = Evidence(
        kind=EvidenceKind(link.kind.value),
        at=link.added_at,
        by=link.added_by.name if link.added_by else "",
        url=link.url,
        text=_snippet(text),
        by_id=_person_id(link.added_by),
        by_editor=link.added_by is not None and link.added_by.same_as(change.editor),
    )
    if link.kind in _PATTERN_KINDS and not _matches_pattern(link, policy):
        return evidence, "no link pattern matched: title, type and labels name no impact work"
    if link.added_at is None:
        return evidence, "time unknown: the link may predate the change"
    if not _in_window(link.added_at, change, policy):
        return evidence, _outside(link.added_at, change)
    return evidence, None


def _matches_pattern(link: Link, policy: Policy) -> bool:
    haystack = " \n ".join((link.title, link.target_type, *link.target_labels)).lower()
    return any(_word(p).search(haystack) for p in policy.link_patterns if p.strip())


def _word(pattern: str) -> re.Pattern[str]:
    # Word-ish: not inside another word; a plural or a number may follow (ADRs, RFC12).
    return re.compile(r"(?<![a-z0-9])" + re.escape(pattern.strip().lower()) + r"(?:e?s)?(?![a-z])")


def _marker(body: str, policy: Policy) -> str | None:
    lowered = body.lower()
    return next((m for m in policy.markers if m.strip() and m.lower() in lowered), None)


def _in_window(at: datetime, change: ChangeContext, policy: Policy) -> bool:
    return change.first_at - policy.window_before <= at <= change.last_at + policy.window_after


def _outside(at: datetime, change: ChangeContext) -> str:
    return f"outside the window: {relative(at, change)}"


def relative(at: datetime, change: ChangeContext) -> str:
    """``3h after the change``, ``2d 4h before the change``, ``during the change``."""
    if at < change.first_at:
        return f"{duration(change.first_at - at)} before the change"
    if at > change.last_at:
        return f"{duration(at - change.last_at)} after the change"
    return "during the change"


def duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes and hours < 3 else f"{hours}h"
    return f"{minutes}m" if minutes else "under a minute"


def _engineer_edit(editor: Person, at: datetime) -> Evidence:
    return Evidence(
        kind=EvidenceKind.ENGINEER_EDIT,
        at=at,
        by=editor.name,
        url=None,
        text="the change was made by an engineer",
        by_id=_person_id(editor),
    )


def _person_id(person: Person | None) -> str:
    if person is None:
        return ""
    return person.email or person.id


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SNIPPET else flat[: _SNIPPET - 1] + "…"


def _evidence_key(e: Evidence) -> tuple[bool, datetime, str, str, str, str, str, bool]:
    return (
        e.at is None,
        e.at or datetime.min,
        e.kind.value,
        e.by,
        e.url or "",
        e.text,
        e.by_id,
        e.by_editor,
    )


def _cosmetic_reason(kind: ChangeKind) -> str:
    if kind is ChangeKind.NONE:
        return "cosmetic: the criteria did not change"
    return "cosmetic: only whitespace, markup, order, case, punctuation or typos changed"


_LABELS = {
    EvidenceKind.COMMENT: "comment",
    EvidenceKind.MARKER: "impact-marker comment",
    EvidenceKind.ISSUE_LINK: "linked issue",
    EvidenceKind.RELATION: "related issue",
    EvidenceKind.REMOTE_LINK: "remote link",
    EvidenceKind.ATTACHMENT: "attachment",
}


def _discussed_reason(counted: list[Evidence], change: ChangeContext) -> str:
    more = f" (+{len(counted) - 1} more)" if len(counted) > 1 else ""
    edit = next((e for e in counted if e.kind is EvidenceKind.ENGINEER_EDIT), None)
    if edit is not None:
        return f"discussed: the change was made by an engineer ({edit.by}){more}"
    others = [e for e in counted if not e.by_editor]
    if not others:
        return _editor_only_reason(counted, change, more)
    nearest = min(others, key=lambda e: (_gap(e, change), _evidence_key(e)))
    label = _LABELS[nearest.kind]
    if nearest.kind in (EvidenceKind.COMMENT, EvidenceKind.MARKER):
        who = f"{label} by {nearest.by}"
    else:
        who = f"{label} {nearest.text!r}" + (f" added by {nearest.by}" if nearest.by else "")
    when = relative(nearest.at, change) if nearest.at else "at an unknown time"
    return f"discussed: {who} {when}{more}"


def _editor_only_reason(counted: list[Evidence], change: ChangeContext, more: str) -> str:
    """Everything that counted was the editor's own doing: say so plainly."""
    nearest = min(counted, key=lambda e: (_gap(e, change), _evidence_key(e)))
    when = relative(nearest.at, change) if nearest.at else "at an unknown time"
    if nearest.kind is EvidenceKind.MARKER:
        did = f"the editor wrote an impact-marker comment {when}"
    else:
        did = f"the editor linked {nearest.text!r} ({_LABELS[nearest.kind]}) {when}"
    return f"discussed: {did}{more}; no engineer took part"


def _gap(e: Evidence, change: ChangeContext) -> timedelta:
    if e.at is None:
        return timedelta.max
    if e.at < change.first_at:
        return change.first_at - e.at
    return max(e.at - change.last_at, timedelta(0))


def _flagged_reason(considered: list[Considered]) -> str:
    if not considered:
        return "no engineering discussion: no comments or links to look at"
    comments = sum(1 for c in considered if c.evidence.kind in _COMMENT_KINDS)
    links = len(considered) - comments
    looked = " and ".join(
        _plural(n, word) for n, word in ((comments, "comment"), (links, "link")) if n
    )
    counts = Counter(c.why_not.split(":")[0] for c in considered)
    if len(counts) == 1:
        why = next(iter(counts))
        total = len(considered)
        why = why if total == 1 else f"{'both' if total == 2 else 'all'} {why}"
    else:
        why = ", ".join(f"{n} {why}" for why, n in sorted(counts.items(), key=_by_count))
    return f"no engineering discussion: {looked} looked at, {why}"


_COMMENT_KINDS = (EvidenceKind.COMMENT, EvidenceKind.MARKER)


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
