"""Which flagged changes are due a nudge, and the words of the nudge (pure).

The wording follows the rule tracker makes visible (*before you communicate a
requirement change, understand its engineering impact*): a nudge asks, it never blames.
It names the change (the criteria diff, short), says the sprint had started, asks what
it costs, and shows any trust-eroding phrase found around the change with the better
question. Every message ends with the mark that keeps tracker's own comment from ever
counting as the discussion it asks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from tracker.domain import Person, Sprint
from tracker.findings import ChangeFinding, CriteriaDiff, SprintReport, Verdict
from tracker.notify.model import (
    Block,
    Bullets,
    Link,
    Mention,
    Message,
    Nudge,
    Paragraph,
    Span,
    Text,
)
from tracker.policy import duration

QUESTION = (
    "Before this goes further: what does it cost the sprint? "
    "A comment with `#impact` here, or a link to the discussion, settles it."
)
# The same question where "here" would be a chat channel rather than the issue.
QUESTION_ELSEWHERE = QUESTION.replace(" here,", " on the issue,")
# A short diff: the first few criteria of each kind, each cut to a readable length.
MAX_ITEMS = 5
MAX_CRITERION = 220


def due_nudges(
    report: SprintReport,
    people: Iterable[Person],
    *,
    lead: str | None,
    now: datetime,
    delay: timedelta,
) -> list[Nudge]:
    """The flagged changes of ``report`` whose last save is at least ``delay`` old
    (a change still being written waits), oldest first. ``lead`` (an email, account id
    or name) is looked up among ``people`` the store knows for a mention."""
    lead_person = find_person(people, lead) if lead else None
    found = []
    for change in report.changes:
        if change.verdict is not Verdict.FLAGGED or now - change.changed_at < delay:
            continue
        found.append(to_nudge(report.sprint, change, lead_person))
    return found


def to_nudge(sprint: Sprint, change: ChangeFinding, lead: Person | None) -> Nudge:
    first = change.before.at or change.changed_at
    return Nudge(
        sprint=sprint,
        issue=change.issue,
        first_saved_at=first,
        last_saved_at=change.changed_at,
        editor=change.changed_by,
        lead=None if lead is not None and _same(lead, change.changed_by) else lead,
        diff=change.diff,
        phrases=change.phrases,
        defined_after_start=not change.before.criteria and bool(change.after.criteria),
        added_after_start=change.added_after_start,
        reason=change.reason,
    )


def find_person(people: Iterable[Person], wanted: str) -> Person:
    """The known person ``wanted`` names (email, account id or display name); else a
    person carrying just that name, which channels show as text."""
    needle = wanted.strip().lower()
    for person in people:
        if needle in person.identities():
            return person
    return Person(id="", name=wanted.strip(), email=wanted.strip() if "@" in wanted else None)


def _same(a: Person, b: Person | None) -> bool:
    return b is not None and bool(a.identities() & b.identities())


# -- the words ------------------------------------------------------------------------------


def compose(nudge: Nudge, *, on_issue: bool = True) -> Message:
    """The nudge as the editor reads it: on the issue itself, or (``on_issue=False``)
    in a chat channel, where the answer is still asked for on the issue."""
    blocks: list[Block] = [
        Paragraph(_opening(nudge)),
        Paragraph((Text("What changed:", bold=True),)),
    ]
    blocks.append(Bullets(diff_items(nudge.diff, nudge.issue.url)))
    blocks.append(Paragraph((Text(QUESTION if on_issue else QUESTION_ELSEWHERE),)))
    blocks.extend(_phrases(nudge))
    blocks.append(Paragraph((Text(footer(nudge)),)))
    title = f"{nudge.issue.key}: acceptance criteria changed after {nudge.sprint.name} started"
    return Message(title=title, blocks=tuple(blocks), url=nudge.issue.url or None)


def _opening(nudge: Nudge) -> tuple[Span, ...]:
    spans: list[Span] = []
    if nudge.editor is not None:
        spans += [Mention(nudge.editor), Text(", ")]
    if nudge.lead is not None:
        spans += [Mention(nudge.lead), Text(" (engineering lead), ")]
    spans.append(Text("a question about "))
    spans.append(
        Link(nudge.issue.url, nudge.issue.key) if nudge.issue.url else Text(nudge.issue.key)
    )
    spans.append(Text(f" ({nudge.issue.title}): " if nudge.issue.title else ": "))
    spans.append(Text(when_text(nudge)))
    return tuple(spans)


def when_text(nudge: Nudge) -> str:
    """``its acceptance criteria changed 2d 4h after Payments Sprint 42 started.``"""
    started = nudge.sprint.started_at
    into = f"{duration(nudge.first_saved_at - started)} after" if started else "after"
    what = (
        "its acceptance criteria were written"
        if nudge.defined_after_start
        else "its acceptance criteria changed"
    )
    tail = (
        " It was committed to the sprint before its criteria existed."
        if nudge.defined_after_start
        else ""
    )
    joined = " (it joined the sprint after the start)" if nudge.added_after_start else ""
    return f"{what} {into} {nudge.sprint.name} started{joined}.{tail}"


def diff_items(diff: CriteriaDiff, url: str) -> tuple[tuple[Span, ...], ...]:
    """The criteria diff, short: at most ``MAX_ITEMS`` of each kind, then a pointer."""
    items: list[tuple[Span, ...]] = []
    hidden = 0
    for label, texts in (("added", diff.added), ("removed", diff.removed)):
        for text in texts[:MAX_ITEMS]:
            items.append((Text(f"{label}:", bold=True), Text(f" {cut(text)}")))
        hidden += max(0, len(texts) - MAX_ITEMS)
    for mod in diff.modified[:MAX_ITEMS]:
        risk = f" ({'; '.join(mod.risks)})" if mod.risks else ""
        items.append(
            (Text("changed:", bold=True), Text(f" {cut(mod.before)} → {cut(mod.after)}{risk}"))
        )
    hidden += max(0, len(diff.modified) - MAX_ITEMS)
    if hidden:
        more: list[Span] = [Text(f"… and {hidden} more: ")]
        more.append(Link(url, "the full diff is on the issue") if url else Text("see the issue"))
        items.append(tuple(more))
    if not items:
        items.append((Text("the criteria were reworded"),))
    return tuple(items)


def _phrases(nudge: Nudge) -> list[Block]:
    if not nudge.phrases:
        return []
    items = tuple(
        (Text(f"“{p.quote}”", bold=True), Text(f" ({p.by}): {p.suggestion}")) for p in nudge.phrases
    )
    return [
        Paragraph((Text("Words around this change that can make it feel imposed:", bold=True),)),
        Bullets(items),
    ]


def footer(nudge: Nudge) -> str:
    return f"Asked by tracker for {nudge.sprint.name} · {nudge.mark}"


def cut(text: str, limit: int = MAX_CRITERION) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def plain_text(message: Message) -> str:
    """The message as plain text: the dry run's reading of it, and a test's."""
    lines: list[str] = []
    for block in message.blocks:
        if isinstance(block, Paragraph):
            lines.append(spans_text(block.spans))
        else:
            lines.extend(f"  • {spans_text(item)}" for item in block.items)
    return "\n".join(lines)


def spans_text(spans: Sequence[Span]) -> str:
    out = []
    for span in spans:
        if isinstance(span, Mention):
            out.append(f"@{span.person.name}")
        elif isinstance(span, Link):
            out.append(span.text)
        else:
            out.append(span.text)
    return "".join(out)
