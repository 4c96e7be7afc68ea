"""Word highlights for reworded criteria: which runs of a text to show as removed/added.

``Modified.removed_words``/``added_words`` list the changed words in reading order, as
written (a quantity may be two words, ``2 seconds``). They are found in the text in that
order, so the right one of two equal words is marked; adjacent marked words merge into
one run. The output is plain segments: the template escapes them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.findings import Modified


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    marked: bool


def _pattern(word: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(part) for part in word.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _find(text: str, word: str, cursor: int, taken: list[tuple[int, int]]) -> re.Match[str] | None:
    """The first occurrence from ``cursor`` on, else the first one not yet marked."""
    pattern = _pattern(word)
    found = pattern.search(text, cursor)
    if found:
        return found
    for match in pattern.finditer(text):
        if all(match.end() <= start or match.start() >= end for start, end in taken):
            return match
    return None


def _spans(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = 0
    for word in words:
        if not word.strip():
            continue
        match = _find(text, word.strip(), cursor, spans)
        if match:
            spans.append(match.span())
            cursor = match.end()
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark_words(text: str, words: Sequence[str]) -> list[Segment]:
    """``text`` cut into segments, the runs made of ``words`` marked."""
    segments: list[Segment] = []
    position = 0
    for start, end in _spans(text, words):
        if start > position:
            segments.append(Segment(text[position:start], False))
        segments.append(Segment(text[start:end], True))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments


def changed_words(modified: Modified) -> tuple[Sequence[str], Sequence[str]]:
    """The words removed and added; computed here when the diff did not name them."""
    if modified.removed_words or modified.added_words:
        return modified.removed_words, modified.added_words
    before, after = modified.before.split(), modified.after.split()
    removed: list[str] = []
    added: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op != "equal":
            removed += before[a1:a2]
            added += after[b1:b2]
    return removed, added
