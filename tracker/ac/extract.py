"""Find the acceptance criteria in a field's text and split them into criteria.

Formats: Jira wiki markup (``h1.``-``h6.``, ``*bold*`` labels, ``*``/``#`` lists nested as
``**``/``##``, ``{panel}``/``{code}``/``{noformat}``, ``||h||``/``|c|`` tables, ``\\r\\n``),
markdown (ATX and setext headings, ``- [ ]`` checkboxes, ``1.``/``1)`` lists, ``**AC:**``
labels), Jira v3 ADF (a dict or its JSON; rendered to markdown first) and plain text
(``AC:``, ``AC1 ...``, Given/When/Then, ``Scenario:``).

The section
    starts at a heading, bold label, ``Label:`` line or titled ``{panel}`` whose title is
    one of ``headings`` (case-insensitive, trailing punctuation ignored; ``Acceptance
    Criteria (v2)`` matches too). Every matching section of a text is taken, in order.
    A section under a real heading (``h3.``, ``###``) ends at the next heading of the same
    or a higher level, at a rule (``----``) or at a label that names another known section
    (``*Notes*``, ``Out of scope:``); bold labels inside it are sub-groups. A section under
    a label ends at any heading, rule or other bold label, or a ``Label:`` line that names
    another known section. A section opened by ``{panel:title=...}`` also ends with the panel.

No heading (``whole_field=False``)
    Only Given/When/Then scenarios, ``Scenario:`` blocks and ``AC1``-numbered criteria
    count; the rest of the description is narrative. Without this rule, any bullet list in
    a description (steps to reproduce, notes) would read as AC, and every edit of it as a
    change: we would rather miss an unlabelled list than flag edits that are not to AC.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tracker.ac._adf import parse_adf, render_adf
from tracker.ac._lines import Kind, Line, classify, classify_line
from tracker.ac._split import Criterion, split_criteria

DEFAULT_HEADINGS: tuple[str, ...] = (
    "acceptance criteria",
    "acceptance criterion",
    "ac",
    "definition of done",
)

# Section names that end an AC section when they appear as a label inside it.
_OTHER_SECTIONS = (
    "notes", "note", "out of scope", "not in scope", "non-goals", "non goals", "open questions",
    "questions", "dependencies", "design", "designs", "technical notes", "tech notes",
    "implementation notes", "implementation", "background", "context", "description", "summary",
    "links", "references", "resources", "risks", "assumptions", "test notes", "testing notes",
    "qa notes", "test plan", "definition of ready", "attachments", "steps to reproduce",
    "expected result", "expected results", "actual result", "actual results", "user story",
    "problem", "solution", "scope", "mockups", "screenshots", "analytics", "rollout",
    "release notes", "additional information", "additional info", "follow-ups", "follow ups",
)  # fmt: skip
_FALLBACK_KINDS = ("scenario", "numbered")
# Headings that name AC only where nothing else does.
_SECONDARY = ("definition of done", "dod")
_TITLE_TRIM = re.compile(r"^[\W_]+|[\W_]+$")

AcText = str | Mapping[str, Any] | None

# Beyond these the AC is "too large to diff": the issue is reported as such and the rest
# of the sprint is judged. A Jira text field holds 32,767 characters unless an admin
# raised it, and real AC run to dozens of criteria; the limits sit far above both while
# keeping one hostile field from costing a report minutes (aligning criteria compares
# every unmatched pair).
MAX_FIELD_CHARS = 100_000
MAX_CRITERIA = 500


class AcTooLarge(ValueError):
    """A text past ``MAX_FIELD_CHARS`` (as rendered) or ``MAX_CRITERIA``."""


def is_too_large(text: AcText, *, whole_field: bool = True) -> bool:
    """Whether the tracker declines to diff ``text`` (see ``MAX_FIELD_CHARS``)."""
    try:
        _lines(text)
    except AcTooLarge:
        return True
    return len(extract_criteria(text, whole_field=whole_field)) > MAX_CRITERIA


def extract_ac_section(text: AcText, headings: Sequence[str] = DEFAULT_HEADINGS) -> str | None:
    """The raw AC section of a description (None when it has none or is too large)."""
    try:
        lines = _lines(text)
    except AcTooLarge:
        return None
    if lines is None:
        return None
    section = _section_lines(lines, headings)
    if section is not None:
        return "\n".join(line.raw for line in section)
    fallback = _fallback(split_criteria(lines))
    return "\n".join("\n".join(c.raw) for c in fallback) if fallback else None


def extract_criteria(
    text: AcText, *, whole_field: bool, headings: Sequence[str] = DEFAULT_HEADINGS
) -> tuple[str, ...]:
    """The criteria, in order, normalised for display (markup stripped, whitespace
    collapsed). ``whole_field``: the text is a dedicated AC field and all of it is AC.
    Empty for a text past ``MAX_FIELD_CHARS``: it is not read at all."""
    if text is None or isinstance(text, str):
        # memoised: a report extracts each version for its baseline, diffs and display
        return _criteria_of_str(text, whole_field, tuple(headings))
    return _extract_criteria(text, whole_field, tuple(headings))


@functools.lru_cache(maxsize=16_384)
def _criteria_of_str(
    text: str | None, whole_field: bool, headings: tuple[str, ...]
) -> tuple[str, ...]:
    return _extract_criteria(text, whole_field, headings)


def _extract_criteria(
    text: AcText, whole_field: bool, headings: tuple[str, ...]
) -> tuple[str, ...]:
    try:
        lines = _lines(text)
    except AcTooLarge:
        return ()
    if lines is None:
        return ()
    if whole_field:
        return tuple(c.text for c in split_criteria(lines))
    section = _section_lines(lines, headings)
    if section is not None:
        return tuple(c.text for c in split_criteria(section))
    return tuple(c.text for c in _fallback(split_criteria(lines)))


def ac_lines(text: AcText, *, whole_field: bool, headings: Sequence[str]) -> list[Line] | None:
    """The classified lines that make up the AC (None when there is no AC).
    Raises ``AcTooLarge`` for a text past ``MAX_FIELD_CHARS``."""
    lines = _lines(text)
    if lines is None or whole_field:
        return lines
    section = _section_lines(lines, headings)
    if section is not None:
        return section
    fallback = _fallback(split_criteria(lines))
    if not fallback:
        return None
    blank = Line(Kind.BLANK, "")
    return [line for c in fallback for line in (*c.lines, blank)][:-1]


def _lines(text: AcText) -> list[Line] | None:
    if isinstance(text, str):
        found = _lines_of_str(text)
        return list(found) if found is not None else None
    return _lines_uncached(text)


@functools.lru_cache(maxsize=16_384)
def _lines_of_str(text: str) -> tuple[Line, ...] | None:
    # memoised: a report classifies each version for its diff and for display
    lines = _lines_uncached(text)
    return tuple(lines) if lines is not None else None


def _lines_uncached(text: AcText) -> list[Line] | None:
    if text is None:
        return None
    doc = parse_adf(text)
    if doc is not None:
        rendered = render_adf(doc)
        if len(rendered) > MAX_FIELD_CHARS:
            raise AcTooLarge(len(rendered))
        return classify(rendered, wiki=False)
    if not isinstance(text, str) or not text.strip():
        return None
    if len(text) > MAX_FIELD_CHARS:
        raise AcTooLarge(len(text))
    return classify(text)


def _fallback(criteria: list[Criterion]) -> list[Criterion]:
    return [
        c
        for c in criteria
        if c.kind in _FALLBACK_KINDS or ("then" in c.steps and c.steps & {"given", "when"})
    ]


def title_key(title: str) -> str:
    return " ".join(_TITLE_TRIM.sub("", title.lower()).split())


def is_ac_title(title: str, headings: Sequence[str]) -> bool:
    return _is_ac_title(title, tuple(headings))


@functools.lru_cache(maxsize=16_384)
def _is_ac_title(title: str, headings: tuple[str, ...]) -> bool:
    # memoised: every heading and label of every version is asked about
    key = title_key(title)
    for heading in headings:
        h = title_key(heading)
        if key in (h, h + "s") or re.match(re.escape(h) + r"s?\W", key):
            return True
    return False


def _is_other_section(title: str) -> bool:
    key = title_key(title)
    return any(key == name or key.startswith(name + " ") for name in _OTHER_SECTIONS)


def _section_lines(lines: list[Line], headings: Sequence[str]) -> list[Line] | None:
    """The lines of every AC section, in order; a "Definition of Done" section only when
    the text has no other AC section (teams that write both mean the AC by the AC)."""
    sections: list[tuple[bool, list[Line]]] = []  # (a Definition of Done?, lines)
    start: Line | None = None
    prev: Line | None = None
    for line in lines:
        if start is not None and (_ends(start, line) or _list_over(start, prev, line, sections)):
            start = None
        if line.kind in (Kind.HEADING, Kind.LABEL) and is_ac_title(line.text, headings):
            secondary = is_ac_title(line.text, _SECONDARY)
            if start is None or secondary != sections[-1][0]:
                start = line
                sections.append((secondary, []))
            if line.rest:  # **AC:** the first criterion on the label's line
                sections[-1][1].append(classify_line(line.rest, wiki=False))
        elif start is not None:
            sections[-1][1].append(line)
        prev = line
    if not sections:
        return None
    primary = [found for secondary, found in sections if not secondary]
    return [line for found in (primary or [f for _, f in sections]) for line in found]


def _ends(start: Line, line: Line) -> bool:
    kind = line.kind
    if kind is Kind.HR:
        return True
    if kind is Kind.PANEL_END:
        return start.style == "panel" and line.level < start.level
    if kind is Kind.HEADING:
        return start.kind is not Kind.HEADING or line.level <= start.level
    if kind is not Kind.LABEL:
        return False
    if line.style == "plain":
        return not line.rest and _is_other_section(line.text)
    if start.kind is Kind.HEADING:
        return _is_other_section(line.text)
    return True


def _list_over(
    start: Line, prev: Line | None, line: Line, sections: list[tuple[bool, list[Line]]]
) -> bool:
    """A plain ``AC:`` section that was a list ends at the first paragraph after it:
    plain text has no other way to say where the criteria stop."""
    if start.style != "plain" or line.kind is not Kind.TEXT or not sections[-1][1]:
        return False
    listed = any(f.kind is Kind.ITEM for f in sections[-1][1])
    return listed and prev is not None and prev.kind is Kind.BLANK and line.indent < 2
