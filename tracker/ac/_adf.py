"""Atlassian Document Format (Jira Cloud v3 rich text) → markdown-like lines.

The line classifier already understands markdown, so ADF is rendered into it rather than
parsed separately: headings become ``#`` lines, lists ``-``/``1.`` items indented by
depth, task items ``- [ ]``, a paragraph that is all bold a ``**label**``, a rule ``----``.
Unknown nodes are walked for their text so nothing a user typed is silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_CONTAINERS = {"panel", "blockquote", "layoutSection", "layoutColumn", "bodiedExtension"}
_EXPANDS = {"expand", "nestedExpand"}
_LISTS = {"bulletList": "-", "orderedList": "1.", "taskList": "-"}


def parse_adf(text: str | Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ADF document in ``text`` (a dict or its JSON), or None when it is not one."""
    if isinstance(text, Mapping):
        doc: object = text
    else:
        stripped = text.lstrip()
        if not stripped.startswith("{") or '"doc"' not in stripped:
            return None
        try:
            doc = json.loads(stripped)
        except ValueError:
            return None
    if isinstance(doc, Mapping) and doc.get("type") == "doc":
        return doc
    return None


def render_adf(doc: Mapping[str, Any]) -> str:
    out: list[str] = []
    for node in _children(doc):
        _block(node, out, depth=0)
    return "\n".join(out)


def _attrs(node: Mapping[str, Any]) -> Mapping[str, Any]:
    attrs = node.get("attrs")
    return attrs if isinstance(attrs, Mapping) else {}


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    content = node.get("content")
    if not isinstance(content, list):
        return []
    return [c for c in content if isinstance(c, Mapping)]


def _block(node: Mapping[str, Any], out: list[str], depth: int) -> None:
    kind = node.get("type")
    attrs = _attrs(node)
    if kind == "heading":
        level = attrs.get("level")
        level = level if isinstance(level, int) and 1 <= level <= 6 else 1
        out.extend(["", "#" * level + " " + _inline(node), ""])
    elif kind == "paragraph":
        _paragraph(node, out, depth)
    elif kind in _LISTS:
        marker = _LISTS[str(kind)]
        for item in _children(node):
            _list_item(item, marker, out, depth)
        out.append("")
    elif kind == "rule":
        out.extend(["", "----", ""])
    elif kind == "codeBlock":
        out.extend(["```", *_inline(node).split("\n"), "```"])
    elif kind == "table":
        _table(node, out)
    elif kind in _EXPANDS:
        title = attrs.get("title")
        if title:
            out.extend(["", f"**{title}**", ""])
        for child in _children(node):
            _block(child, out, depth)
    elif kind in _CONTAINERS or _children(node):
        for child in _children(node):
            _block(child, out, depth)
    elif text := _inline(node):
        out.append(text)


def _paragraph(node: Mapping[str, Any], out: list[str], depth: int) -> None:
    text = _inline(node)
    if not text.strip():
        out.append("")
        return
    texts = [c for c in _children(node) if c.get("type") == "text" and str(c.get("text")).strip()]
    if texts and all(_is_strong(c) for c in texts) and "\n" not in text:
        text = f"**{text.replace('**', '').strip()}**"  # one label, not bold fragments
    indent = "  " * depth
    out.extend(indent + line for line in text.split("\n"))
    if depth == 0:
        out.append("")


def _list_item(item: Mapping[str, Any], marker: str, out: list[str], depth: int) -> None:
    indent = "  " * depth
    if item.get("type") == "taskItem":
        state = _attrs(item).get("state")
        box = "[x] " if state == "DONE" else "[ ] "
        inline = [c for c in _children(item) if c.get("type") not in _LISTS]
        first = "".join(_inline_node(c) for c in inline)
        out.append(f"{indent}{marker} {box}{first}".rstrip())
        nested = [c for c in _children(item) if c.get("type") in _LISTS]
    else:
        blocks = _children(item)
        first = _inline(blocks[0]) if blocks and blocks[0].get("type") == "paragraph" else ""
        out.append(f"{indent}{marker} {first}".rstrip())
        nested = blocks[1:] if first else blocks
    for child in nested:
        if child.get("type") in _LISTS:
            sub = _LISTS[str(child.get("type"))]
            for grandchild in _children(child):
                _list_item(grandchild, sub, out, depth + 1)
        else:
            for line in _inline(child).split("\n"):
                out.append(f"{indent}  {line}")


def _table(node: Mapping[str, Any], out: list[str]) -> None:
    out.append("")
    for row in _children(node):
        cells = _children(row)
        texts = [_inline(c).replace("\n", " ").strip() for c in cells]
        if cells and all(c.get("type") == "tableHeader" for c in cells):
            out.append("|| " + " || ".join(texts) + " ||")
        else:
            out.append("| " + " | ".join(texts) + " |")
    out.append("")


def _marked(node: Mapping[str, Any]) -> str:
    """Text with its emphasis as markdown, so adding bold is seen as a markup change."""
    text = str(node.get("text", ""))
    marks = node.get("marks")
    names = (
        {m.get("type") for m in marks if isinstance(m, Mapping)}
        if isinstance(marks, list)
        else set()
    )
    if not text.strip():
        return text
    if "code" in names:
        text = f"`{text}`"
    if "strong" in names:
        text = f"**{text}**"
    if "em" in names:
        text = f"_{text}_"
    return text


def _is_strong(node: Mapping[str, Any]) -> bool:
    marks = node.get("marks")
    return isinstance(marks, list) and any(
        isinstance(m, Mapping) and m.get("type") == "strong" for m in marks
    )


def _inline(node: Mapping[str, Any]) -> str:
    if node.get("type") == "text":
        return _inline_node(node)
    parts: list[str] = []
    for child in _children(node):
        if child.get("type") in ("paragraph", "heading") and parts:
            parts.append("\n")
        parts.append(_inline_node(child))
    return "".join(parts)


def _inline_node(node: Mapping[str, Any]) -> str:
    kind = node.get("type")
    attrs = _attrs(node)
    if kind == "text":
        return _marked(node)
    if kind == "hardBreak":
        return "\n"
    if kind in ("mention", "status", "emoji"):
        return str(attrs.get("text") or attrs.get("shortName") or "")
    if kind in ("inlineCard", "blockCard"):
        return str(attrs.get("url", ""))
    if kind == "date":
        return str(attrs.get("timestamp", ""))
    return _inline(node)
