"""Every GraphQL document the Linear connector sends: valid against Linear's published schema,
priced with Linear's documented complexity formula, and built from bookmarks by pure functions."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, parse, validate

from connectors.linear import queries
from connectors.linear.complexity import (
    MAX_QUERY_COMPLEXITY,
    connector_schema,
    estimate_complexity,
    price,
)
from connectors.linear.source import attachment_filter, comment_filter, issue_filter, wire_time


def shared_dir() -> Path:
    explicit = os.environ.get("TRACKER_SHARED_DIR")
    return Path(explicit) if explicit else Path(__file__).resolve().parents[2].parent / "shared"


@cache
def _published() -> GraphQLSchema | None:
    path = shared_dir() / "linear" / "schema.graphql"
    return build_schema(path.read_text(encoding="utf-8")) if path.is_file() else None


@pytest.fixture(scope="module")
def linear_schema() -> GraphQLSchema:
    schema = _published()
    if schema is None:
        pytest.skip("Linear's published schema (shared/linear/schema.graphql) is not here")
    return schema


def test_every_document_constant_is_listed() -> None:
    constants = {
        name
        for name, value in vars(queries).items()
        if name.isupper() and isinstance(value, str) and "\nquery " in value
    }
    listed = {doc for doc, _ in queries.DOCUMENTS.values()}
    missing = {name for name in constants if getattr(queries, name) not in listed}
    assert not missing, f"documents missing from queries.DOCUMENTS: {missing}"


@pytest.mark.parametrize("operation", sorted(queries.DOCUMENTS))
def test_document_validates_against_published_schema(
    operation: str, linear_schema: GraphQLSchema
) -> None:
    document, _ = queries.DOCUMENTS[operation]
    errors = validate(linear_schema, parse(document))
    assert errors == [], [e.message for e in errors]
    assert parse(document).definitions[0].name.value == operation  # type: ignore[attr-defined]


@pytest.mark.parametrize("operation", sorted(queries.DOCUMENTS))
def test_document_stays_under_linear_complexity_ceiling(
    operation: str, linear_schema: GraphQLSchema
) -> None:
    document, variables = queries.DOCUMENTS[operation]
    cost = estimate_complexity(document, linear_schema, variables, operation)
    assert 0 < cost < MAX_QUERY_COMPLEXITY


@pytest.mark.parametrize("operation", sorted(queries.DOCUMENTS))
def test_runtime_price_is_the_published_schema_price(
    operation: str, linear_schema: GraphQLSchema
) -> None:
    """The client prices queries against the bundled subset: it must know every field a
    document selects (an unknown field would be priced at nothing) and agree with Linear's."""
    document, variables = queries.DOCUMENTS[operation]
    assert validate(connector_schema(), parse(document)) == []
    published = estimate_complexity(document, linear_schema, variables, operation)
    assert price(document, operation, variables) == published


def test_issue_page_is_sized_to_the_ceiling(linear_schema: GraphQLSchema) -> None:
    document, variables = queries.DOCUMENTS["IssuesPage"]
    cost = estimate_complexity(document, linear_schema, variables, "IssuesPage")
    doubled = estimate_complexity(
        document, linear_schema, {**variables, "last": 2 * queries.ISSUE_PAGE}, "IssuesPage"
    )
    assert cost > MAX_QUERY_COMPLEXITY / 2, "pages could be larger"
    assert doubled > MAX_QUERY_COMPLEXITY, "the page-size comment in queries.py is stale"


# Linear's published examples and two third-party live measurements.
@pytest.mark.parametrize(
    ("document", "points"),
    [
        ('{ user(id: "u") { name } }', 2),
        ('{ user(id: "u") { createdIssues { nodes { id title createdAt } } } }', 66),
        ('{ user(id: "u") { createdIssues(first: 10) { nodes { id title createdAt } } } }', 14),
        ("{ teams(first: 250) { nodes { id states(first: 250) { nodes { id } } } } }", 69_025),
        ("{ teams(first: 250) { nodes { id states(first: 50) { nodes { id } } } } }", 14_025),
    ],
)
def test_estimator_reproduces_linear_examples(
    document: str, points: int, linear_schema: GraphQLSchema
) -> None:
    assert estimate_complexity(document, linear_schema) == points


def test_estimator_reads_variables_defaults_and_fragments(linear_schema: GraphQLSchema) -> None:
    inline = "{ issues(first: 10) { nodes { id title } } }"
    with_fragment = (
        "query Q($n: Int = 10) { issues(first: $n) { nodes { ...F } } } "
        "fragment F on Issue { id title }"
    )
    assert estimate_complexity(inline, linear_schema) == 12
    assert estimate_complexity(with_fragment, linear_schema) == 12
    assert estimate_complexity(with_fragment, linear_schema, {"n": 100}) == 120


def test_estimator_counts_page_info_once(linear_schema: GraphQLSchema) -> None:
    bare = "{ issues(first: 100) { nodes { id } } }"
    paged = "{ issues(first: 100) { nodes { id } pageInfo { hasNextPage endCursor } } }"
    assert estimate_complexity(paged, linear_schema) - estimate_complexity(bare, linear_schema) == 2


def test_wire_time_is_linear_form() -> None:
    paris = timezone(timedelta(hours=1))
    assert wire_time(datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=paris)) == (
        "2026-03-02T09:00:00.123Z"
    )


def test_issue_filter_is_inclusive_from_the_bookmark() -> None:
    since = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert issue_filter(["ENG"], since) == {
        "team": {"key": {"in": ["ENG"]}},
        "updatedAt": {"gte": "2026-03-02T09:00:00.000Z"},
    }
    assert issue_filter(["ENG", "OPS"], None) == {"team": {"key": {"in": ["ENG", "OPS"]}}}


def test_discussion_filters_scope_to_teams_where_linear_allows() -> None:
    since = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert comment_filter(["ENG"], since)["issue"] == {"team": {"key": {"in": ["ENG"]}}}
    # AttachmentFilter has no issue/team field: the team is checked client-side.
    assert attachment_filter(since) == {"updatedAt": {"gte": "2026-03-02T09:00:00.000Z"}}


def test_filters_validate_as_variables(linear_schema: GraphQLSchema) -> None:
    from graphql import GraphQLError, Undefined, coerce_input_value

    since = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for type_name, value in (
        ("IssueFilter", issue_filter(["ENG"], since)),
        ("CommentFilter", comment_filter(["ENG"], since)),
        ("AttachmentFilter", attachment_filter(since)),
    ):
        input_type = linear_schema.type_map[type_name]
        coerced = coerce_input_value(value, input_type)  # type: ignore[arg-type]
        assert coerced is not Undefined and coerced == value, type_name
    try:  # graphql-core 3.3 answers Undefined for an invalid value, 3.2 raises
        bad = coerce_input_value({"team": {"keys": ["ENG"]}}, linear_schema.type_map["IssueFilter"])  # type: ignore[arg-type]
    except GraphQLError:
        bad = Undefined
    assert bad is Undefined
