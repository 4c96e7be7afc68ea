"""Inline markup → plain display text, for Jira wiki markup and markdown alike.

Both dialects are stripped in one pass because a criterion does not know where it came
from, and because people mix them (markdown ``**bold**`` typed into a Jira field).
Emphasis is only removed when it wraps a word (``*x*``, not ``2 * 3``), so arithmetic,
``snake_case`` names and hyphenated words survive.
"""

from __future__ import annotations

import html
import re

_SUBS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Jira wiki
    (re.compile(r"\{color(?::[^}]*)?\}"), ""),
    (re.compile(r"\{\{(.+?)\}\}"), r"\1"),
    (re.compile(r"\[([^\]|\n]+)\|[^\]\n]+\]"), r"\1"),
    (re.compile(r"\[~([^\]\n]+)\]"), r"\1"),
    (re.compile(r"\[(https?://[^\]\s]+)\]"), r"\1"),
    (re.compile(r"![^!\s][^!\n]*\.(?:png|jpe?g|gif|svg|webp)[^!\n]*!", re.IGNORECASE), ""),
    (re.compile(r"\\\\"), " "),
    # markdown
    (re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"), ""),
    (re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"</?(?:br|u|b|i|em|strong|s|del|ins|sup|sub|span|p|code|mark)\b[^>]*>"), " "),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
)

# Single-character emphasis: the opening mark follows a non-word character and the
# closing mark precedes one, which keeps ``a*b*c`` and ``snake_case_name`` intact.
_EMPHASIS = re.compile(r"(?<![\w*])([*_+^~]|\?\?|-)(?=[^\s\-])(.+?)(?<=[^\s\-])\1(?![\w*])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~^])")
_WS = re.compile(r"\s+")
_CHECK_PREFIX = re.compile(r"^(?:\[[ xX]\]|\((?:/|x|y|n|on|off)\)|[☐☑✅✔✓])\s*")


def strip_markup(text: str) -> str:
    """Remove inline markup and collapse whitespace; what a reader would see."""
    out = text
    for pattern, repl in _SUBS:
        out = pattern.sub(repl, out)
    previous = None
    while previous != out:  # nested emphasis: *_bold italic_*
        previous = out
        out = _EMPHASIS.sub(r"\2", out)
    out = _ESCAPE.sub(r"\1", out)
    out = html.unescape(out).replace("\u00a0", " ")
    return _WS.sub(" ", out).strip()


def strip_check(text: str) -> str:
    """Drop a leading checkbox (``[ ]``, ``[x]``, ``(/)``, ``✅``): ticking a box is
    progress on the work, not a change to what was asked."""
    return _CHECK_PREFIX.sub("", text, count=1)
