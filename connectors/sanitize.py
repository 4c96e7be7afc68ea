"""Text no database can store, made storable at the connector boundary.

JSON may carry ``\\u0000`` and lone UTF-16 surrogates (``\\ud800``): Python decodes both,
but UTF-8 cannot encode a lone surrogate (SQLite's driver raises ``UnicodeEncodeError``) and
PostgreSQL rejects NUL in text, so one such character in one summary used to fail the whole
sync, every night, without naming the issue. Both are replaced with U+FFFD (the Unicode
replacement character) in every string of a parsed answer, and one warning names the
issues it happened in. Valid surrogate pairs were already joined by the JSON decoder.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any

log = logging.getLogger(__name__)

REPLACEMENT = "\ufffd"
_BAD = re.compile("[\x00\ud800-\udfff]")
# Only an escape can put either into parsed JSON (raw NUL is invalid JSON, a raw surrogate
# invalid UTF-8), so answers without one are not walked at all.
_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89abcdefABCDEF][0-9a-fA-F]{2})")
_ISSUE_KEYS = ("key", "identifier")  # Jira's issue key, Linear's ENG-12


def may_need_cleaning(raw: bytes) -> bool:
    return _ESCAPE.search(raw) is not None


def clean(value: Any) -> tuple[Any, Counter[str]]:
    """``value`` (parsed JSON) with every NUL and lone surrogate replaced, in place, and
    how many were replaced per issue (the nearest enclosing object's ``key`` or
    ``identifier``; ``""`` outside any issue). Iterative: nesting depth is the server's."""
    found: Counter[str] = Counter()
    if isinstance(value, str):
        fixed, n = _BAD.subn(REPLACEMENT, value)
        if n:
            found[""] += n
        return fixed, found
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, owner = stack.pop()
        if isinstance(node, dict):
            label = next((str(node[k]) for k in _ISSUE_KEYS if isinstance(node.get(k), str)), owner)
            items: Any = node.items()
        elif isinstance(node, list):
            label = owner
            items = enumerate(node)
        else:
            continue
        for slot, child in list(items):
            if isinstance(child, str):
                if _BAD.search(child):
                    fixed, n = _BAD.subn(REPLACEMENT, child)
                    node[slot] = fixed
                    found[_clean_label(label)] += n
            elif isinstance(child, dict | list):
                stack.append((child, label))
    return value, found


def _clean_label(label: str) -> str:
    return _BAD.sub(REPLACEMENT, label)


def warn(found: Counter[str], service: str, what: str) -> None:
    if not found:
        return
    issues = sorted(k for k in found if k)
    where = (
        f"issue {', '.join(issues[:10])}" + (" …" if len(issues) > 10 else "") if issues else what
    )
    log.warning(
        "%s sent %d character(s) no database can store (NUL or half a surrogate pair) in %s; "
        "stored as U+FFFD: fix the text in the tracker to store it exactly",
        service,
        sum(found.values()),
        where,
    )
