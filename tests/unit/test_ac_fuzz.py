"""Fuzzing the AC parsers: wiki markup, markdown and ADF built from the pieces people (and
attackers) type. Whatever the input, reading and diffing it raises nothing (the AC core
has no documented errors: a text it cannot read has no criteria, one it will not diff is
``too_large``), and each input is done within the deadline."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.ac import compare_ac, extract_ac_section, extract_criteria

FUZZ = settings(
    max_examples=150,
    deadline=timedelta(seconds=10),  # a hang guard on a shared machine: quadratic is minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

WIKI_PIECES = [
    "h3. Acceptance Criteria\n", "h2. Notes\n", "* ", "** ", "# ", "## ", "- ", "\n", "\r\n",
    "\r", "*AC:*", "*bold*", "_em_", "-del-", "+ins+", "^sup^", "~sub~", "??cite??", "{{mono}}",
    "{{", "}}", "{code}", "{code:gherkin}", "{noformat}", "{panel:title=AC}", "{panel}",
    "{color:red}", "{color}", "||h||", "|c|", "[text|https://x.io]", "[~accountid:5f8d1]",
    "!image.png|width=686!", "!", "[", "]", "|", "\\\\", "Given a user ", "When it pays ",
    "Then it settles ", "Scenario: pay ", "AC1 ", "within 2s ", "must not ", "----\n", "  ",
    "sesión ", "&amp;", "(/) ",
]  # fmt: skip
MD_PIECES = [
    "## Acceptance criteria\n", "# Notes\n", "- ", "* ", "1. ", "  ", "- [ ] ", "- [x] ", "\n",
    "**", "__", "*", "_", "~~", "`", "```", "```gherkin\n", "~~~", "[a](https://x.io)",
    "[https://x.io](https://x.io)", "<https://x.io>", "[**Slack**](<https://a.slack.com/x>)",
    ")** / **[", "![img](https://uploads.linear.app/a.png)", "<br>", "<b>", "</b>", "|", "---",
    "===", "> ", "\\", "Given ", "When ", "Then ", "Scenario Outline: ", "Examples:\n",
    "| a | b |\n", "must ", "2 seconds ", "Definition of Done\n", "días ",
]  # fmt: skip

wiki_text = st.lists(st.sampled_from(WIKI_PIECES) | st.text(max_size=6), max_size=60).map("".join)
md_text = st.lists(st.sampled_from(MD_PIECES) | st.text(max_size=6), max_size=60).map("".join)


def _exercise(before: Any, after: Any) -> None:
    for whole in (True, False):
        extract_criteria(before, whole_field=whole)
        comparison = compare_ac(before, after, whole_field=whole)
        assert comparison.kind.value in {"none", "cosmetic", "substantive"}
    extract_ac_section(after)


@FUZZ
@given(wiki_text, wiki_text)
def test_wiki_markup_never_raises(before: str, after: str) -> None:
    _exercise(before, after)


@FUZZ
@given(md_text, md_text)
def test_markdown_never_raises(before: str, after: str) -> None:
    _exercise(before, after)


@FUZZ
@given(st.sampled_from(WIKI_PIECES + MD_PIECES), st.integers(1, 4000))
def test_one_piece_repeated_thousands_of_times_is_read_in_time(piece: str, times: int) -> None:
    _exercise(piece * times, piece * times + " x")


NODE_TYPES = [
    "paragraph", "heading", "bulletList", "orderedList", "taskList", "listItem", "taskItem",
    "text", "hardBreak", "mention", "emoji", "inlineCard", "codeBlock", "table", "tableRow",
    "tableHeader", "tableCell", "panel", "expand", "nestedExpand", "blockquote", "rule",
    "mediaSingle", "media", "date", "status", "unknownThing", "doc",
]  # fmt: skip
junk = st.none() | st.integers() | st.text(max_size=5) | st.booleans()
attrs = st.dictionaries(
    st.sampled_from(["level", "state", "text", "url", "title", "timestamp", "shortName"]),
    junk | st.integers(-3, 9),
    max_size=3,
)
marks = st.lists(
    st.fixed_dictionaries({"type": st.sampled_from(["strong", "em", "code", "link", 7])}),
    max_size=2,
)
leaf = st.fixed_dictionaries(
    {"type": st.sampled_from(NODE_TYPES)},
    optional={"text": st.text(max_size=12) | junk, "attrs": attrs | junk, "marks": marks | junk},
)


def _node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {"type": st.sampled_from(NODE_TYPES), "content": st.lists(children, max_size=4) | junk},
        optional={"attrs": attrs, "text": st.text(max_size=8)},
    )


adf_node = st.recursive(leaf | junk, _node, max_leaves=40)
adf_doc = st.builds(
    lambda content: {"type": "doc", "version": 1, "content": content},
    st.lists(adf_node, max_size=5),
)


@FUZZ
@given(adf_doc, adf_doc)
def test_adf_never_raises(before: dict[str, Any], after: dict[str, Any]) -> None:
    _exercise(before, after)
    _exercise(json.dumps(before), json.dumps(after))


@FUZZ
@given(adf_doc, st.integers(1, 5000), st.sampled_from(["panel", "listItem", "bulletList", "x"]))
def test_adf_nested_deep_never_raises(doc: dict[str, Any], depth: int, kind: str) -> None:
    node: Any = doc
    for _ in range(depth):
        node = {"type": kind, "content": [node, {"type": "text", "text": "again"}]}
    deep = {"type": "doc", "content": [node]}
    _exercise(deep, doc)


@FUZZ
@given(adf_doc, st.integers(2, 30))
def test_adf_sharing_one_subtree_many_times_reads_it_each_time(doc: dict[str, Any], n: int) -> None:
    shared = {"type": "paragraph", "content": [{"type": "text", "text": "Shared criterion"}]}
    looks_cyclic = {"type": "doc", "content": [shared] * n + list(doc["content"])}
    assert extract_criteria(looks_cyclic, whole_field=True).count("Shared criterion") == n
    _exercise(looks_cyclic, doc)


@settings(FUZZ, max_examples=25, deadline=timedelta(seconds=15))
@given(st.lists(st.sampled_from(WIKI_PIECES + MD_PIECES), min_size=1, max_size=6))
def test_a_mix_of_pieces_repeated_to_60_kb_is_read_in_time(pieces: list[str]) -> None:
    unit = "".join(pieces)
    text = unit * (60_000 // len(unit) + 1)
    _exercise(text, text[: len(text) // 2])
