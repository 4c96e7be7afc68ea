"""Phrases that erode a team's trust when a requirement changes, and what to ask instead.

Three kinds, looked for in comments inside the change's window:

- ``simple``: "it should be simple", "should be easy", "a simple/quick/small change",
  "a minor tweak", "just a small fix", "shouldn't take long". Asserting the size of work
  you have not asked about is what makes a mid-sprint change feel imposed.
- ``just``: "can we just ...", "could we just ...", "we just need to ...", "why don't we
  just ...". "Just" shrinks the request before anyone has looked at it.
- ``deadline``: "the deadline doesn't change", "the deadline stays", "the date doesn't
  move", "we still ship by Friday", "same deadline". A fixed date plus new scope is a
  trade-off someone has to make; saying so opens it.
"""

from __future__ import annotations

import re

SUGGESTIONS = {
    "simple": (
        "Ask how complex it is instead of asserting it is simple: "
        '"How big a change is this for you?"'
    ),
    "just": (
        'Ask "would it be possible to ...?" instead of "can we just ...?", '
        "and leave room for the answer to be no."
    ),
    "deadline": (
        "If the date is fixed, ask what the team would need to hit it "
        "and which trade-offs you should know about."
    ),
}

_SIZE = r"(?:simple|easy|trivial|straightforward|quick|small|tiny|minor|one[- ]liner?)"
_WORK = r"(?:change|tweak|fix|edit|adjustment|addition|ask)"
_DEGREE = r"(?:really |very |pretty |super |quite |fairly |just |only |a |an )*"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "simple",
        re.compile(
            r"\b(?:it|this|that)\s+(?:should|will|would|must|ought to)\s+be\s+"
            + _DEGREE
            + _SIZE
            + r"\b|\b(?:it's|that's|this is|it is|that is)\s+"
            + _DEGREE
            + _SIZE
            + r"\b|\bshould\s+be\s+(?:simple|easy|trivial|straightforward)\b"
            r"(?!\s+to\s+(?:use|read|understand|find|navigate|learn|spot|scan))"
            r"|\b" + _SIZE + r"\s+" + _WORK + r"\b"
            r"|\b(?:shouldn't|should not|won't|will not)\s+take\s+(?:long|much)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "just",
        re.compile(
            r"\b(?:can|could|can't|couldn't)\s+(?:we|you|they|someone|engineering|dev)\s+just\b"
            r"|\b(?:we|you|they|it)\s+(?:just|only|simply)\s+(?:need|needs|have|has)\s+to\b"
            r"|\bjust\s+(?:need|needs)\s+to\b"
            r"|\bwhy\s+(?:don't|do not|not)\s+(?:we|you)?\s*just\b",
            re.IGNORECASE,
        ),
    ),
    (
        "deadline",
        re.compile(
            r"\b(?:deadline|date|release date|launch date|due date|timeline)\s+"
            r"(?:doesn't|does not|won't|will not|can't|cannot|isn't|is not)\s+"
            r"(?:change|move|moving|changing|slip|going to (?:change|move))\b"
            r"|\b(?:deadline|date|timeline)\s+(?:stays|remains|is fixed|is unchanged|is the same)"
            r"|\bsame\s+(?:deadline|date|timeline|release date)\b"
            r"|\bstill\s+(?:ship|launch|release|deliver|go live|land)\s+(?:by|on|this)\b"
            r"|\bno\s+change\s+to\s+the\s+(?:deadline|date|timeline)\b",
            re.IGNORECASE,
        ),
    ),
)
_MAX_QUOTE = 160


def find_in_text(text: str) -> list[tuple[str, str]]:
    """(kind, quote) for each kind of phrase in ``text``; the first sentence per kind."""
    normalised = text.replace("\u2019", "'")
    found: list[tuple[str, str]] = []
    for kind, pattern in _PATTERNS:
        match = pattern.search(normalised)
        if match:
            found.append((kind, _quote(normalised, match.start(), match.end())))
    return found


def _quote(text: str, start: int, end: int) -> str:
    """The sentence around the match, cut to a readable length."""
    left = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    sentence = " ".join(text[left:right].split())
    if len(sentence) <= _MAX_QUOTE:
        return sentence
    snippet = " ".join(text[max(start - 40, 0) : end + 80].split())
    return "…" + snippet[: _MAX_QUOTE - 2] + "…"
