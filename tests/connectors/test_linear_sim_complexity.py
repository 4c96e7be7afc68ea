"""The simulated Linear's own complexity rule against Linear's published numbers, and the
connector's estimator against the simulator's (two implementations, one rule)."""

from __future__ import annotations

import pytest
from graphql import build_schema, parse

from connectors.linear import queries
from connectors.linear.complexity import price
from connectors.sim.linear.complexity import charge
from connectors.sim.linear.resolvers import simulator_schema

# Just enough of Linear's published schema for its examples.
EXAMPLES_SCHEMA = build_schema(
    """
    type Query {
      user(id: String!): User!
      teams(first: Int, after: String): TeamConnection!
    }
    type User { id: ID! name: String! createdIssues(first: Int): IssueConnection! }
    type Issue { id: ID! title: String! createdAt: String! }
    type IssueConnection { nodes: [Issue!]! pageInfo: PageInfo! }
    type Team { id: ID! states(first: Int): WorkflowStateConnection! }
    type TeamConnection { nodes: [Team!]! pageInfo: PageInfo! }
    type WorkflowState { id: ID! }
    type WorkflowStateConnection { nodes: [WorkflowState!]! pageInfo: PageInfo! }
    type PageInfo { hasNextPage: Boolean! endCursor: String }
    """
)


@pytest.mark.parametrize(
    ("query", "points"),
    [
        # Linear's documentation
        ('{ user(id: "me") { name } }', 2),
        ('{ user(id: "me") { createdIssues { nodes { id title createdAt } } } }', 66),
        ('{ user(id: "me") { createdIssues(first: 10) { nodes { id title createdAt } } } }', 14),
        # third-party live measurements (both refused: over 10,000)
        ("{ teams(first: 250) { nodes { id states(first: 250) { nodes { id } } } } }", 69_025),
        ("{ teams(first: 250) { nodes { id states(first: 50) { nodes { id } } } } }", 14_025),
    ],
)
def test_linears_published_numbers(query: str, points: int) -> None:
    assert charge(EXAMPLES_SCHEMA, parse(query), {}, None) == points


def test_page_sizes_come_from_variables_and_their_defaults() -> None:
    document = parse(
        'query Q($n: Int = 10) { user(id: "me") { createdIssues(first: $n) { nodes { id } } } }'
    )
    assert charge(EXAMPLES_SCHEMA, document, {}, "Q") == 12  # 1 + 10 x 1.1
    assert charge(EXAMPLES_SCHEMA, document, {"n": 20}, "Q") == 23  # 1 + 20 x 1.1
    with pytest.raises(ValueError, match="no operation"):
        charge(EXAMPLES_SCHEMA, document, {}, "Other")


@pytest.mark.parametrize("operation", sorted(queries.DOCUMENTS))
def test_the_connector_prices_each_query_as_the_simulator_charges_it(operation: str) -> None:
    document, variables = queries.DOCUMENTS[operation]
    charged = charge(simulator_schema(), parse(document), variables, operation)
    assert price(document, operation, variables) == charged
    assert charged <= 10_000
