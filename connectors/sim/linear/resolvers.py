"""Resolvers that execute the simulator's GraphQL subset over a ``LinearWorkspace`` "as of" now.

Connections behave like Linear's Relay connections: newest first for either ``orderBy``
(``createdAt`` by default), the node id as the cursor, ``first``/``after`` and
``last``/``before``, 50 items when no size is given, archived entities hidden unless
``includeArchived``. Filters implement the comparators the subset declares (``eq neq in nin
gt gte lt lte``, ``null``, ``and``/``or``); date values accept ISO 8601 instants and ISO
durations relative to now (``-P2W``), as ``DateTimeOrDuration`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, build_schema

from connectors.linear.complexity import SCHEMA_PATH
from connectors.sim.linear import model
from connectors.sim.linear.workspace import LinearWorkspace
from tracker.clock import ensure_utc, parse_time

DEFAULT_PAGE = 50
_DURATION = re.compile(
    r"^(?P<sign>[-+]?)P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


@dataclass
class Ctx:
    ws: LinearWorkspace
    rate_limit: dict[str, Any]

    @property
    def now(self) -> datetime:
        return self.ws.now


@cache
def simulator_schema() -> GraphQLSchema:
    schema = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
    date_time = schema.type_map["DateTime"]
    # graphql-core 3.3 reads coerce_output_value; 3.2 reads serialize.
    for hook in ("coerce_output_value", "serialize"):
        setattr(date_time, hook, _serialize_time)
    return schema


def _serialize_time(value: Any) -> str:
    if isinstance(value, datetime):
        text = ensure_utc(value).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    return str(value)


def not_found(kind: str) -> GraphQLError:
    return GraphQLError(
        f"Entity not found: {kind}",
        extensions={
            "type": "invalid input",
            "code": "INVALID_INPUT",
            "userError": True,
            "userPresentableMessage": f"Could not find referenced {kind}.",
        },
    )


_FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)


def resolve_field(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
    """The one field resolver: a specific one where time or lookups matter, else attributes."""
    special = _RESOLVERS.get((info.parent_type.name, info.field_name))
    if special is not None:
        return special(source, info.context, **args)
    if isinstance(source, Mapping):
        return source.get(info.field_name)
    return getattr(source, _snake(info.field_name), None)


@cache
def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# -- times ---------------------------------------------------------------------------------


def updated_at(entity: Any, ctx: Ctx) -> datetime:
    if isinstance(entity, model.Issue):
        newest, now = max(entity.bumps), ctx.now
        # The common case without a generator: every page sorts all of a team's issues by it.
        return newest if newest <= now else max(t for t in entity.bumps if t <= now)
    if isinstance(entity, model.HistoryEntry):
        return max(t for t in entity.times if t <= ctx.now)
    if isinstance(entity, model.Cycle):
        completed = _completed(entity, ctx)
        return completed or entity.created_at
    return created_at(entity)


def created_at(entity: Any) -> datetime:
    if isinstance(entity, model.HistoryEntry):
        return entity.times[0]
    value = getattr(entity, "created_at", None)
    return value if isinstance(value, datetime) else datetime.min


def _completed(cycle: model.Cycle, ctx: Ctx) -> datetime | None:
    return cycle.completed_at if cycle.completed_at and cycle.completed_at <= ctx.now else None


def moment(value: str, now: datetime) -> datetime:
    """A ``DateTimeOrDuration`` value: an instant, or an ISO duration relative to now."""
    match = _DURATION.match(value.strip())
    if match and any(match.group(k) for k in "wdhms"):
        parts = {k: int(match.group(k) or 0) for k in "wdhms"}
        delta = timedelta(
            weeks=parts["w"],
            days=parts["d"],
            hours=parts["h"],
            minutes=parts["m"],
            seconds=parts["s"],
        )
        return now - delta if match.group("sign") == "-" else now + delta
    parsed = parse_time(value)
    if parsed is None:
        raise GraphQLError(f"Invalid DateTimeOrDuration: {value!r}")
    return parsed


# -- filters -------------------------------------------------------------------------------

Getter = Callable[[Any, Ctx], Any]
_FIELDS: dict[str, dict[str, tuple[Getter, str | None]]] = {
    "IssueFilter": {
        "id": (lambda i, c: i.id, None),
        "team": (lambda i, c: i.team, "TeamFilter"),
        "updatedAt": (updated_at, None),
        "createdAt": (lambda i, c: i.created_at, None),
        "cycle": (lambda i, c: c.ws.cycle_of(i), "CycleFilter"),
    },
    "TeamFilter": {
        "id": (lambda t, c: t.id, None),
        "key": (lambda t, c: t.key, None),
        "name": (lambda t, c: t.name, None),
    },
    "CycleFilter": {
        "id": (lambda y, c: y.id, None),
        "number": (lambda y, c: y.number, None),
        "team": (lambda y, c: y.team, "TeamFilter"),
        "startsAt": (lambda y, c: y.starts_at, None),
    },
    "CommentFilter": {
        "createdAt": (lambda x, c: x.created_at, None),
        "updatedAt": (lambda x, c: x.created_at, None),
        "issue": (lambda x, c: x.issue, "IssueFilter"),
    },
    "AttachmentFilter": {
        "createdAt": (lambda x, c: x.created_at, None),
        "updatedAt": (lambda x, c: x.created_at, None),
    },
}


def matches(kind: str, condition: Mapping[str, Any] | None, entity: Any, ctx: Ctx) -> bool:
    for key, value in (condition or {}).items():
        if value is None or key == "null":
            continue
        if key == "and":
            ok = all(matches(kind, c, entity, ctx) for c in value)
        elif key == "or":
            ok = any(matches(kind, c, entity, ctx) for c in value)
        else:
            getter, nested = _FIELDS[kind][key]
            found = getter(entity, ctx)
            ok = _nested(nested, value, found, ctx) if nested else _compare(value, found, ctx)
        if not ok:
            return False
    return True


def _nested(kind: str, condition: Mapping[str, Any], found: Any, ctx: Ctx) -> bool:
    wants_null = condition.get("null")
    if wants_null is not None and (found is None) != wants_null:
        return False
    if found is None:
        return all(v is None for k, v in condition.items() if k != "null")
    return matches(kind, condition, found, ctx)


def _compare(condition: Mapping[str, Any], found: Any, ctx: Ctx) -> bool:
    def coerce(value: Any) -> Any:
        return moment(value, ctx.now) if isinstance(found, datetime) else value

    for op, raw in condition.items():
        if raw is None:
            continue
        if op in ("in", "nin"):
            inside = found in [coerce(v) for v in raw]
            ok = inside if op == "in" else not inside
        elif op in ("eq", "neq"):
            ok = (found == coerce(raw)) == (op == "eq")
        else:
            ok = found is not None and _ORDERED[op](found, coerce(raw))
        if not ok:
            return False
    return True


_ORDERED: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


# -- connections ---------------------------------------------------------------------------


def connection(items: Iterable[Any], ctx: Ctx, **args: Any) -> dict[str, Any]:
    order = args.get("orderBy") or "createdAt"
    live = [i for i in items if args.get("includeArchived") or not _archived(i, ctx)]

    def when(item: Any) -> datetime:
        return updated_at(item, ctx) if order == "updatedAt" else created_at(item)

    ordered = sorted(live, key=lambda i: (when(i), i.id), reverse=True)
    ids = [i.id for i in ordered]
    start, stop = 0, len(ordered)
    if args.get("after") is not None:
        start = _position(ids, args["after"]) + 1
    if args.get("before") is not None:
        stop = _position(ids, args["before"])
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        first = DEFAULT_PAGE
    if first is not None:
        stop = min(stop, start + first)
    if last is not None:
        start = max(start, stop - last)
    page = ordered[start:stop] if start < stop else []
    return {
        "nodes": page,
        "edges": [{"cursor": i.id, "node": i} for i in page],
        "pageInfo": {
            "hasNextPage": stop < len(ordered),
            "hasPreviousPage": start > 0,
            "startCursor": page[0].id if page else None,
            "endCursor": page[-1].id if page else None,
        },
    }


def _position(ids: list[str], cursor: str) -> int:
    try:
        return ids.index(cursor)
    except ValueError:
        raise GraphQLError(
            "Argument Validation Error: cursor is not valid",
            extensions={"type": "invalid input", "code": "INVALID_INPUT", "userError": True},
        ) from None


def _archived(entity: Any, ctx: Ctx) -> bool:
    archived = getattr(entity, "archived_at", None)
    return isinstance(archived, datetime) and archived <= ctx.now


def filtered(kind: str, items: Iterable[Any], ctx: Ctx, args: Mapping[str, Any]) -> list[Any]:
    return [i for i in items if matches(kind, args.get("filter"), i, ctx)]


# -- per-field resolvers -------------------------------------------------------------------


def _issues(items: Iterable[model.Issue], ctx: Ctx, **args: Any) -> dict[str, Any]:
    visible = [i for i in items if i.created_at <= ctx.now]
    return connection(filtered("IssueFilter", visible, ctx, args), ctx, **args)


def _cycles(items: Iterable[model.Cycle], ctx: Ctx, **args: Any) -> dict[str, Any]:
    visible = [y for y in items if y.created_at <= ctx.now]
    return connection(filtered("CycleFilter", visible, ctx, args), ctx, **args)


def _lookup(items: Iterable[Any], key: str, kind: str, *names: str) -> Any:
    for item in items:
        if any(getattr(item, n) == key for n in names):
            return item
    raise not_found(kind)


def _issue_by_id(ctx: Ctx, id: str) -> model.Issue:
    found: model.Issue = _lookup(ctx.ws.visible_issues(), id, "Issue", "id", "identifier")
    return found


issue_by_id = _issue_by_id


def _cycle_active(cycle: model.Cycle, ctx: Ctx) -> bool:
    return cycle.starts_at <= ctx.now and _completed(cycle, ctx) is None


def _ends_at(cycle: model.Cycle, ctx: Ctx) -> datetime:
    completed = _completed(cycle, ctx)
    return completed if completed and completed < cycle.ends_at else cycle.ends_at


def _added_to_cycle(issue: model.Issue, ctx: Ctx) -> datetime | None:
    moves = [(t, c) for t, c in issue.cycles if t <= ctx.now]
    return moves[-1][0] if moves and moves[-1][1] is not None else None


def _history_of(issue: model.Issue, ctx: Ctx) -> list[model.HistoryEntry]:
    mine = ctx.ws.grouped("history").get(issue.id, [])
    return [h for h in mine if h.issue is issue and h.times[0] <= ctx.now]


def _by_issue(kind: str, issue: model.Issue, ctx: Ctx, attr: str = "issue") -> list[Any]:
    mine = ctx.ws.grouped(kind, attr).get(issue.id, [])
    return [x for x in mine if getattr(x, attr) is issue and x.created_at <= ctx.now]


def _parent(comment: model.Comment, ctx: Ctx) -> model.Comment | None:
    if comment.parent_id is None:
        return None
    found: model.Comment = _lookup(ctx.ws.comments, comment.parent_id, "Comment", "id")
    return found


Resolver = Callable[..., Any]
_RESOLVERS: dict[tuple[str, str], Resolver] = {
    ("Query", "viewer"): lambda _, c: c.ws.viewer,
    ("Query", "teams"): lambda _, c, **a: connection(
        filtered("TeamFilter", c.ws.teams, c, a), c, **a
    ),
    ("Query", "team"): lambda _, c, id: _lookup(c.ws.teams, id, "Team", "id", "key"),
    ("Query", "cycles"): lambda _, c, **a: _cycles(c.ws.cycles, c, **a),
    ("Query", "issues"): lambda _, c, **a: _issues(c.ws.issues, c, **a),
    ("Query", "issue"): lambda _, c, id: _issue_by_id(c, id),
    ("Query", "comments"): lambda _, c, **a: connection(
        filtered("CommentFilter", [x for x in c.ws.comments if x.created_at <= c.now], c, a), c, **a
    ),
    ("Query", "attachments"): lambda _, c, **a: connection(
        filtered("AttachmentFilter", [x for x in c.ws.attachments if x.created_at <= c.now], c, a),
        c,
        **a,
    ),
    ("Query", "rateLimitStatus"): lambda _, c: c.rate_limit,
    ("Team", "cycles"): lambda t, c, **a: _cycles([y for y in c.ws.cycles if y.team is t], c, **a),
    ("Team", "issues"): lambda t, c, **a: _issues([i for i in c.ws.issues if i.team is t], c, **a),
    ("Team", "activeCycle"): lambda t, c: next(
        (y for y in c.ws.cycles if y.team is t and _cycle_active(y, c)), None
    ),
    ("Cycle", "issues"): lambda y, c, **a: _issues(
        [i for i in c.ws.issues if c.ws.cycle_of(i) is y], c, **a
    ),
    ("Cycle", "completedAt"): lambda y, c: _completed(y, c),
    ("Cycle", "endsAt"): _ends_at,
    ("Cycle", "isActive"): _cycle_active,
    ("Cycle", "isFuture"): lambda y, c: y.starts_at > c.now,
    ("Cycle", "isPast"): lambda y, c: _completed(y, c) is not None,
    ("Cycle", "updatedAt"): updated_at,
    ("Cycle", "inheritedFrom"): lambda y, c: None,
    ("Issue", "description"): lambda i, c: c.ws.description_of(i),
    ("Issue", "updatedAt"): updated_at,
    ("Issue", "cycle"): lambda i, c: c.ws.cycle_of(i),
    ("Issue", "addedToCycleAt"): _added_to_cycle,
    ("Issue", "state"): lambda i, c: model.latest(i.states, c.now),
    ("Issue", "archivedAt"): lambda i, c: i.archived_at if _archived(i, c) else None,
    ("Issue", "priority"): lambda i, c: 0.0,
    ("Issue", "estimate"): lambda i, c: model.latest([(_FAR_PAST, None), *i.estimates], c.now),
    ("Issue", "labels"): lambda i, c, **a: connection(i.labels, c, **a),
    ("Issue", "history"): lambda i, c, **a: connection(_history_of(i, c), c, **a),
    ("Issue", "comments"): lambda i, c, **a: connection(_by_issue("comments", i, c), c, **a),
    ("Issue", "attachments"): lambda i, c, **a: connection(_by_issue("attachments", i, c), c, **a),
    ("Issue", "relations"): lambda i, c, **a: connection(_by_issue("relations", i, c), c, **a),
    ("Issue", "inverseRelations"): lambda i, c, **a: connection(
        _by_issue("relations", i, c, "related"), c, **a
    ),
    ("IssueHistory", "createdAt"): lambda h, c: h.times[0],
    ("IssueHistory", "updatedAt"): updated_at,
    ("IssueHistory", "actorId"): lambda h, c: h.actor.id if h.actor else None,
    ("IssueHistory", "botActor"): lambda h, c: h.bot,
    ("IssueHistory", "fromCycleId"): lambda h, c: h.from_cycle.id if h.from_cycle else None,
    ("IssueHistory", "toCycleId"): lambda h, c: h.to_cycle.id if h.to_cycle else None,
    ("IssueHistory", "relationChanges"): lambda h, c: (
        None
        if h.relation_changes is None
        else [{"identifier": ident, "type": kind} for ident, kind in h.relation_changes]
    ),
    ("Comment", "url"): lambda x, c: f"{x.issue.url}#comment-{x.id[:8]}",
    ("Comment", "updatedAt"): lambda x, c: x.created_at,
    ("Comment", "botActor"): lambda x, c: x.bot,
    ("Comment", "parent"): _parent,
    ("Attachment", "updatedAt"): lambda x, c: x.created_at,
    ("Attachment", "metadata"): lambda x, c: {},
    ("IssueRelation", "relatedIssue"): lambda r, c: r.related,
    ("IssueRelation", "updatedAt"): lambda r, c: r.created_at,
}


# Imported last: the mutations use the lookups above.
from connectors.sim.linear.mutations import MUTATIONS  # noqa: E402

_RESOLVERS.update(MUTATIONS)
