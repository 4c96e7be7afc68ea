"""Classify each line of an AC-bearing text: heading, label, list item, table row, ...

One classifier serves Jira wiki markup, markdown (Linear, and ADF rendered by ``_adf``)
and plain text. The only real ambiguity is ``# text``: a numbered item in wiki markup, a
heading in markdown. The dialect decides, and it is chosen once per text from signals
only wiki markup has (``h3.``, ``{code}``, ``||`` tables, ``*bold*`` labels, runs of
``#`` lines).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum

from tracker.ac._inline import strip_check, strip_markup


class Kind(Enum):
    BLANK = "blank"
    HEADING = "heading"  # text=title, level=1..6
    LABEL = "label"  # text=title, rest=inline content, style=bold|plain|panel
    HR = "hr"
    ITEM = "item"  # text=content, level=list depth
    ROW = "row"  # text=cells joined
    HEADER_ROW = "header_row"
    GWT = "gwt"  # keyword=given|when|then|and|but
    BLOCK = "block"  # keyword=scenario|numbered: starts one criterion
    TEXT = "text"
    CODE = "code"
    MACRO = "macro"  # a {panel}-like opener without a title: structure only
    PANEL_END = "panel_end"

    # Members are singletons, equal only to themselves, so identity is a sound hash.
    # Enum's own hashes the name in Python, and every line is hashed for the memoised
    # split and tested against sets of kinds: a tenth of parsing went to it.
    __hash__ = object.__hash__


@dataclass(frozen=True, slots=True)
class Line:
    kind: Kind
    raw: str
    text: str = ""
    level: int = 0
    rest: str = ""
    style: str = ""
    keyword: str = ""
    indent: int = 0


_WIKI_HEADING = re.compile(r"^\s*h([1-6])\.\s*(.*)$")
_ATX = re.compile(r"^\s{0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_WIKI_HR = re.compile(r"^\s*-{4,}\s*$")
_MD_HR = re.compile(r"^\s{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)[ \t]*([^`\s]*)")
_WIKI_CODE = re.compile(r"^\s*\{(code|noformat)(?::([^}]*))?\}(.*)$")
_GHERKIN_LANGUAGES = frozenset({"gherkin", "cucumber", "feature", "behave"})
_GHERKIN_SCENARIO = re.compile(
    r"^(scenario outline|scenario template|scenario|example|background)\s*:\s*(.*)$", re.IGNORECASE
)
_GHERKIN_HEAD = re.compile(r"^(?:feature|rule|ability|business need)\s*:", re.IGNORECASE)
_MACRO = re.compile(r"^\s*\{(panel|expand|quote|info|note|tip|warning)(?::([^}]*))?\}(.*)$")
# Possessive runs: a long run of blanks must not be split between two `\s*` (quadratic).
_ROW_SEP = re.compile(r"^\s*+\|?+\s*+:?-{3,}:?\s*+(?:\|\s*+:?-{3,}:?\s*+)*+\|?\s*+$")
_WIKI_ITEM = re.compile(r"^(\s*)([*#]+|[-•])\s+(.*)$")
_MD_ITEM = re.compile(r"^(\s*)([-*+•‣◦▪]|\d{1,3}[.)]|[a-z][.)]|\(\d{1,3}\))\s+(.*)$")
_BOLD_LABEL = re.compile(r"^(\*\*|__|\*)(?=\S)(.+?)(?<=\S)\1(.*)$")
_PLAIN_LABEL = re.compile(r"^([A-Za-z][A-Za-z0-9 /&'()\-]{0,48}?)\s*:\s*(.*)$")
_GWT = re.compile(r"^(given|when|then|and|but)\b", re.IGNORECASE)
_SCENARIO = re.compile(
    r"^scenario(?: outline)?(?![a-z])(?:\s*\d{1,3}[a-z]?)?\s*[:.\-–—]?\s*(.*)$", re.IGNORECASE
)
_NUMBERED = re.compile(
    r"^(?:ac|criterion|criteria)[\s\-#]?\d{1,3}[a-z]?(?![\w])\s*[:.)\-–—]?\s*(.*)$", re.IGNORECASE
)
_LEAD_MARKS = re.compile(r"^(?:\*\*|__|\*|_)+")
_WIKI_SIGNALS = re.compile(
    r"^[ \t]*h[1-6]\.\s|\{(?:code|noformat|panel|quote|color|expand)[:}]|^[ \t]*\|\||\{\{"
    r"|^[ \t]*\*[^*\s][^*\n]*\*[ \t]*:?[ \t]*$|\[[^\[\]\n|]+\|[^\[\]\n]+\]",
    re.MULTILINE,
)
_HASH_RUN = re.compile(r"^#+\s+\S.*\n#+\s+\S", re.MULTILINE)


def is_wiki(text: str) -> bool:
    """Jira wiki markup rather than markdown or plain text."""
    return bool(_WIKI_SIGNALS.search(text) or _HASH_RUN.search(text))


def classify(text: str, *, wiki: bool | None = None) -> list[Line]:
    """Every line of ``text`` (``\\r\\n`` already or not normalised) with its kind."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    if wiki is None:
        wiki = is_wiki(text)
    out: list[Line] = []
    fence: str | None = None  # the closing token while inside a code block
    gherkin: list[bool] | None = None  # inside a Gherkin block: [a scenario has begun]
    open_macros: list[str] = []
    raws = text.split("\n")
    for n, raw in enumerate(raws):
        if fence is not None:
            if raw.strip().startswith(fence):
                fence = None
                if gherkin is not None:  # structure, so the last scenario ends here
                    out.append(Line(Kind.MACRO, raw))
                    gherkin = None
            elif gherkin is not None:
                out.append(_gherkin_line(raw, gherkin))
            else:
                out.append(Line(Kind.CODE, raw, raw.strip()))
            continue
        if not wiki and (m := _FENCE.match(raw)):
            fence = m.group(1)
            gherkin = [False] if _is_gherkin(m.group(2), raws, n + 1, fence) else None
            out.append(Line(Kind.MACRO, raw))  # a code block is a criterion of its own
            continue
        if wiki and (m := _WIKI_CODE.match(raw)):
            out.append(Line(Kind.MACRO, raw))
            body, sep, _ = m.group(3).partition("{" + m.group(1) + "}")
            if body.strip():
                out.append(Line(Kind.CODE, raw, body.strip()))
            if not sep:
                fence = "{" + m.group(1) + "}"
                gherkin = [False] if _is_gherkin(m.group(2), raws, n + 1, fence) else None
            continue
        if wiki and (m := _MACRO.match(raw)):
            out.extend(_macro(raw, m, open_macros))
            continue
        if not wiki and _SETEXT.match(raw) and _setext_target(out):
            prev = out.pop()
            out.append(Line(Kind.HEADING, prev.raw + "\n" + raw, prev.raw.strip(), level=2))
            if raw.strip().startswith("="):
                out[-1] = Line(Kind.HEADING, out[-1].raw, out[-1].text, level=1)
            continue
        out.append(classify_line(raw, wiki=wiki))
    return _mark_header_rows(out)


