"""Classified lines of an AC section → criteria.

One criterion is: a top-level list item (its nested items are folded into it, joined by
``;``, so adding a sub-bullet modifies its parent rather than inventing a criterion out of
context), a Given/When/Then scenario (steps may span lines or bullets), a ``Scenario:``
or ``AC1``-style block (everything up to the next block, heading or rule; the ``AC1``
number itself is dropped so renumbering is not a change), a table row, a code block, or a
paragraph of text (lines hard-wrapped into one, see ``_wrapped``). Headings and labels
inside the section are structure and are dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker.ac._inline import strip_markup
from tracker.ac._lines import Kind, Line

_STRUCTURE = {Kind.HEADING, Kind.HR, Kind.MACRO, Kind.PANEL_END, Kind.HEADER_ROW}
_LISTISH = {"item", "gwt", "scenario", "numbered"}
_OPEN_KIND = {Kind.ITEM: "item", Kind.ROW: "row", Kind.CODE: "code"}
_PROSE = {"text", "item", "gwt", "numbered"}
# Editors and mail clients wrap at 72-80 columns, which leaves lines of 60 and more.
_WRAPPED_WIDTH = 60
# Words no sentence (so no criterion) ends on.
_DANGLING_WORDS = (
    "a an the to of and or for with in on at by from into onto than that which who whose "
    "is are be was were has have will must should can may when if via per as"
)
_DANGLING = frozenset(_DANGLING_WORDS.split())


@dataclass(frozen=True, slots=True)
class Criterion:
    text: str
    kind: str  # item | gwt | scenario | numbered | text | row | code
    lines: tuple[Line, ...]
    steps: frozenset[str] = frozenset()

    @property
    def raw(self) -> tuple[str, ...]:
        return tuple(line.raw for line in self.lines)


@dataclass
class _Open:
    kind: str
    level: int
    parts: list[str]
    lines: list[Line]
    absorbs: bool = False  # a block started by a label swallows what follows
    steps: set[str] = field(default_factory=set)
    blank: bool = False

    def add(self, text: str, line: Line, sep: str = " ") -> None:
        self.parts.append(sep + text)
        self.lines.append(line)
        self.blank = False


def split_criteria(lines: Sequence[Line]) -> list[Criterion]:
    return list(_split(tuple(lines)))


@functools.lru_cache(maxsize=16_384)
def _split(lines: tuple[Line, ...]) -> tuple[Criterion, ...]:
    # memoised: the same AC is split for its diff and for display
    out: list[Criterion] = []
    cur: _Open | None = None
    for line in lines:
        if line.kind is Kind.BLANK:
            if cur:
                cur.blank = True
            continue
        if cur is not None and _joins(cur, line):
            nested = line.kind is Kind.ITEM and not cur.absorbs
            cur.add(_joined_text(line), line, "; " if nested else " ")
            if line.kind is Kind.GWT:
                cur.steps.add(line.keyword)
            continue
        _flush(cur, out)
        cur = _start(line)
    _flush(cur, out)
    return tuple(out)


def _start(line: Line) -> _Open | None:
    kind = line.kind
    if kind in _STRUCTURE or (kind is Kind.LABEL and not line.rest):
        return None
    if kind is Kind.LABEL:
        return _Open("text", 0, [f"{line.text}: {line.rest}"], [line])
    if kind is Kind.BLOCK:
        absorbs = line.style != "item"
        return _Open(line.keyword, line.level, [line.text], [line], absorbs=absorbs)
    if kind is Kind.GWT:
        return _Open("gwt", line.level, [line.text], [line], steps={line.keyword})
    return _Open(_OPEN_KIND.get(kind, "text"), line.level, [line.text], [line])


def _joined_text(line: Line) -> str:
    if line.kind is Kind.LABEL:
        return f"{line.text}: {line.rest}" if line.rest else f"{line.text}:"
    return line.text


def _joins(cur: _Open, line: Line) -> bool:
    if cur is None or line.kind in _STRUCTURE or line.kind is Kind.BLOCK:
        return False
    if cur.absorbs:  # a Scenario's Examples: table and its rows belong to it
        return line.kind is not Kind.LABEL or line.style == "plain"
    if line.kind is Kind.ROW or (line.kind is Kind.LABEL and not line.rest):
        return False
    if line.kind is Kind.GWT:
        return _joins_step(cur, line.keyword)
    if line.kind is Kind.ITEM:
        return cur.kind in _LISTISH and cur.level > 0 and line.level > cur.level
    if line.kind is Kind.CODE:
        return cur.kind == "code"
    if cur.blank or line.kind is not Kind.TEXT:
        return False
    # text continues an item or scenario when indented under it, and any block when the
    # line before it was hard-wrapped: re-wrapping a paragraph changes no criterion
    return (line.indent >= 2 and cur.kind in _LISTISH) or (
        cur.kind in _PROSE and _wrapped(cur.lines[-1].raw, line.text, lazy=cur.kind != "text")
    )


def _wrapped(before: str, text: str, *, lazy: bool) -> bool:
    """Whether ``text`` carries on the line ``before`` (no blank line between): the line
    before does not end a sentence, and either ``text`` starts in lower case or ``before``
    ends on a word no sentence ends on ("the", "to", "and"). Plain AC are often written
    one per line without bullets, each line a capitalised sentence: those stay apart.
    ``lazy``: ``before`` is a list item's or step's line, which only a line wrapped at
    editor width continues (Jira renders a line under a bullet as a paragraph of its own)."""
    before = before.rstrip()
    if not before or before.endswith((".", "!", "?", ":", ";", "|")):
        return False
    if lazy and len(before.strip()) < _WRAPPED_WIDTH:
        return False
    last = before.rsplit(None, 1)[-1].lower()
    return text[:1].islower() or last in _DANGLING


def _joins_step(cur: _Open, keyword: str) -> bool:
    if cur.kind == "item":
        return keyword in ("and", "but") and not cur.blank
    if cur.kind not in ("gwt", "scenario", "numbered"):
        return False
    steps = cur.steps
    if cur.blank and "then" in steps and keyword in ("given", "when"):
        return False  # a finished scenario, a blank line: what follows is new
    if keyword == "given":
        return not steps & {"when", "then"}
    if keyword == "when":
        return bool(steps & {"given", "then"}) or cur.kind != "gwt"
    if keyword == "then":
        return bool(steps & {"given", "when"}) or cur.kind != "gwt"
    return bool(steps) or cur.kind != "gwt"


def _flush(cur: _Open | None, out: list[Criterion]) -> None:
    if cur is None:
        return
    text = strip_markup("".join(cur.parts).strip())
    text = text.strip(" ;")
    if text:
        out.append(Criterion(text, cur.kind, tuple(cur.lines), frozenset(cur.steps)))
