"""Issue text written to hurt: deep ADF, quadratic markup, fields too large to diff.

Each test here failed before its fix (a RecursionError, minutes of regex backtracking, or
gigabytes of pairwise scores). The time guards are hang detectors, not benchmarks: the
inputs took 1-35 s each before and take milliseconds now; the speed is measured in
``benchmarks/``.
"""

from __future__ import annotations

import itertools
import json
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.ac import (
    MAX_CRITERIA,
    MAX_FIELD_CHARS,
    ChangeKind,
    clear_caches,
    compare_ac,
    extract_ac_section,
    extract_criteria,
    is_too_large,
)
from tracker.ac._inline import _EMPHASIS, _MONO, _STRIKE, _STRONG, _unwrap, strip_markup
from tracker.ac._lines import _ROW_SEP
from tracker.ac._words import canon, opcodes, word_changes
from tracker.ac.diff import PAIR_THRESHOLD, _scores, _sorted_words, similarity

HANG_GUARD_SECONDS = 10


@contextmanager
def no_hang(seconds: int = HANG_GUARD_SECONDS) -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds}s: the parse is not linear")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _heading() -> str:
    return '{"type":"heading","attrs":{"level":3},"content":[{"type":"text","text":"AC"}]}'


def _nested_adf_json(depth: int) -> str:
    """A list nested ``depth`` levels, as JSON text (json.dumps itself recurses)."""
    leaf = '{"type":"paragraph","content":[{"type":"text","text":"Deep criterion"}]}'
    step = '{"type":"paragraph","content":[{"type":"text","text":"step"}]}'
    body = leaf
    for _ in range(depth):
        opening = '{"type":"bulletList","content":[{"type":"listItem","content":['
        body = opening + step + "," + body + "]}]}"
    return '{"type":"doc","version":1,"content":[' + _heading() + "," + body + "]}"


def _nested_adf(depth: int, kind: str = "blockquote") -> dict[str, object]:
    node: dict[str, object] = {"type": "text", "text": "Deep criterion"}
    node = {"type": "paragraph", "content": [node]}
    for _ in range(depth):
        node = {"type": kind, "content": [node]}
    return {"type": "doc", "content": [node]}


@pytest.mark.parametrize("depth", [900, 3000])
def test_adf_nested_hundreds_of_levels_is_read_not_a_recursion_error(depth: int) -> None:
    doc = json.loads(_nested_adf_json(40))
    step = '{"type":"paragraph","content":[{"type":"text","text":"step"}]}'
    deep = doc["content"][1]
    for _ in range(depth - 40):
        item = {"type": "listItem", "content": [json.loads(step), deep]}
        deep = {"type": "bulletList", "content": [item]}
    doc["content"][1] = deep
    [criterion] = extract_criteria(doc, whole_field=False)
    assert criterion.endswith("Deep criterion")
    changed = json.loads(json.dumps(doc["content"][0]))
    assert compare_ac(doc, {"type": "doc", "content": [changed]}, whole_field=True).kind is (
        ChangeKind.SUBSTANTIVE
    )


@pytest.mark.parametrize("depth", [900, 3000])
def test_adf_json_nested_past_the_decoder_keeps_every_text(depth: int) -> None:
    text = _nested_adf_json(depth)
    assert "Deep criterion" in extract_criteria(text, whole_field=True)
    assert compare_ac(text, text.replace("Deep", "Shallow"), whole_field=True).kind is (
        ChangeKind.SUBSTANTIVE
    )


@pytest.mark.parametrize("kind", ["blockquote", "panel", "expand", "paragraph", "unknownNode"])
def test_adf_dict_nested_ten_thousand_levels_keeps_its_text(kind: str) -> None:
    assert extract_criteria(_nested_adf(10_000, kind), whole_field=True) == ("Deep criterion",)


def test_adf_json_of_bare_brackets_deeper_than_the_decoder_has_no_criteria() -> None:
    text = '{"type":"doc","content":' + "[" * 200_000 + "]" * 200_000 + "}"
    assert extract_criteria(text, whole_field=True) == ()


