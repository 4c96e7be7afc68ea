"""The Linear simulator: its schema is a true subset of Linear's, and it behaves like Linear
where the connector depends on it (auth, headers, pagination, filters, history, time)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from demo_answers import LINEAR_EXPECTED as EXPECTED
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
)

from connectors.linear.complexity import SCHEMA_PATH
from connectors.sim.linear import (
    LINEAR_DEMO,
    LinearSimulator,
    LinearWorkspace,
    build_demo_linear_workspace,
    demo_poll_times,
)
from tracker import clock

KEY = LINEAR_DEMO.api_key
T0 = datetime(2026, 3, 10, 12, tzinfo=UTC)


def shared_dir() -> Path:
    explicit = os.environ.get("TRACKER_SHARED_DIR")
    return Path(explicit) if explicit else Path(__file__).resolve().parents[2].parent / "shared"


@cache
def _published() -> GraphQLSchema | None:
    path = shared_dir() / "linear" / "schema.graphql"
    return build_schema(path.read_text(encoding="utf-8")) if path.is_file() else None


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    clock.set_clock(lambda: T0)
    yield
    clock.reset_clock()


def test_simulator_schema_is_a_subset_of_linear_published_schema() -> None:
    published = _published()
    if published is None:
        pytest.skip("Linear's published schema (shared/linear/schema.graphql) is not here")
    ours = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
    problems: list[str] = []
    for name, ours_type in ours.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        theirs = published.type_map.get(name)
        if theirs is None or type(theirs) is not type(ours_type):
            problems.append(f"{name}: missing or a different kind")
            continue
        problems += _compare_type(name, ours_type, theirs)
    assert problems == []


def _compare_type(name: str, ours: Any, theirs: Any) -> list[str]:
    if isinstance(ours, GraphQLScalarType):
        return []
    if isinstance(ours, GraphQLEnumType):
        return [f"{name}.{v}" for v in ours.values if v not in theirs.values]
    problems: list[str] = []
    assert isinstance(ours, GraphQLObjectType | GraphQLInputObjectType)
    for field_name, field in ours.fields.items():
        other = theirs.fields.get(field_name)
        if other is None or str(other.type) != str(field.type):
            problems.append(f"{name}.{field_name}: {field.type} vs {other and other.type}")
            continue
        for arg_name, arg in getattr(field, "args", {}).items():
            their_arg = other.args.get(arg_name)
            if their_arg is None or str(their_arg.type) != str(arg.type):
                problems.append(f"{name}.{field_name}({arg_name})")
            elif their_arg.default_value != arg.default_value:
                problems.append(f"{name}.{field_name}({arg_name}) default")
    return problems


def post(sim: LinearSimulator, query: str, variables: dict[str, Any] | None = None,
         auth: str | None = KEY, operation: str | None = None) -> httpx.Response:  # fmt: skip
    headers = {"Authorization": auth} if auth else {}
    body = {"query": query, "variables": variables or {}, "operationName": operation}
    return httpx.post(sim.url, json=body, headers=headers, timeout=5)


@pytest.fixture
def demo() -> Iterator[tuple[LinearWorkspace, LinearSimulator]]:
    ws = build_demo_linear_workspace()
    with LinearSimulator(ws, api_key=KEY) as sim:
        yield ws, sim


def test_auth_accepts_the_raw_key_and_refuses_bearer_key(demo: Any) -> None:
    _, sim = demo
    assert post(sim, "{ viewer { email } }").json() == {
        "data": {"viewer": {"email": "priya@acme.com"}}
    }
    refused = post(sim, "{ viewer { email } }", auth=f"Bearer {KEY}")
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert error["extensions"]["type"] == "authentication error"
    assert post(sim, "{ viewer { email } }", auth=None).status_code == 400


def test_headers_on_every_response(demo: Any) -> None:
    _, sim = demo
    response = post(sim, "{ viewer { id name } }")
    assert response.headers["X-Complexity"] == "2"
    assert int(response.headers["X-RateLimit-Requests-Remaining"]) == 2499
    assert int(response.headers["X-RateLimit-Complexity-Remaining"]) == 3_000_000 - 2
    reset_ms = int(response.headers["X-RateLimit-Requests-Reset"])
    assert reset_ms > T0.timestamp() * 1000  # epoch milliseconds, in the future
    assert sim.complexity == 2


def test_ratelimited_shape(demo: Any) -> None:
    _, sim = demo
    sim.fail_next("ratelimited")
    response = post(sim, "{ viewer { id } }", operation=None)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "RATELIMITED"
    assert response.headers["X-RateLimit-Requests-Remaining"] == "0"
    assert post(sim, "{ viewer { id } }").status_code == 200


def test_spent_points_refuse_a_query_until_the_bucket_refills() -> None:
    at = [T0]
    teams = "{ teams(first: 50) { nodes { id key name cyclesEnabled } } }"  # 70 points
    ws = build_demo_linear_workspace()
    with LinearSimulator(ws, api_key=KEY, complexity_per_hour=100, clock_fn=lambda: at[0]) as sim:
        assert post(sim, teams).headers["X-RateLimit-Complexity-Remaining"] == "30"
        refused = post(sim, teams, operation=None)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATELIMITED"
        assert refused.headers["X-RateLimit-Complexity-Remaining"] == "30"  # charged nothing
        full_at = int(refused.headers["X-RateLimit-Complexity-Reset"])
        assert full_at == int(T0.timestamp() * 1000) + 70 * 36_000  # 100 an hour: 36 s each
        at[0] = T0 + timedelta(seconds=40 * 36 - 1)  # one second short of 70
        assert post(sim, teams).status_code == 400
        at[0] = T0 + timedelta(seconds=40 * 36)
        assert post(sim, teams).status_code == 200
    assert sim.rate_limited == {"anonymous": 2} and sim.complexity == 140


def test_too_complex_query_is_refused(demo: Any) -> None:
    _, sim = demo
    query = "{ issues(first: 250) { nodes { comments(first: 250) { nodes { id body } } } } }"
    response = post(sim, query)
    assert response.status_code == 200 and "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_bad_query_is_200_with_errors(demo: Any) -> None:
    _, sim = demo
    response = post(sim, "{ issues { nodes { fromDescription } } }")
    assert response.status_code == 200
    assert "fromDescription" in response.json()["errors"][0]["message"]


ISSUES = """
query P($last: Int, $first: Int, $before: String, $after: String, $filter: IssueFilter) {
  issues(last: $last, first: $first, before: $before, after: $after, filter: $filter,
         orderBy: updatedAt, includeArchived: true) {
    nodes { identifier updatedAt }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def _walk(sim: LinearSimulator, backwards: bool) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        size, at = ("last", "before") if backwards else ("first", "after")
        data = post(sim, ISSUES, {size: 4, at: cursor}).json()["data"]["issues"]
        stamps = [n["updatedAt"] for n in data["nodes"]]
        seen += reversed(stamps) if backwards else stamps
        info = data["pageInfo"]
        if not info["hasPreviousPage" if backwards else "hasNextPage"]:
            return seen
        cursor = info["startCursor" if backwards else "endCursor"]


def test_default_order_is_newest_first_and_backwards_paging_is_oldest_first(demo: Any) -> None:
    _, sim = demo
    forwards, backwards = _walk(sim, backwards=False), _walk(sim, backwards=True)
    assert forwards == sorted(forwards, reverse=True)
    assert backwards == sorted(backwards) == sorted(forwards)
    assert len(forwards) == 18


def test_updated_at_filter_with_instant_and_duration(demo: Any) -> None:
    ws, sim = demo
    ws.advance_to(datetime(2026, 3, 12, 23, tzinfo=UTC))
    since = {"filter": {"updatedAt": {"gte": "2026-03-12T00:00:00.000Z"}}, "first": 50}
    by_instant = post(sim, ISSUES, since).json()["data"]["issues"]["nodes"]
    recent = {"filter": {"updatedAt": {"gt": "-PT23H"}}, "first": 50}
    by_duration = post(sim, ISSUES, recent).json()["data"]["issues"]["nodes"]
    assert {n["identifier"] for n in by_instant} == {"ENG-110", "ENG-113"}
    assert by_duration == by_instant


def test_the_workspace_is_served_as_of_now(demo: Any) -> None:
    ws, sim = demo
    query = '{ issue(id: "ENG-110") { description updatedAt cycle { number } history(first: 10) { nodes { updatedDescription } } } }'
    ws.advance_to(datetime(2026, 3, 3, 12, tzinfo=UTC))
    before = post(sim, query).json()["data"]["issue"]
    ws.advance_to(datetime(2026, 3, 3, 23, tzinfo=UTC))
    after = post(sim, query).json()["data"]["issue"]
    assert "expire" not in before["description"] and "expire after 7 days" in after["description"]
    assert before["history"]["nodes"] == [] and len(after["history"]["nodes"]) == 1
    assert after["updatedAt"] == "2026-03-03T13:00:00.000Z"
    assert ws.as_of(datetime(2026, 3, 1, tzinfo=UTC)).now != ws.now


def test_issue_created_later_does_not_exist_yet(demo: Any) -> None:
    ws, sim = demo
    ws.advance_to(datetime(2026, 3, 3, tzinfo=UTC))
    error = post(sim, '{ issue(id: "ENG-120") { id } }').json()["errors"][0]
    assert error["message"] == "Entity not found: Issue" and error["path"] == ["issue"]


def test_saves_by_one_person_within_minutes_share_one_history_entry(demo: Any) -> None:
    _, sim = demo
    query = (
        '{ issue(id: "ENG-111") { history { nodes { createdAt updatedAt updatedDescription } } } }'
    )
    nodes = post(sim, query).json()["data"]["issue"]["history"]["nodes"]
    assert [(n["createdAt"], n["updatedAt"]) for n in nodes] == [
        ("2026-03-09T14:06:00.000Z", "2026-03-09T14:06:00.000Z"),  # 4 min after the last save
        ("2026-03-09T14:00:00.000Z", "2026-03-09T14:02:00.000Z"),  # two saves, one entry
    ]


def test_cycles_as_of_now_and_early_close_rewrites_ends_at() -> None:
    ws = LinearWorkspace(now=T0)
    team = ws.add_team("OPS", "Operations")
    ws.add_cycle(team, 1, T0 - timedelta(days=3), T0 + timedelta(days=11),
                 completed_at=T0 + timedelta(days=5))  # fmt: skip
    query = "{ cycles { nodes { isActive isPast completedAt endsAt } } }"
    with LinearSimulator(ws, api_key=KEY) as sim:
        active = post(sim, query).json()["data"]["cycles"]["nodes"][0]
        ws.advance_to(T0 + timedelta(days=6))
        closed = post(sim, query).json()["data"]["cycles"]["nodes"][0]
    assert active == {"isActive": True, "isPast": False, "completedAt": None,
                      "endsAt": "2026-03-21T12:00:00.000Z"}  # fmt: skip
    assert closed == {"isActive": False, "isPast": True, "completedAt": "2026-03-15T12:00:00.000Z",
                      "endsAt": "2026-03-15T12:00:00.000Z"}  # fmt: skip


def test_relations_are_visible_from_both_ends(demo: Any) -> None:
    _, sim = demo
    query = """{ issue(id: "ENG-108") {
      relations { nodes { id } }
      inverseRelations { nodes { type issue { identifier title } } } } }"""
    issue = post(sim, query).json()["data"]["issue"]
    assert issue["relations"]["nodes"] == []
    assert issue["inverseRelations"]["nodes"] == [
        {
            "type": "related",
            "issue": {"identifier": "ENG-120", "title": "Spike: bulk export throughput"},
        }
    ]


def test_demo_is_deterministic_and_expected_covers_the_cycle() -> None:
    one, two = build_demo_linear_workspace(), build_demo_linear_workspace()
    assert [i.id for i in one.issues] == [i.id for i in two.issues]
    cycle = one.cycle("ENG-12")
    ever_in = {issue.identifier for issue in one.issues if any(c is cycle for _, c in issue.cycles)}
    assert ever_in == set(EXPECTED["changes"])
    assert len(ever_in) == EXPECTED["summary"]["issues"]
    changes = [c for per_issue in EXPECTED["changes"].values() for c in per_issue]
    summary = EXPECTED["summary"]
    assert len(changes) == summary["changes"]
    assert summary["flagged"] + summary["discussed"] + summary["cosmetic"] == summary["changes"]
    for verdict in ("flagged", "discussed", "cosmetic"):
        assert sum(c["verdict"] == verdict for c in changes) == summary[verdict]


def test_every_designed_change_falls_between_two_polls() -> None:
    """Each AC change must be seen as its own version: no two changes of one issue may fall
    between the same two polls, and every change must fall inside the cycle."""
    polls = demo_poll_times()
    start, end = LINEAR_DEMO.started_at, LINEAR_DEMO.ended_at
    for key, changes in EXPECTED["changes"].items():
        windows = [sum(p < c["at"] for p in polls) for c in changes]
        assert len(set(windows)) == len(windows), key
        assert all(start < c["at"] < end for c in changes), key
    assert polls == sorted(polls) and polls[0] > start and polls[-1] > end


def test_rate_limit_status_reports_the_buckets(demo: Any) -> None:
    _, sim = demo
    query = "{ rateLimitStatus { kind limits { type allowedAmount remainingAmount period } } }"
    post(sim, "{ viewer { id } }")
    status = post(sim, query).json()["data"]["rateLimitStatus"]
    limits = {limit["type"]: limit for limit in status["limits"]}
    assert limits["requestCount"]["allowedAmount"] == 2500
    assert limits["requestCount"]["remainingAmount"] == 2498  # this request included
    assert limits["complexity"]["period"] == 3_600_000  # milliseconds, as Linear reports it


def test_unknown_failure_kind_is_refused(demo: Any) -> None:
    _, sim = demo
    with pytest.raises(ValueError, match=r"one of rate_limited, .*ratelimited, http429"):
        sim.fail_next("teapot")
