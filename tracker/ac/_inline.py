"""Inline markup → plain display text, for Jira wiki markup and markdown alike.

Both dialects are stripped in one pass because a criterion does not know where it came
from, and because people mix them (markdown ``**bold**`` typed into a Jira field).
Emphasis is only removed when it wraps a word (``*x*``, not ``2 * 3``), so arithmetic,
``snake_case`` names and hyphenated words survive.

Everything here runs in time linear in the text (up to a log factor), because issue text
is written by anyone with access to the tracker: no pattern may rescan the rest of a line
from every position where an opening mark appears. Bracketed forms stop at the next
opening bracket (a link's text or URL holds none), and paired marks (``**b**``, ``~~s~~``,
``{{m}}``, ``*e*``) are matched by ``_unwrap``: the candidate openers and closers are each
found in one scan, and every opener takes the nearest closer after it by bisection, which
is what the lazy ``(.+?)`` they replace did, without its quadratic search.
"""

from __future__ import annotations

import bisect
import functools
import html
import re

_URL = r"https?://[^\s<>\[\]]+"

# (pattern, replacement, a substring without which the pattern cannot match): most
# criteria are plain words, and skipping a regex that cannot match is most of the cost.
_SUBS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    # Jira wiki
    (re.compile(r"\{color(?::[^{}\n]*)?\}"), "", ("{color",)),
    # markdown links before Jira's [url]: [https://x](https://x) is a link to itself,
    # and the Jira rule would leave half of it behind ("https://x(https://x)")
    (
        re.compile(r"!\[[^\[\]\n]*\]\((?:<[^<>\n]*>|[^()\[\]\s]*)(?:\s+\"[^\"\n]*\")?\)"),
        "",
        ("![",),
    ),
    (
        re.compile(r"\[([^\[\]\n]+)\]\((?:<[^<>\n]*>|[^()\[\]\s]*)(?:\s+\"[^\"\n]*\")?\)"),
        r"\1",
        ("](",),
    ),
    (re.compile(r"\[([^\[\]|\n]+)\|[^\[\]\n]+\]"), r"\1", ("[",)),
    # a mention: Cloud writes [~accountid:5f8d…] (ADF's mention node renders the same)
    (re.compile(r"\[~(?:accountid:)?([^\[\]\n]+)\]"), r"@\1", ("[~",)),
    (re.compile(r"\[(" + _URL + r")\]"), r"\1", ("[http",)),
    (
        re.compile(r"![^!\s][^!\n]*\.(?:png|jpe?g|gif|svg|webp)(?:\|[^!\n]*)?!", re.IGNORECASE),
        "",
        ("!",),
    ),
    (re.compile(r"\\\\"), " ", ("\\\\",)),
    # markdown
    (re.compile(r"<(" + _URL + r")>"), r"\1", ("<",)),
    (
        re.compile(r"</?(?:br|u|b|i|em|strong|s|del|ins|sup|sub|span|p|code|mark)\b[^<>]*>"),
        " ",
        ("<",),
    ),
    (re.compile(r"`([^`\n]+)`"), r"\1", ("`",)),
)

# Paired marks: (openers, closers, a substring without which neither can match). Each
# pattern is zero-width with the mark captured, so overlapping candidates are all found.
_Pairs = tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]]
_MONO: _Pairs = (re.compile(r"(?=(\{\{).)"), re.compile(r"(?=(\}\}))"), ("{{",))
_MATES = {"}}": "{{"}  # a closer that differs from its opener
_STRIKE: _Pairs = (re.compile(r"(?=(~~)\S)"), re.compile(r"(?<=\S)(?=(~~))"), ("~~",))
_STRONG: _Pairs = (
    re.compile(r"(?=(\*\*|__)\S)"),
    re.compile(r"(?<=\S)(?=(\*\*|__))"),
    ("**", "__"),
)
# Single-character emphasis: the opening mark follows a non-word character and the
# closing mark precedes one, which keeps ``a*b*c`` and ``snake_case_name`` intact.
_EMPHASIS: _Pairs = (
    re.compile(r"(?<![\w*])(?=([*_+^~]|\?\?|-)[^\s\-])"),
    re.compile(r"(?<=[^\s\-])(?=([*_+^~]|\?\?|-)(?![\w*]))"),
    ("*", "_", "+", "^", "~", "??", "-"),
)
# Nested emphasis (``*_bold italic_*``) is peeled one layer per pass; people nest two or
# three, and a cap keeps a thousand nested marks from costing a thousand passes.
_EMPHASIS_PASSES = 4
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~^])")
_WS = re.compile(r"\s+")
_CHECK_PREFIX = re.compile(r"^(?:\[[ xX]\]|\((?:/|x|y|n|on|off)\)|[☐☑✅✔✓])\s*")


@functools.lru_cache(maxsize=65_536)
def strip_markup(text: str) -> str:
    """Remove inline markup and collapse whitespace; what a reader would see.
    Memoised: successive versions of an AC share most of their lines."""
    out = text
    for pattern, repl, needs in _SUBS:
        if any(n in out for n in needs):
            out = pattern.sub(repl, out)
    for pairs in (_MONO, _STRIKE, _STRONG):
        out = _unwrap(out, pairs)
    for _ in range(_EMPHASIS_PASSES):
        previous, out = out, _unwrap(out, _EMPHASIS)
        if out == previous:
            break
    if "\\" in out:
        out = _ESCAPE.sub(r"\1", out)
    if "&" in out:
        out = html.unescape(out)
    return _WS.sub(" ", out.replace("\u00a0", " ")).strip()


def _unwrap(text: str, pairs: _Pairs) -> str:
    """Replace each ``<mark>content<mark>`` (content non-empty, on one line) by its
    content, scanning left to right as ``re.sub`` would with a lazy ``(.+?)``."""
    openers, closers, needs = pairs
    if not any(n in text for n in needs) or not openers.search(text):
        return text
    closing: dict[str, list[int]] = {}
    for m in closers.finditer(text):
        closing.setdefault(_MATES.get(m.group(1), m.group(1)), []).append(m.start())
    if not closing:
        return text
    newlines = [i for i, c in enumerate(text) if c == "\n"] if "\n" in text else []
    parts: list[str] = []
    done = 0
    for m in openers.finditer(text):
        start, mark = m.start(), m.group(1)
        candidates = closing.get(mark)
        if start < done or not candidates:
            continue
        k = bisect.bisect_left(candidates, start + len(mark) + 1)
        if k == len(candidates):
            continue
        end = candidates[k]
        if newlines:
            n = bisect.bisect_left(newlines, start)
            if n < len(newlines) and newlines[n] < end:
                continue  # the nearest closer is on a later line
        parts.extend((text[done:start], text[start + len(mark) : end]))
        done = end + len(mark)
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def strip_check(text: str) -> str:
    """Drop a leading checkbox (``[ ]``, ``[x]``, ``(/)``, ``✅``): ticking a box is
    progress on the work, not a change to what was asked."""
    return _CHECK_PREFIX.sub("", text, count=1)
