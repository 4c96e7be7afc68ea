"""Linear's documented query-complexity formula, so a document's cost is known before it is sent.

Linear charges every query against an hourly complexity budget and rejects any single query
above ``MAX_QUERY_COMPLEXITY`` outright, whatever budget remains. The documented formula:
a scalar field costs 0.1, an object costs 1, and a connection multiplies the cost of its items
by ``first`` (or ``last``), 50 when neither is given; the total is rounded up.

Read together with Linear's published examples (``user{name}`` = 2,
``user{createdIssues{nodes{id title createdAt}}}`` = 66, and 14 with ``first: 10``) and two
third-party live measurements (69,025 and 14,025 points for nested ``teams``/``states``), the
connection field itself is free and its ``nodes``/``edges`` are what gets multiplied. ``pageInfo``
(and any other non-item child) is counted once: the reference's estimates for the example
queries (~880 points for ``IssuesUpdatedSince`` at ``first: 100``) only come out that way. A
plain list of objects that is not a connection (``descriptionUpdatedBy: [User!]``) has no
documented multiplier and is counted as one object. The real charge comes back in the
``X-Complexity`` header; this estimate is for sizing pages and for pacing, not for billing.

At run time the connector prices each query with ``price``, against ``schema.graphql`` beside
this module (the part of Linear's published schema its documents use), so the client can wait
for the hourly budget to refill instead of sending a query Linear would reject.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    build_schema,
    get_named_type,
    parse,
    value_from_ast_untyped,
)

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
MAX_QUERY_COMPLEXITY = 10_000
DEFAULT_PAGE_SIZE = 50
SCALAR_COST = 0.1
OBJECT_COST = 1.0
_ITEM_FIELDS = frozenset({"nodes", "edges"})

_Composite = GraphQLObjectType | GraphQLInterfaceType


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selection_cost(self, parent: _Composite, selection_set: SelectionSetNode | None) -> float:
        if selection_set is None:
            return 0.0
        total = 0.0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                total += self.selection_cost(
                    self._condition(parent, selection), selection.selection_set
                )
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                total += self.selection_cost(
                    self._condition(parent, fragment), fragment.selection_set
                )
        return total

    def _condition(
        self, parent: _Composite, node: InlineFragmentNode | FragmentDefinitionNode
    ) -> _Composite:
        if node.type_condition is None:
            return parent
        found = self.schema.get_type(node.type_condition.name.value)
        return found if isinstance(found, GraphQLObjectType | GraphQLInterfaceType) else parent

    def field_cost(self, parent: _Composite, node: FieldNode) -> float:
        name = node.name.value
        if name.startswith("__"):
            return 0.0
        field = parent.fields.get(name)
        if field is None:
            return 0.0
        named = get_named_type(field.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            return SCALAR_COST
        if _is_connection(named, field.args):
            return self._connection_cost(named, node)
        return OBJECT_COST + self.selection_cost(named, node.selection_set)

    def _connection_cost(self, connection: _Composite, node: FieldNode) -> float:
        size = self._page_size(node)
        total = 0.0
        assert node.selection_set is not None  # an object field always has a selection set
        for selection in node.selection_set.selections:
            cost = self.selection_cost(connection, SelectionSetNode(selections=(selection,)))
            is_items = isinstance(selection, FieldNode) and selection.name.value in _ITEM_FIELDS
            total += cost * size if is_items else cost
        return total

    def _page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                if isinstance(argument.value, VariableNode):
                    value = self.variables.get(argument.value.name.value)
                else:
                    value = value_from_ast_untyped(argument.value)
                if isinstance(value, int):
                    return value
        return DEFAULT_PAGE_SIZE


def _is_connection(named: _Composite, args: Mapping[str, Any]) -> bool:
    return named.name.endswith("Connection") and ("first" in args or "last" in args)


def estimate_complexity(
    document: str | DocumentNode,
    schema: GraphQLSchema,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """Linear's complexity points for one operation of ``document`` with ``variables``.

    Variables not given take the operation's declared defaults; a page size that is still
    unknown counts as Linear's default of 50.
    """
    doc = parse(document) if isinstance(document, str) else document
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = _operation(doc, operation_name)
    values = _variable_defaults(operation)
    values.update(variables or {})
    root = schema.query_type
    if operation.operation.value == "mutation" and schema.mutation_type is not None:
        root = schema.mutation_type
    if root is None:
        raise ValueError("the schema has no root type for this operation")
    walker = _Walker(schema, fragments, values)
    total = walker.selection_cost(root, operation.selection_set)
    # round() first: 0.1 steps accumulate float error (66.00000000000001 must be 66).
    return math.ceil(round(total, 6))


@cache
def connector_schema() -> GraphQLSchema:
    """The subset of Linear's published schema that the connector's documents use."""
    return build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def _parsed(document: str) -> DocumentNode:
    return parse(document)  # a sync sends the same few documents hundreds of times


def price(document: str, operation_name: str, variables: Mapping[str, Any] | None = None) -> int:
    """What Linear will charge for one of the connector's operations, before it is sent:
    ``estimate_complexity`` against ``connector_schema``, each document parsed once."""
    return estimate_complexity(_parsed(document), connector_schema(), variables, operation_name)


def _operation(doc: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        if name is None or (operation.name is not None and operation.name.value == name):
            return operation
    raise ValueError(f"no operation named {name!r} in the document")


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            defaults[definition.variable.name.value] = value_from_ast_untyped(
                definition.default_value
            )
    return defaults
