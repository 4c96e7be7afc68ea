"""What the simulated Linear charges a query: its own reading of Linear's published rule.

Linear documents that a scalar costs 0.1, an object 1, and that a connection multiplies what
it holds by its page size (``first``/``last``, else 50), the total rounded up; its examples
are ``user { name }`` = 2 and ``user { createdIssues { nodes { id title createdAt } } }`` = 66
(14 with ``first: 10``), and two third-party measurements of nested ``teams``/``states``
give 69,025 and 14,025 (``tests/connectors/test_linear_sim_complexity.py`` holds all five as
fixtures). Those numbers fix the reading: the connection field is free, each item of its page
(``nodes``/``edges``) is charged as an object, and the page's ``pageInfo`` once.

This is deliberately not the connector's estimator (``connectors.linear.complexity``): the
simulator enforces the 10,000-point ceiling and the hourly budget with this one, so a wrong
formula in the connector shows up as a refused query in its tests instead of passing them.
It walks the document with a running *weight* (the product of the enclosing page sizes)
and charges each field its unit cost times that weight.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)

CEILING = 10_000  # points: any single query above is refused
PAGE_DEFAULT = 50
SCALAR = 0.1
OBJECT = 1.0

_Type = GraphQLObjectType | GraphQLInterfaceType


def charge(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any],
    operation: str | None,
) -> int:
    """Points for running ``operation`` of ``document`` with ``variables``."""
    definitions = document.definitions
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    chosen = [
        d
        for d in definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation is None or (d.name is not None and d.name.value == operation))
    ]
    if not chosen:
        raise ValueError(f"the document has no operation {operation!r}")
    op = chosen[0]
    values = dict(variables)
    for definition in op.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    root = schema.mutation_type if op.operation.value == "mutation" else schema.query_type
    if root is None:
        raise ValueError("the schema has no root type for this operation")
    points = _Tally(fragments, values).selections(root, op.selection_set, 1.0)
    return math.ceil(points - 1e-9)  # 0.1 steps add up to 66.00000000000001


class _Tally:
    def __init__(
        self, fragments: Mapping[str, FragmentDefinitionNode], values: Mapping[str, Any]
    ) -> None:
        self.fragments = fragments
        self.values = values

    def selections(
        self, owner: _Type, selection_set: SelectionSetNode | None, weight: float
    ) -> float:
        points = 0.0
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                points += self.field(owner, node, weight)
            elif isinstance(node, InlineFragmentNode):
                points += self.selections(owner, node.selection_set, weight)
            elif isinstance(node, FragmentSpreadNode):
                points += self.selections(
                    owner, self.fragments[node.name.value].selection_set, weight
                )
        return points

    def field(self, owner: _Type, node: FieldNode, weight: float) -> float:
        definition = owner.fields.get(node.name.value)
        if definition is None:  # __typename and the like are free
            return 0.0
        target = get_named_type(definition.type)
        if not isinstance(target, GraphQLObjectType | GraphQLInterfaceType):
            return SCALAR * weight
        if _is_page(target, definition):
            # Free itself; its items weigh the page size each, its pageInfo weighs once.
            size = weight * self.page_size(node)
            points = 0.0
            for child in node.selection_set.selections if node.selection_set else ():
                items = isinstance(child, FieldNode) and child.name.value in ("nodes", "edges")
                points += self.selections(
                    target, SelectionSetNode(selections=(child,)), size if items else weight
                )
            return points
        return OBJECT * weight + self.selections(target, node.selection_set, weight)

    def page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = (
                self.values.get(argument.value.name.value)
                if isinstance(argument.value, VariableNode)
                else value_from_ast_untyped(argument.value)
            )
            if isinstance(value, int):
                return value
        return PAGE_DEFAULT


def _is_page(target: _Type, definition: GraphQLField) -> bool:
    """A Relay connection: a page of ``nodes`` with its ``pageInfo``, asked with first/last."""
    return (
        "nodes" in target.fields
        and "pageInfo" in target.fields
        and bool({"first", "last"} & set(definition.args))
    )