def _is_gherkin(info: str | None, raws: list[str], start: int, fence: str) -> bool:
    """A code block of Gherkin: labelled so (```` ```gherkin ````, ``{code:gherkin}``,
    ``{code:language=gherkin|title=…}``), or unlabelled (``{noformat}``, a bare fence,
    ``{code:title=…}``) with a ``Scenario:`` inside."""
    language = _language(info or "")
    if language in _GHERKIN_LANGUAGES:
        return True
    if language not in ("", "none", "text", "plain", "plaintext"):
        return False
    for n in range(start, len(raws)):  # each block is looked through once
        stripped = raws[n].strip()
        if stripped.startswith(fence):
            return False
        if _GHERKIN_SCENARIO.match(stripped):
            return True
    return False


def _language(info: str) -> str:
    """The language of a fence's info string (its first word) or of a wiki code macro's
    parameters (a bare first parameter, or ``language=``)."""
    for part in info.split("|"):
        key, eq, value = part.partition("=")
        if not eq:
            words = key.split()
            return words[0].lower() if words else ""
        if key.strip().lower() == "language":
            return value.strip().lower()
    return ""


def _gherkin_line(raw: str, begun: list[bool]) -> Line:
    """A line inside a Gherkin block. Each Scenario (Outline), Example or Background is a
    criterion that takes its steps, Examples table and notes; the Feature line, its
    description, tags and comments are structure."""
    stripped = raw.strip()
    if m := _GHERKIN_SCENARIO.match(stripped):
        begun[0] = True
        keyword = m.group(1).lower()
        title = "Background" if keyword == "background" else "Scenario"
        return Line(Kind.BLOCK, raw, f"{title}: {m.group(2)}", keyword="scenario")
    if not stripped:
        return Line(Kind.BLANK, raw)
    if stripped.startswith(("#", "@")) or _GHERKIN_HEAD.match(stripped):
        return Line(Kind.MACRO, raw)
    line = classify_line(raw, wiki=False)
    if line.kind is Kind.GWT:
        begun[0] = True
    elif not begun[0]:
        return Line(Kind.MACRO, raw)  # the Feature's description
    return line


def _setext_target(out: list[Line]) -> bool:
    return bool(out) and out[-1].kind is Kind.TEXT and not out[-1].raw.startswith("    ")


