"""Fuzzing the parsers that read what servers and users write: no exception but the
documented ones, and no input that changes a query's structure."""

from __future__ import annotations

import contextlib
import string
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors import sanitize
from connectors.jira._jql import build_issue_jql, jql_string
from connectors.jira._mapping import parse_id_list, parse_sprint_ids
from connectors.paging import PageGuard
from connectors.retry import parse_reset_time, parse_retry_after
from connectors.sim.jira.jql import _tokenize
from tracker.clock import parse_duration, parse_time
from tracker.config import parse_config
from tracker.errors import ConfigError, UpstreamError

NOW = datetime(2026, 4, 1, tzinfo=UTC)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Printable text a person (or a hostile config) could put in a key, quotes and backslashes
# included; control characters are covered separately (JQL has no escape for most).
TEXT = st.text(st.characters(min_codepoint=32, blacklist_categories=("Cs",)), max_size=30)


def _structure(jql: str) -> list[tuple[str, str]]:
    """The query's tokens with every string literal's text blanked out."""
    return [(t.kind, "" if t.kind == "str" else t.upper) for t in _tokenize(jql)]


@FUZZ
@given(projects=st.lists(TEXT, min_size=1, max_size=3), sprints=st.lists(TEXT, max_size=3))
def test_no_value_changes_the_structure_of_the_issue_query(
    projects: list[str], sprints: list[str]
) -> None:
    sprint_ids = ["42", *sprints]
    jql = build_issue_jql(sprint_ids, projects, NOW, NOW, NOW)
    tokens = _tokenize(jql)
    # Every value is one token (a bare key or number, or one string literal)...
    values = [t.text for t in tokens if t.kind in ("str", "word")]
    for value in [*projects, *sprint_ids]:
        assert value in values or value.upper() in values
    # ...and the query has the same shape as with harmless values.
    plain = build_issue_jql(["42"] + ["1"] * len(sprints), ["P"] * len(projects), NOW, NOW, NOW)
    shape = [k for k, _ in _structure(jql)]
    assert shape.count("op") == [k for k, _ in _structure(plain)].count("op")


def test_a_quote_in_a_project_key_stays_inside_its_string() -> None:
    jql = build_issue_jql(["42"], ['X") OR project != ("Y'], NOW, None, NOW)
    strings = [t.text for t in _tokenize(jql) if t.kind == "str"]
    assert 'X") OR project != ("Y' in strings
    assert _structure(jql) == _structure(build_issue_jql(["42"], ["my-proj"], NOW, None, NOW))
    assert jql_string('a"b\\c') == '"a\\"b\\\\c"'


@FUZZ
@given(st.text(max_size=40))
def test_control_characters_never_reach_the_query_raw(value: str) -> None:
    assert not any(c < " " for c in jql_string(value))


@FUZZ
@given(st.one_of(st.text(max_size=60), st.integers(), st.floats(allow_nan=True)))
def test_timestamps_parse_or_raise_value_error(value: Any) -> None:
    try:
        parsed = parse_time(value)
    except (ValueError, OverflowError, OSError):
        return
    assert parsed is None or parsed.tzinfo is not None


@FUZZ
@given(st.text(max_size=30))
def test_durations_parse_or_raise_value_error(value: str) -> None:
    with contextlib.suppress(ValueError, OverflowError):
        parse_duration(value)


@FUZZ
@given(st.one_of(st.none(), st.text(max_size=60)))
def test_wait_headers_parse_or_are_none(value: str | None) -> None:
    for parse in (parse_retry_after, parse_reset_time):
        seconds = parse(value, NOW)
        assert seconds is None or seconds >= 0


LEGACY = st.builds(
    lambda pre, id_, post: (
        f"com.atlassian.greenhopper.service.sprint.Sprint@{pre}[id={id_},{post}]"
    ),
    st.text(string.hexdigits, max_size=8),
    st.one_of(st.integers(0, 10**9).map(str), TEXT),
    TEXT,
)
SPRINT_VALUE = st.one_of(
    st.none(),
    st.lists(
        st.one_of(
            LEGACY,
            TEXT,
            st.none(),
            st.integers(),
            st.dictionaries(st.sampled_from(["id", "name", "state"]), st.one_of(TEXT, st.none())),
        ),
        max_size=4,
    ),
)


@FUZZ
@given(SPRINT_VALUE)
def test_sprint_field_values_never_raise(value: Any) -> None:
    ids = parse_sprint_ids(value)
    assert all(isinstance(i, str) for i in ids)


@FUZZ
@given(st.one_of(st.none(), TEXT))
def test_changelog_sprint_id_lists_never_raise(value: str | None) -> None:
    assert all(isinstance(i, str) for i in parse_id_list(value))


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)
CONFIG = st.dictionaries(
    st.sampled_from(["database", "source", "policy", "token", "x"]),
    st.one_of(
        JSON,
        st.lists(
            st.dictionaries(
                st.sampled_from(
                    [
                        "name",
                        "type",
                        "url",
                        "token_env",
                        "boards",
                        "teams",
                        "token",
                        "timeout",
                        "max_wait",
                        "sync_timeout",
                        "email",
                    ]
                ),
                st.one_of(JSON, st.sampled_from(["jira", "linear", "https://a@b", "E"])),
            ),
            max_size=2,
        ),
    ),
)


@FUZZ
@given(CONFIG)
def test_any_config_is_accepted_or_one_config_error(raw: dict[str, Any]) -> None:
    try:
        parse_config(raw, {"E": "token"})
    except ConfigError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(JSON)
def test_cleaned_answers_hold_only_storable_text(value: Any) -> None:
    cleaned, _ = sanitize.clean(value)
    stack = [cleaned]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            node.encode("utf-8")
            assert "\x00" not in node
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def test_cleaning_a_deeply_nested_answer_does_not_recurse() -> None:
    value: Any = "\ud800"
    for _ in range(100_000):
        value = [value]
    _, found = sanitize.clean(value)
    assert sum(found.values()) == 1


@FUZZ
@given(st.lists(st.lists(st.integers(0, 20), max_size=5), max_size=30))
def test_a_page_guard_never_allows_more_pages_than_new_items(pages: list[list[int]]) -> None:
    guard = PageGuard("server", "x")
    allowed = 0
    try:
        for index, ids in enumerate(pages):
            guard.more(ids, cursor=f"c{index}")
            allowed += 1
    except UpstreamError:
        pass
    assert allowed <= len({i for page in pages for i in page})
