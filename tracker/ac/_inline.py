"""Inline markup → plain display text, for Jira wiki markup and markdown alike.

Both dialects are stripped in one pass because a criterion does not know where it came
from, and because people mix them (markdown ``**bold**`` typed into a Jira field).
Emphasis is only removed when it wraps a word (``*x*``, not ``2 * 3``), so arithmetic,
``snake_case`` names and hyphenated words survive.
"""

from __future__ import annotations

import functools
import html
import re

# (pattern, replacement, a substring without which the pattern cannot match): most
# criteria are plain words, and skipping a regex that cannot match is most of the cost.
_SUBS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    # Jira wiki
    (re.compile(r"\{color(?::[^}]*)?\}"), "", ("{color",)),
    (re.compile(r"\{\{(.+?)\}\}"), r"\1", ("{{",)),
    (re.compile(r"\[([^\]|\n]+)\|[^\]\n]+\]"), r"\1", ("[",)),
    (re.compile(r"\[~([^\]\n]+)\]"), r"\1", ("[~",)),
    (re.compile(r"\[(https?://[^\]\s]+)\]"), r"\1", ("[http",)),
    (re.compile(r"![^!\s][^!\n]*\.(?:png|jpe?g|gif|svg|webp)[^!\n]*!", re.IGNORECASE), "", ("!",)),
    (re.compile(r"\\\\"), " ", ("\\\\",)),
    # markdown
    (re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"), "", ("![",)),
    (re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)"), r"\1", ("](",)),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1", ("<",)),
    (
        re.compile(r"</?(?:br|u|b|i|em|strong|s|del|ins|sup|sub|span|p|code|mark)\b[^>]*>"),
        " ",
        ("<",),
    ),
    (re.compile(r"`([^`\n]+)`"), r"\1", ("`",)),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1", ("~~",)),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2", ("**", "__")),
)

# Single-character emphasis: the opening mark follows a non-word character and the
# closing mark precedes one, which keeps ``a*b*c`` and ``snake_case_name`` intact.
_EMPHASIS = re.compile(r"(?<![\w*])([*_+^~]|\?\?|-)(?=[^\s\-])(.+?)(?<=[^\s\-])\1(?![\w*])")
_EMPHASIS_MARKS = frozenset("*_+^~?-")
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
    previous = None
    while previous != out and _EMPHASIS_MARKS.intersection(out):  # nested: *_bold italic_*
        previous = out
        out = _EMPHASIS.sub(r"\2", out)
    if "\\" in out:
        out = _ESCAPE.sub(r"\1", out)
    if "&" in out:
        out = html.unescape(out)
    return _WS.sub(" ", out.replace("\u00a0", " ")).strip()


def strip_check(text: str) -> str:
    """Drop a leading checkbox (``[ ]``, ``[x]``, ``(/)``, ``✅``): ticking a box is
    progress on the work, not a change to what was asked."""
    return _CHECK_PREFIX.sub("", text, count=1)
