"""The simulator's JQL subset: what it matches, how it orders, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from connectors.sim.jira import JiraWorkspace, JqlError, build_demo_workspace, parse_jql
from connectors.sim.jira.jql import parse_jql_date

BRISBANE = ZoneInfo("Australia/Brisbane")  # +10:00, no DST


@pytest.fixture(scope="module")
def ws() -> JiraWorkspace:
    return build_demo_workspace()


def keys(ws: JiraWorkspace, jql: str, tz: timezone | ZoneInfo = UTC) -> list[str]:
    return [i.key for i in parse_jql(jql, ws, tz).run(list(ws.issues.values()))]


def test_sprint_matches_the_current_sprint_field(ws: JiraWorkspace) -> None:
    in_42 = set(keys(ws, "sprint = 42"))
    assert "PAY-116" not in in_42  # removed mid-sprint: no longer matches, as in Jira
    assert {"PAY-123", "PAY-124", "PAY-115"} <= in_42  # carried in, carried on, added late
    assert len(in_42) == 29
    assert set(keys(ws, "sprint in (41, 42)")) == in_42 | set(keys(ws, "sprint = 41"))
    assert set(keys(ws, 'sprint = "Payments Sprint 42"')) == in_42


def test_project_key_and_boolean_logic(ws: JiraWorkspace) -> None:
    assert set(keys(ws, "key in (PAY-12, PAY-101, pay-102)")) == {"PAY-12", "PAY-101", "PAY-102"}
    assert set(keys(ws, "project = PLAT")) == {f"PLAT-{n}" for n in range(201, 208)}
    assert set(keys(ws, "project in (PAY, PLAT) AND (key = PAY-101 OR key = PLAT-201)")) == {
        "PAY-101",
        "PLAT-201",
    }
    assert set(keys(ws, "sprint = 42 AND NOT key in (PAY-101)")) == set(keys(ws, "sprint = 42")) - {
        "PAY-101"
    }
    assert set(keys(ws, "sprint = 42 and key not in (PAY-101)")) == set(keys(ws, "sprint = 42")) - {
        "PAY-101"
    }
    assert set(keys(ws, "project != PAY")) == set(keys(ws, "project = PLAT"))
    # AND binds tighter than OR
    assert set(keys(ws, "key = PAY-101 OR key = PAY-102 AND project = PLAT")) == {"PAY-101"}


def test_updated_is_read_in_the_requesting_users_zone(ws: JiraWorkspace) -> None:
    # PAY-124 and PAY-141 were last updated on 18 March (UTC); PAY-143 on 13 March.
    utc = set(keys(ws, 'project = PAY AND updated >= "2026-03-17 00:00"'))
    assert utc == {"PAY-124", "PAY-141"}
    # 10:00 on 18 March in Brisbane is 00:00 UTC: PAY-124 (10:00 UTC) still counts.
    assert set(keys(ws, 'project = PAY AND updated >= "2026/03/18 10:00"', BRISBANE)) == {
        "PAY-124",
        "PAY-141",
    }
    assert set(keys(ws, 'project = PAY AND updated >= "2026-03-18 20:30"', BRISBANE)) == {"PAY-141"}
    epoch = int(datetime(2026, 3, 17, tzinfo=UTC).timestamp() * 1000)
    assert set(keys(ws, f"project = PAY AND updated >= {epoch}")) == utc
    assert set(keys(ws, "project = PAY AND updated >= 2026-03-17")) == utc
    assert "PAY-124" not in keys(ws, 'project = PAY AND updated < "2026-03-17"')


def test_order_by(ws: JiraWorkspace) -> None:
    asc = keys(ws, "sprint = 42 ORDER BY updated ASC, key ASC")
    stamps = [ws.issues[k].updated for k in asc]
    assert stamps == sorted(stamps)
    assert keys(ws, "sprint = 42 ORDER BY updated DESC, key ASC")[0] == asc[-1]
    by_key = keys(ws, "project = PAY ORDER BY key")
    assert by_key.index("PAY-20") < by_key.index("PAY-101")  # numeric, not lexical
    assert keys(ws, "project = PAY")[0] == "PAY-146"  # Jira's default: key DESC


def test_unbounded_queries_parse_without_a_where_clause(ws: JiraWorkspace) -> None:
    assert not parse_jql("ORDER BY key DESC", ws, UTC).bounded
    assert not parse_jql("", ws, UTC).bounded
    assert parse_jql("project = PAY ORDER BY key", ws, UTC).bounded


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("projct = PAY", "Field 'projct' does not exist"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("key = PAY-999", "An issue with key 'PAY-999' does not exist for field 'key'."),
        ("sprint = 999", "The value '999' does not exist for the field 'sprint'."),
        ("project PAY", "Expecting operator"),
        ("project = ", "Expecting either a value, list or function"),
        ("project in PAY", "Expecting '('"),
        ("project = PAY AND", "Error in the JQL Query"),
        ("(project = PAY", "Expecting ')'"),
        ("project = PAY PLAT", "Expecting either 'OR' or 'AND'"),
        ("project ~ PAY", "The operator '~' is not supported by the 'project' field."),
        ("updated in (1, 2)", "The operator 'IN' is not supported by the 'updated' field."),
        ('updated >= "yesterday"', "Date value 'yesterday' for field 'updated' is invalid."),
        ("summary ~ refund", "Field 'summary' does not exist"),
        ("sprint in futureSprints()", "Unable to find JQL function 'futureSprints()'."),
        ("project = PAY ORDER BY summary", "Field 'summary' does not exist"),
        ("project = PAY ORDER key", "Expecting 'by'"),
        ("project = PAY ORDER BY " + ", ".join(["key"] * 8), "maximum of 7 fields"),
    ],
)
def test_refuses_with_jiras_messages(ws: JiraWorkspace, jql: str, message: str) -> None:
    with pytest.raises(JqlError, match=None) as caught:
        parse_jql(jql, ws, UTC)
    assert message in str(caught.value)


def test_functions_and_quoting(ws: JiraWorkspace) -> None:
    assert set(keys(ws, "sprint in openSprints()")) == set(keys(ws, "sprint in (43, 44)")) | set(
        keys(ws, "sprint = 62")
    )
    assert keys(ws, "key = 'PAY-101'") == ["PAY-101"]
    assert keys(ws, 'sprint = "PLAT 61 - Hardening, part 1" AND key = PLAT-206') == ["PLAT-206"]


def test_date_literals() -> None:
    tz = timezone(timedelta(hours=-5))
    assert parse_jql_date("2026-03-02 09:30", tz) == datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert parse_jql_date("2026/03/02", tz) == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    with pytest.raises(JqlError):
        parse_jql_date("02/03/2026", tz)