def _macro(raw: str, m: re.Match[str], open_macros: list[str]) -> list[Line]:
    name, params, rest = m.group(1), m.group(2) or "", m.group(3)
    lines: list[Line] = []
    if name in open_macros and not params:
        open_macros.remove(name)
        lines.append(Line(Kind.PANEL_END, raw, level=len(open_macros)))
    else:
        open_macros.append(name)
        title = _macro_title(params)
        kind = Kind.LABEL if title else Kind.MACRO
        lines.append(Line(kind, raw, title, level=len(open_macros), style="panel"))
    if rest.strip():
        lines.append(classify_line(rest, wiki=True))
    return lines


def _macro_title(params: str) -> str:
    for part in params.split("|"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "title":
            return strip_markup(value)
    return ""


def _mark_header_rows(lines: list[Line]) -> list[Line]:
    """A markdown table's first row is its header: the separator row below says so."""
    out: list[Line] = []
    for line in lines:
        if line.kind is Kind.TEXT and "|" in line.raw and _ROW_SEP.match(line.raw):
            if out and out[-1].kind is Kind.ROW:
                out[-1] = Line(Kind.HEADER_ROW, out[-1].raw, out[-1].text)
            continue
        out.append(line)
    return out


def classify_line(raw: str, *, wiki: bool) -> Line:
    return _classify_line(raw, wiki)


@functools.lru_cache(maxsize=65_536)
def _classify_line(raw: str, wiki: bool) -> Line:
    # memoised: successive versions of an AC share most of their lines
    stripped = raw.strip()
    indent = len(raw) - len(raw.lstrip(" "))
    if not stripped:
        return Line(Kind.BLANK, raw)
    if m := _WIKI_HEADING.match(raw) if wiki else _ATX.match(raw):
        return Line(Kind.HEADING, raw, strip_markup(m.group(2) or ""), level=_level(m.group(1)))
    if (_WIKI_HR if wiki else _MD_HR).match(raw) or (not wiki and _WIKI_HR.match(raw)):
        return Line(Kind.HR, raw)
    if stripped.startswith("||"):
        return Line(Kind.HEADER_ROW, raw, _cells(stripped))
    if stripped.startswith("|") and not _ROW_SEP.match(stripped):
        return Line(Kind.ROW, raw, _cells(stripped))
    if m := (_WIKI_ITEM if wiki else _MD_ITEM).match(raw) or _MD_ITEM.match(raw):
        return _item(raw, m, wiki=wiki)
    return _content(raw, stripped, indent)


def _level(marks: str) -> int:
    return int(marks) if marks.isdigit() else len(marks)


def _cells(row: str) -> str:
    cells = (strip_markup(c) for c in re.split(r"\|\|?", row))
    return " | ".join(c for c in cells if c)


def _item(raw: str, m: re.Match[str], *, wiki: bool) -> Line:
    indent = len(m.group(1).replace("\t", "    "))
    marker = m.group(2)
    level = len(marker) if wiki and marker[0] in "*#" else indent // 2 + 1
    body = strip_check(m.group(3).strip())
    inner = _content(body, body, indent)
    if inner.kind in (Kind.BLOCK, Kind.GWT):
        return Line(inner.kind, raw, inner.text, level=level, keyword=inner.keyword, style="item")
    return Line(Kind.ITEM, raw, body, level=level, indent=indent)


def _content(raw: str, stripped: str, indent: int) -> Line:
    """A line that is not structural markup: label, scenario, GWT step or text."""
    bare = _LEAD_MARKS.sub("", stripped)
    if m := _GWT.match(bare):
        return Line(Kind.GWT, raw, stripped, keyword=m.group(1).lower(), indent=indent)
    label = _label(stripped)
    title = strip_markup(label[0]) if label else ""
    candidate = (f"{title}: {label[1]}" if label[1] else title) if label else bare
    if m := _SCENARIO.match(candidate):
        return Line(Kind.BLOCK, raw, "Scenario: " + m.group(1), keyword="scenario")
    if m := _NUMBERED.match(candidate):
        return Line(Kind.BLOCK, raw, m.group(1), keyword="numbered")
    if label:
        return Line(Kind.LABEL, raw, title, rest=label[1], style=label[2], indent=indent)
    return Line(Kind.TEXT, raw, stripped, indent=indent)


def _label(stripped: str) -> tuple[str, str, str] | None:
    """(title, inline rest, style) when the line is a bold or plain ``Label:`` line."""
    if m := _BOLD_LABEL.match(stripped):
        title, rest = m.group(2).strip(), m.group(3).strip()
        colon = title.endswith(":")
        title = title.rstrip(":").strip()
        if rest.startswith(":"):
            rest, colon = rest[1:].strip(), True
        words = len(title.split())
        if (not rest and words <= 8) or (colon and words <= 12):
            return title, rest, "bold"
        return None
    if m := _PLAIN_LABEL.match(stripped):
        title = m.group(1).strip()
        if len(title.split()) <= 5 and "://" not in stripped:
            return title, m.group(2).strip(), "plain"
    return None
