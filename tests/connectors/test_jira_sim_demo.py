"""The sample workspace: deterministic, consistent with ``EXPECTED``, and changed by the
mutation API exactly as Jira records changes (checked through the simulator's wire format)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from demo_answers import EXPECTED, EXPECTED_OTHER, expected_summary

from connectors.sim.jira import (
    DEMO,
    JiraSimulator,
    JiraWorkspace,
    build_demo_workspace,
)
from connectors.sim.jira.model import Issue, User
from tracker.clock import parse_time
from tracker.policy import Policy

CORE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")
POLICY = Policy()
YEAR_START = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
YEAR_END = datetime.fromisoformat("2027-01-01T00:00:00+00:00")


@pytest.fixture(scope="module")
def ws() -> JiraWorkspace:
    return build_demo_workspace()


def _fingerprint(ws: JiraWorkspace) -> list[tuple[object, ...]]:
    return [
        (
            i.key,
            i.id,
            i.updated,
            [(h.id, h.created, [it.to_string for it in h.items]) for h in i.histories],
            [(c.id, c.body) for c in i.comments],
        )
        for i in ws.issues.values()
    ]


def test_deterministic_and_fresh_each_call() -> None:
    one, two = build_demo_workspace(), build_demo_workspace()
    assert _fingerprint(one) == _fingerprint(two)
    one.add_comment(
        "PAY-101",
        "alice@acme.com",
        "only in one",
        datetime.fromisoformat("2026-03-20T10:00:00+00:00"),
    )
    assert _fingerprint(one) != _fingerprint(two)


def test_demo_facts_match_the_workspace(ws: JiraWorkspace) -> None:
    assert ws.sprints[DEMO.demo_sprint].name == DEMO.demo_sprint_name
    assert {ws.sprints[s].board_id for s in DEMO.sprint_ids} == {DEMO.pay_board}
    assert {ws.sprints[s].board_id for s in DEMO.plat_sprint_ids} == {DEMO.plat_board}
    assert set(DEMO.projects) == set(ws.projects)
    engineers = {p.email for p in DEMO.role("engineer")}
    assert {_person(ws, e).email for e in DEMO.engineers} == engineers
    assert ws.user(DEMO.email) is not None and DEMO.ac_field_id("cloud") != DEMO.ac_field_id(
        "server"
    )
    sprint = ws.sprints[42]
    assert sprint.activated is not None and sprint.start is not None
    assert timedelta(minutes=1) < sprint.activated - sprint.start < timedelta(hours=1)
    assert sum(42 in i.sprint_ids or i.key == "PAY-116" for i in ws.issues.values()) == len(
        EXPECTED
    )
    assert expected_summary() == {
        "issues": 30,
        "issues_with_ac_changes": 23,
        "changes": 27,
        "flagged": 12,
        "discussed": 12,
        "cosmetic": 3,
        "unknown": 0,
        "defined_after_start": 1,
        "issues_without_ac": 0,
        "issues_baseline_approximate": 0,
        "points_added_after_start": 6,
    }


def _person(ws: JiraWorkspace, handle: str) -> User:
    found = ws.user(handle)
    assert found is not None
    return found


# -- EXPECTED is what the data says (a miniature of the policy, to keep the story honest) --
def _engineer(ws: JiraWorkspace, user: User | None) -> bool:
    return user is not None and any(_person(ws, e) is user for e in DEMO.engineers)


def _evidence(ws: JiraWorkspace, issue: Issue, at: datetime, editor: User | None) -> set[str]:
    lo, hi = at - POLICY.window_before, at + POLICY.window_after
    kinds: set[str] = set()
    if _engineer(ws, editor):
        kinds.add("engineer_edit")
    for c in issue.comments:
        if lo <= c.created <= hi:
            if any(m in c.body.lower() for m in POLICY.markers):
                kinds.add("marker")
            elif _engineer(ws, c.author) and c.author is not editor:
                kinds.add("comment")
    for h in issue.histories:
        for it in h.items:
            if not lo <= h.created <= hi:
                continue
            if it.field_key == "RemoteIssueLink":
                kinds.add("remote_link")
            if it.field_key == "Link" and it.to_value:
                title = ws.issues[it.to_value].values["summary"].lower()
                if any(p in title for p in POLICY.link_patterns):
                    kinds.add("issue_link")
    return kinds


def _ac_saves(
    issue: Issue, field: str, lo: datetime, hi: datetime
) -> list[tuple[datetime, User | None]]:
    return [
        (h.created, h.author)
        for h in sorted(issue.histories, key=lambda h: h.created)
        if lo <= h.created <= hi and any(it.field_key == field for it in h.items)
    ]


def _membership_end(issue: Issue, sprint_id: int, default: datetime) -> datetime:
    """When the issue left the sprint (its id dropped from the Sprint field), if it did."""
    for h in sorted(issue.histories, key=lambda h: h.created):
        for it in h.items:
            if it.field_key == "sprint":
                before, after = (it.from_value or "").split(", "), (it.to_value or "").split(", ")
                if str(sprint_id) in before and str(sprint_id) not in after:
                    return h.created
    return default


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_expected_matches_the_data(ws: JiraWorkspace, key: str) -> None:
    issue, sprint, plan = ws.issues[key], ws.sprints[42], EXPECTED[key]
    assert sprint.activated is not None and sprint.completed is not None
    end = _membership_end(issue, 42, sprint.completed)
    saves = _ac_saves(issue, "ac", sprint.activated, end)
    cursor = 0
    for change in plan.changes:
        group = saves[cursor : cursor + change.saves]
        cursor += change.saves
        assert group, f"{key}: no AC save for {change}"
        at, editor = group[0]
        assert at.replace(microsecond=0) == parse_time(change.at)  # reports keep seconds
        assert (editor.email if editor else None) == change.by
        if change.last_at:
            assert group[-1][0].replace(microsecond=0) == parse_time(change.last_at)
            assert group[-1][0] - at < POLICY.burst
        if change.verdict != "cosmetic":
            assert _evidence(ws, issue, at, editor) == set(change.evidence), change.why
    assert cursor == len(saves), f"{key}: AC saves in the sprint that EXPECTED does not list"


def test_expected_other_sprints_point_at_real_saves(ws: JiraWorkspace) -> None:
    for sprint_id, issues in EXPECTED_OTHER.items():
        field = "description" if sprint_id == 61 else "ac"
        for key, changes in issues.items():
            assert sprint_id in ws.issues[key].sprint_ids
            stamps = {at for at, _ in _ac_saves(ws.issues[key], field, YEAR_START, YEAR_END)}
            assert {parse_time(c.at) for c in changes} <= {s.replace(microsecond=0) for s in stamps}


# -- the wire format of what the mutations wrote ---------------------------------------------
@pytest.fixture(params=["cloud", "server"])
def live(request: pytest.FixtureRequest) -> Iterator[tuple[JiraSimulator, httpx.Client]]:
    with (
        JiraSimulator(build_demo_workspace(), flavour=request.param) as sim,
        httpx.Client(base_url=sim.url, auth=(DEMO.email, DEMO.token), timeout=10) as client,
    ):
        yield sim, client


def _histories(sim: JiraSimulator, client: httpx.Client, key: str) -> list[dict[str, Any]]:
    issue = client.get(
        f"/rest/api/2/issue/{key}", params={"expand": "changelog", "fields": "updated"}
    ).json()
    histories: list[dict[str, Any]] = issue["changelog"]["histories"]
    return sorted(histories, key=lambda h: (h["created"], int(h["id"])))


def test_mutations_between_two_syncs(live: tuple[JiraSimulator, httpx.Client]) -> None:
    sim, client = live
    ws, cloud = sim.workspace, sim.flavour == "cloud"
    at = parse_time("2026-03-20T09:00:00Z")
    assert at is not None
    cursor = "2026-03-19 00:00"
    ws.edit_field(
        "PAY-129",
        DEMO.ac_field,
        "* A failed payment shows a Retry button\n* Retries are limited to 3",
        "priya@acme.com",
        at,
    )
    ws.add_comment("PAY-130", "bob@acme.com", "#impact checked", at)
    ws.add_issue_link("PAY-129", "PAY-12", "Blocks", at + timedelta(minutes=1), "alice@acme.com")
    ws.add_remote_link(
        "PAY-129",
        "https://acme.slack.com/archives/C1/p2",
        "Thread",
        "slack",
        at + timedelta(seconds=90),
        "bob@acme.com",
    )
    ws.move_to_sprint("PAY-143", None, at + timedelta(minutes=2), "priya@acme.com")
    assert (
        ws.move_to_sprint("PAY-129", None, at, "priya@acme.com") is None
    )  # sprint 42 is closed: stays
    jql = f'project = PAY AND updated >= "{cursor}" ORDER BY updated ASC, key ASC'
    found = client.get(
        "/rest/api/2/search/jql" if cloud else "/rest/api/2/search",
        params={"jql": jql, "fields": "updated"},
    ).json()
    assert {"PAY-12", "PAY-129", "PAY-130", "PAY-143"} <= {i["key"] for i in found["issues"]}

    items = [it for h in _histories(sim, client, "PAY-129") for it in h["items"]]
    ac_item, link, remote = items[-3:]
    assert ac_item["field"] == DEMO.ac_field and ("fieldId" in ac_item) == cloud
    assert ac_item["toString"].endswith("limited to 3") and ("\r\n" in ac_item["toString"]) == (
        not cloud
    )
    assert (
        link["field"] == "Link"
        and link["to"] == "PAY-12"
        and link["toString"] == "This issue blocks PAY-12"
    )
    assert (
        remote["field"] == "RemoteIssueLink"
        and remote["toString"] == 'This issue links to "Thread (Slack)"'
    )
    sprint = [it for h in _histories(sim, client, "PAY-143") for it in h["items"]][-1]
    assert (sprint["from"], sprint["to"], sprint["toString"]) == (
        "43",
        "",
        "",
    )  # removal: "" not null
    back = [it for h in _histories(sim, client, "PAY-12") for it in h["items"]][-1]
    assert back["toString"] == "This issue is blocked by PAY-129"


def test_time_stamps_are_in_the_viewers_zone(live: tuple[JiraSimulator, httpx.Client]) -> None:
    sim, client = live
    issue = client.get(
        "/rest/api/2/issue/PAY-101", params={"fields": "updated,created,comment"}
    ).json()
    stamp = issue["fields"]["updated"]
    assert CORE_TIME.match(stamp) and stamp.endswith("+1000" if sim.flavour == "cloud" else "-0500")
    assert parse_time(stamp) == sim.workspace.issues["PAY-101"].updated
    sprint = client.get("/rest/agile/1.0/sprint/43").json()
    assert sprint["startDate"].endswith("Z" if sim.flavour == "cloud" else "-05:00")


def test_sprint_field_shapes(live: tuple[JiraSimulator, httpx.Client]) -> None:
    sim, client = live
    field = DEMO.sprint_field_id(sim.flavour)
    value = client.get("/rest/api/2/issue/PAY-124", params={"fields": field}).json()["fields"][
        field
    ]
    if sim.flavour == "cloud":
        assert [(s["id"], s["state"], s["boardId"]) for s in value] == [
            (42, "closed", 7),
            (43, "active", 7),
        ]
        assert "completeDate" not in value[1]
    else:
        assert [int(re.search(r"\bid=(\d+)", s).group(1)) for s in value] == [42, 43]  # type: ignore[union-attr]
        assert value[1].split("[")[1].startswith("rapidViewId=")  # odd id: another key order
        assert "completeDate=<null>" in value[1] and "state=ACTIVE" in value[1]


def test_changelog_quirks(live: tuple[JiraSimulator, httpx.Client]) -> None:
    sim, client = live
    cloud = sim.flavour == "cloud"
    automated = [h for h in _histories(sim, client, "PAY-111") if "author" not in h]
    assert len(automated) == 1  # the automation rule's re-save
    first = [
        it
        for h in _histories(sim, client, "PAY-128")
        for it in h["items"]
        if it["field"] == DEMO.ac_field
    ]
    assert first[0]["fromString"] is None and first[0]["from"] is None
    description = [
        it
        for h in _histories(sim, client, "PAY-113")
        for it in h["items"]
        if it["field"] == "description"
    ]
    assert (description[0]["to"] or "").startswith('{"id":"ari:cloud:jira:') == cloud
    carried = [
        it
        for h in _histories(sim, client, "PAY-123")
        for it in h["items"]
        if it["field"] == "Sprint"
    ]
    assert [(it["from"], it["to"]) for it in carried] == [(None, "41"), ("41", "41, 42")]
    assert carried[1]["toString"] == "Payments Sprint 41, Payments Sprint 42"
