"""Atlassian Document Format (Jira Cloud v3 rich text) → markdown-like lines.

The line classifier already understands markdown, so ADF is rendered into it rather than
parsed separately: headings become ``#`` lines, lists ``-``/``1.`` items indented by
depth, task items ``- [ ]``, a paragraph that is all bold a ``**label**``, a rule ``----``.
Unknown nodes are walked for their text so nothing a user typed is silently dropped.

Issue text is written by anyone, and JSON nests as deep as it likes: before rendering,
``bounded`` rebuilds the tree without recursion and folds everything below ``MAX_DEPTH``
into one text node, so the renderer (which recurses once or twice per level) stays far
from Python's recursion limit. No real document nests lists or panels that deep.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_CONTAINERS = {"panel", "blockquote", "layoutSection", "layoutColumn", "bodiedExtension"}
_EXPANDS = {"expand", "nestedExpand"}
_LISTS = {"bulletList": "-", "orderedList": "1.", "taskList": "-"}
MAX_DEPTH = 48


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
        except RecursionError:  # the decoder recurses per level: keep the text, flat
            return _flat_doc(stripped)
    if isinstance(doc, Mapping) and doc.get("type") == "doc":
        return doc
    return None


_TEXT_VALUE = re.compile(r'"text"\s*:\s*("(?:[^"\\\n]|\\.)*")')


def _flat_doc(source: str) -> Mapping[str, Any]:
    """A document nested past what ``json`` decodes: every ``"text"`` value in it, in
    order, one paragraph each, so nothing typed is lost though the structure is."""
    texts: list[Mapping[str, Any]] = []
    for m in _TEXT_VALUE.finditer(source):
        try:
            value = json.loads(m.group(1))
        except ValueError:
            continue
        texts.append({"type": "paragraph", "content": [{"type": "text", "text": value}]})
    return {"type": "doc", "content": texts}


def render_adf(doc: Mapping[str, Any]) -> str:
    out: list[str] = []
    for node in _children(bounded(doc)):
        _block(node, out, depth=0)
    return "\n".join(out)


def bounded(doc: Mapping[str, Any], max_depth: int = MAX_DEPTH) -> Mapping[str, Any]:
    """``doc`` with every node below ``max_depth`` replaced by a paragraph holding all
    the text under it. Iterative, and each node is visited once: a dict that contains
    itself (only a Python caller can build one) is cut where it repeats."""
    root: dict[str, Any] = {**doc, "content": []}
    stack: list[tuple[Mapping[str, Any], list[Any], int, frozenset[int]]] = [
        (doc, root["content"], 1, frozenset({id(doc)}))
    ]
    while stack:
        node, into, depth, path = stack.pop()
        for child in _children(node):
            if id(child) in path:
                continue
            if depth >= max_depth and _children(child):
                text = {"type": "text", "text": _all_text(child)}
                into.append({"type": "paragraph", "content": [text]})
                continue
            copy: dict[str, Any] = {**child, "content": []}
            into.append(copy)
            stack.append((child, copy["content"], depth + 1, path | {id(child)}))
    return root


def _all_text(node: Mapping[str, Any]) -> str:
    """The text of every node under ``node``, in document order, without recursion."""
    parts: list[str] = []
    seen: set[int] = set()
    stack: list[Mapping[str, Any]] = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(text := current.get("text"), str):
            parts.append(text)
        elif current.get("type") in ("paragraph", "heading", "listItem", "hardBreak"):
            parts.append(" ")
        stack.extend(reversed(_children(current)))
    return " ".join(" ".join(parts).split())


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
        language = attrs.get("language")
        fence = "```" + (language if isinstance(language, str) and language.isalnum() else "")
        out.extend([fence, *_inline(node).split("\n"), "```"])
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
    if kind == "mention" and attrs.get("id"):
        # by id, as the wiki markup of Cloud's changelog writes it ([~accountid:…]), so
        # the same text read from either is the same criterion
        return "@" + str(attrs["id"])
    if kind in ("mention", "status", "emoji"):
        return str(attrs.get("text") or attrs.get("shortName") or "")
    if kind in ("inlineCard", "blockCard"):
        return str(attrs.get("url", ""))
    if kind == "date":
        return str(attrs.get("timestamp", ""))
    return _inline(node)