def test_adf_that_contains_itself_ends() -> None:
    paragraph: dict[str, object] = {"type": "paragraph", "content": []}
    doc: dict[str, object] = {"type": "doc", "content": [paragraph]}
    paragraph["content"] = [{"type": "text", "text": "Given a card When paid Then settled"}, doc]
    assert extract_criteria(doc, whole_field=True) == ("Given a card When paid Then settled",)


HOSTILE_RUNS = ["~~a ", "**a ", "[[", "{{", "[~", "*a ", "_a ", "[a|", "![", "[a](", "<https://"]
HOSTILE_RUNS += ["<b", "{color:", "-a ", "??a ", "[http://", "__a ", "[a](<"]


@pytest.mark.parametrize("run", HOSTILE_RUNS)
def test_repeated_markup_is_parsed_in_linear_time(run: str) -> None:
    text = "* " + run * (64_000 // len(run))
    clear_caches()
    with no_hang():
        compare_ac(text, text + " changed", whole_field=True)
        extract_criteria("h3. Acceptance Criteria\n" + text, whole_field=False)


@pytest.mark.parametrize("blank", ["\t", " ", "\u00a0", " \t"])
def test_a_long_run_of_blanks_is_read_in_linear_time(blank: str) -> None:
    # A blank run followed by text was split every way between two `\s*` of the table
    # separator pattern: 8,000 tabs took 18 s.
    text = blank * (64_000 // len(blank)) + "x"
    clear_caches()
    with no_hang():
        compare_ac(text, text + " changed", whole_field=False)
        compare_ac("| a | b |\n" + text, "| a | b |\n|---|---|\n" + text, whole_field=False)


_OLD_ROW_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


@given(st.text(alphabet=" \t|:-x\n", max_size=40))
def test_the_table_separator_pattern_matches_what_it_matched_before(line: str) -> None:
    assert bool(_ROW_SEP.match(line)) == bool(_OLD_ROW_SEP.match(line))


# The patterns the linear matcher replaced, as the reference for what it must do.
_LAZY = {
    "mono": re.compile(r"\{\{(.+?)\}\}"),
    "strike": re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"),
    "strong": re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"),
    "emphasis": re.compile(r"(?<![\w*])([*_+^~]|\?\?|-)(?=[^\s\-])(.+?)(?<=[^\s\-])\1(?![\w*])"),
}
_PAIRS = {"mono": _MONO, "strike": _STRIKE, "strong": _STRONG, "emphasis": _EMPHASIS}
_PIECES = [*"ab *_~+^?-{}\n", "**", "__", "~~", "??", "{{", "}}"]
markup_soup = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@given(markup_soup)
def test_linear_pairing_does_what_the_lazy_patterns_did(text: str) -> None:
    for name, lazy in _LAZY.items():
        group = 1 if name in ("mono", "strike") else 2
        assert _unwrap(text, _PAIRS[name]) == lazy.sub(rf"\{group}", text), name


def test_markdown_link_whose_text_is_its_url_is_not_half_stripped() -> None:
    assert strip_markup("See [https://x.io/a](https://x.io/a) now") == "See https://x.io/a now"
    assert strip_markup("[**Slack**](<https://acme.slack.com/archives/C1>)") == "Slack"


def test_three_thousand_reworded_criteria_are_too_large_to_diff() -> None:
    before = "\n".join(f"* Criterion number {i} holds for every user" for i in range(3000))
    after = "\n".join(f"* Criterion {i} holds for each user" for i in range(3000))
    with no_hang():
        comparison = compare_ac(before, after, whole_field=True)
    assert comparison.too_large and comparison.kind is ChangeKind.SUBSTANTIVE
    assert comparison.diff.is_empty()
    assert is_too_large(before) and not is_too_large("* one\n* two")


def test_criteria_up_to_the_limit_are_diffed() -> None:
    before = [f"* Rule {i}: the {i}th export keeps column {i}" for i in range(MAX_CRITERIA)]
    after = [*before[:-1], "* Rule last: the export drops the last column entirely"]
    with no_hang():
        comparison = compare_ac("\n".join(before), "\n".join(after), whole_field=True)
    assert not comparison.too_large
    assert comparison.kind is ChangeKind.SUBSTANTIVE


def test_a_field_of_megabytes_is_too_large_and_not_read() -> None:
    huge = "* A criterion that goes on " + "and on " * (5_000_000 // 7)
    with no_hang():
        comparison = compare_ac("* short", huge, whole_field=True)
        assert extract_criteria(huge, whole_field=True) == ()
        assert extract_ac_section("h3. AC\n" + huge) is None
    assert comparison.too_large
    assert compare_ac(huge, huge, whole_field=True).kind is ChangeKind.NONE


def test_adf_is_measured_by_the_text_it_renders_not_its_json() -> None:
    para = {"type": "paragraph", "content": [{"type": "text", "text": "x" * 1000}]}
    small = {"type": "doc", "content": [para] * 50}  # 50 KB of text, more JSON
    assert len(json.dumps(small)) > 50_000 and not is_too_large(small)
    big = {"type": "doc", "content": [para] * (MAX_FIELD_CHARS // 1000 + 5)}
    assert is_too_large(json.dumps(big))


def test_a_criterion_of_thousands_of_words_diffs_its_changed_middle() -> None:
    words = [f"w{i % 997}" for i in range(30_000)]
    before = " ".join(words)
    after = " ".join([*words[:100], "must", "not", *words[101:]])
    with no_hang():
        removed, added = word_changes(before, after)
    assert removed == ("w100",) and added == ("must", "not")


def test_opcodes_of_long_lists_cover_both_sides() -> None:
    a = [f"a{i}" for i in range(1000)]
    b = [*a[:10], *[f"b{i}" for i in range(900)], *a[-5:]]
    ops = opcodes(a, b)
    assert ops[0] == ("equal", 0, 10, 0, 10) and ops[-1] == ("equal", 995, 1000, 910, 915)
    assert all(x[2] == y[1] and x[4] == y[3] for x, y in itertools.pairwise(ops))


_WORDS = [
    "the",
    "a",
    "user",
    "admin",
    "can",
    "see",
    "must",
    "not",
    "refund",
    "2s",
    "pay",
    "card",
    "order",
    "list",
    "shows",
    "export",
]
phrase = st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join)


@given(phrase, st.lists(phrase, max_size=6))
def test_scoring_inside_rapidfuzz_equals_the_pairwise_similarity(key: str, keys: list[str]) -> None:
    key, keys = canon(key), [canon(k) for k in keys]
    long_keys = [k if len(k.split()) >= 3 else None for k in keys]
    got = _scores(key, [_sorted_words(k) for k in keys], long_keys, None)
    want = {n: similarity(key, k) for n, k in enumerate(keys)}
    assert got == {n: s for n, s in want.items() if s >= PAIR_THRESHOLD}


def test_hundreds_of_near_identical_rewordings_pair_in_place() -> None:
    before = [f"* Export number {i} holds for every user" for i in range(300)]
    after = [f"* Export {i} holds for each user" for i in range(300)]
    diff = compare_ac("\n".join(before), "\n".join(after), whole_field=True).diff
    assert not diff.added and not diff.removed
    assert all(m.before.split()[2] == m.after.split()[1] for m in diff.modified)


def test_more_criteria_than_the_limit_in_a_small_field_are_too_large_to_diff() -> None:
    before = "\n".join(f"* Flag {i} is off" for i in range(MAX_CRITERIA + 1))
    after = before.replace("is off", "is on")
    assert len(after) < MAX_FIELD_CHARS
    comparison = compare_ac(before, after, whole_field=True)
    assert comparison.too_large and comparison.diff.is_empty()
    assert len(extract_criteria(after, whole_field=True)) == MAX_CRITERIA + 1  # still shown
