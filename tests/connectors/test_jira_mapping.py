"""_mapping on hand-written JSON in the real shapes of ../shared/reference/jira-api.md."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.jira import _mapping as m
from connectors.jira.fields import FieldRef
from tracker.domain import LinkKind, SprintState

AC = FieldRef(
    "customfield_10100",
    "Acceptance Criteria",
    frozenset({"customfield_10100", "acceptance criteria"}),
)
DESC = FieldRef("description", "Description", frozenset({"description"}))
SPRINT = FieldRef("customfield_10020", "Sprint", frozenset({"customfield_10020", "sprint"}))
CLOUD_USER = {"accountId": "5b10a2844c20165700ede21g", "displayName": "Mia Krystof", "active": True}
DC_USER = {
    "name": "priya",
    "key": "JIRAUSER20246",
    "displayName": "Priya Nair",
    "emailAddress": "priya@acme.com",
}


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


def test_dc_sprint_prefers_activated_date() -> None:
    raw = {
        "id": 71828,
        "state": "active",
        "name": "Cloud Analytics Sprint 2025-17",
        "startDate": "2025-04-24T12:01:00.000Z",
        "endDate": "2025-05-01T12:01:00.000Z",
        "activatedDate": "2025-04-24T14:23:02.844Z",
        "originBoardId": 21125,
    }
    sprint = m.map_sprint(raw, "acme", 21125)
    assert sprint.id == "71828" and sprint.board == "21125"
    assert sprint.state is SprintState.ACTIVE
    assert sprint.started_at == datetime(2025, 4, 24, 14, 23, 2, 844000, tzinfo=UTC)
    assert sprint.planned_end == utc(2025, 5, 1, 12, 1)
    assert sprint.ended_at is None
    assert sprint.start_is_planned is False


def test_cloud_sprint_falls_back_to_planned_start() -> None:
    raw = {
        "id": 37,
        "state": "closed",
        "name": "sprint 1",
        "startDate": "2015-04-11T15:22:00.000+10:00",
        "endDate": "2015-04-20T01:22:00.000+10:00",
        "completeDate": "2015-04-20T11:04:00.000+10:00",
    }
    sprint = m.map_sprint(raw, "acme", 5)
    assert sprint.started_at == utc(2015, 4, 11, 5, 22)
    assert sprint.ended_at == utc(2015, 4, 20, 1, 4)
    assert sprint.start_is_planned is True
    future = m.map_sprint({"id": 72, "state": "future", "name": "sprint 2"}, "acme", 5)
    assert future.started_at is None and future.start_is_planned is False


def test_persons_cloud_server_and_missing() -> None:
    cloud = m.map_person(CLOUD_USER)
    assert cloud is not None and cloud.id == "5b10a2844c20165700ede21g" and cloud.email is None
    server = m.map_person(DC_USER)
    assert server is not None and (server.id, server.name, server.email) == (
        "JIRAUSER20246",
        "Priya Nair",
        "priya@acme.com",
    )
    assert m.map_person(None) is None
    bot = m.map_person(
        {"accountId": "557058:x", "displayName": "Automation for Jira", "accountType": "app"}
    )
    assert bot is not None and bot.is_bot


def test_histories_sorted_by_time_then_numeric_id_with_epoch_ms() -> None:
    histories: list[dict[str, Any]] = [
        {"id": "10010", "created": "2022-06-20T18:12:34.989+0700", "items": []},
        {"id": "9", "created": "2022-06-20T18:12:34.989+0700", "items": []},
        {"id": "10001", "created": 1492070429, "items": []},
    ]
    assert [h["id"] for h in m.sort_histories(histories)] == ["10001", "9", "10010"]


def test_revisions_use_strings_never_ari_tokens() -> None:
    ari = '{"id":"ari:cloud:jira:d63a8014:issuefieldvalue/10006/description","version":"1"}'
    histories: list[dict[str, Any]] = [
        {
            "id": "200",
            "created": "2024-05-02T10:00:00.000+0000",
            "author": CLOUD_USER,
            "items": [
                {
                    "field": "description",
                    "fieldtype": "jira",
                    "fieldId": "description",
                    "from": None,
                    "fromString": "aaaaaaaaaaa",
                    "to": ari,
                    "toString": "*aaaaaaaaa*",
                },
                {"field": "status", "fieldId": "status", "fromString": "To Do", "toString": "Done"},
            ],
        },
    ]
    (rev,) = m.map_revisions("acme", "PAY-7", histories, DESC)
    assert (rev.id, rev.from_text, rev.to_text, rev.field) == (
        "200:0",
        "aaaaaaaaaaa",
        "*aaaaaaaaa*",
        "description",
    )
    assert rev.author is not None and rev.author.name == "Mia Krystof"
    assert rev.at == utc(2024, 5, 2, 10)


def test_server_items_match_by_name_case_insensitively_and_author_may_be_missing() -> None:
    histories: list[dict[str, Any]] = [
        {
            "id": "1",
            "created": "2022-02-21T17:56:51.457+1100",
            "items": [
                {
                    "field": "ACCEPTANCE CRITERIA",
                    "fieldtype": "custom",
                    "from": None,
                    "fromString": None,
                    "to": None,
                    "toString": "*AC01*\r\nGiven a product",
                }
            ],
        },
        {
            "id": "2",
            "created": "2022-02-22T09:00:00.000+1100",
            "author": DC_USER,
            "items": [
                {
                    "field": "Story Points",
                    "fieldtype": "custom",
                    "fromString": "3",
                    "toString": "5",
                },
                {
                    "field": "Acceptance Criteria",
                    "fieldtype": "custom",
                    "fromString": "*AC01*\nGiven a product",
                    "toString": "*AC01*\nGiven a product\nThen",
                },
            ],
        },
    ]
    revs = m.map_revisions("acme", "PAY-7", histories, AC)
    assert [r.id for r in revs] == ["1:0", "2:1"]
    assert revs[0].author is None and revs[0].from_text is None
    assert revs[0].at == utc(2022, 2, 21, 6, 56, 51, 457000)


def test_fieldid_wins_over_a_matching_name() -> None:
    other = {
        "fieldId": "customfield_99999",
        "field": "Acceptance Criteria",
        "fromString": "x",
        "toString": "y",
    }
    assert not AC.matches(other)
    assert AC.matches({"field": "acceptance criteria"})
    assert AC.matches({"fieldId": "customfield_10100", "field": "AC (renamed)"})


def test_gap_in_text_history_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    histories: list[dict[str, Any]] = [
        {
            "id": "1",
            "created": "2024-01-01T00:00:00.000+0000",
            "items": [{"fieldId": "description", "fromString": "a", "toString": "b\r\n"}],
        },
        {
            "id": "2",
            "created": "2024-01-02T00:00:00.000+0000",
            "items": [{"fieldId": "description", "fromString": "b  ", "toString": "c"}],
        },
        {
            "id": "3",
            "created": "2024-01-03T00:00:00.000+0000",
            "items": [{"fieldId": "description", "fromString": "X", "toString": "d"}],
        },
    ]
    with caplog.at_level(logging.WARNING):
        m.map_revisions("acme", "PAY-7", histories, DESC)
    gaps = [r.getMessage() for r in caplog.records if "gap" in r.getMessage()]
    assert len(gaps) == 1 and "2:0 and 3:0" in gaps[0]


def test_sprint_ids_from_cloud_objects_and_legacy_strings() -> None:
    cloud = [
        {"id": 1, "name": "Sprint 1", "state": "closed", "boardId": 1},
        {"id": 2, "name": "S, 2", "state": "active"},
    ]
    assert m.parse_sprint_ids(cloud) == ("1", "2")
    legacy = [
        "com.atlassian.greenhopper.service.sprint.Sprint@1fdd4900[id=5820,rapidViewId=3504,"
        "state=CLOSED,name=IR301 - Monorail!,startDate=2017-03-10T11:17:23.728-05:00,"
        "endDate=<null>,sequence=5820]",
        "com.atlassian.greenhopper.service.sprint.Sprint@1829488[rapidViewId=142,state=CLOSED,"
        "name=a=b, c,startDate=2014-04-07T13:55:52.263+02:00,id=642]",
    ]
    assert m.parse_sprint_ids(legacy) == ("5820", "642")
    assert m.parse_sprint_ids(None) == ()
    assert m.parse_id_list("76, 79") == {"76", "79"}
    assert m.parse_id_list("") == set() and m.parse_id_list(None) == set()


def _sprint_history(
    hid: str, day: int, frm: str | None, to: str | None, author: object = DC_USER
) -> dict[str, object]:
    return {
        "id": hid,
        "created": f"2022-03-{day:02d}T09:00:00.000+0000",
        "author": author,
        "items": [
            {
                "field": "Sprint",
                "fieldtype": "custom",
                "from": frm,
                "fromString": "names, ignored",
                "to": to,
                "toString": "x",
            }
        ],
    }


def test_memberships_from_server_sprint_items() -> None:
    histories: list[dict[str, Any]] = [
        _sprint_history("10", 1, "5579", "5579, 5599"),  # carried over into 5599
        _sprint_history("11", 5, "5579, 5599", "5599"),
        _sprint_history("12", 9, "5599", "", author=None),  # removed: "" not null
    ]
    created = utc(2022, 2, 1)
    changes = m.map_memberships("acme", "PAY-7", histories, SPRINT, (), created)
    got = [(c.sprint_id, c.added, c.at.day, c.id) for c in changes]
    assert got == [
        ("5579", True, 1, "created:5579"),  # in the first item's `from`: there since creation
        ("5599", True, 1, "10:0:5599"),
        ("5579", False, 5, "11:0:5579"),
        ("5599", False, 9, "12:0:5599"),
    ]
    assert changes[0].at == created
    assert changes[-1].by is None and changes[-1].automated


def test_current_sprint_without_an_adding_item_joined_at_creation() -> None:
    created = utc(2022, 2, 1)
    changes = m.map_memberships("acme", "PAY-8", [], SPRINT, ("42",), created)
    assert [(c.sprint_id, c.added, c.at) for c in changes] == [("42", True, created)]
    added_later = [_sprint_history("20", 3, None, "42")]
    changes = m.map_memberships("acme", "PAY-8", added_later, SPRINT, ("42",), created)
    assert [(c.sprint_id, c.added, c.at.day) for c in changes] == [("42", True, 3)]


def test_comments_keep_body_author_and_edit_time() -> None:
    raw = [
        {
            "id": "10000",
            "author": CLOUD_USER,
            "body": "#impact checked with eng",
            "created": "2021-01-17T12:34:00.000+0000",
            "updated": "2021-01-18T23:45:00.000+0000",
        },
        {
            "id": "10001",
            "body": {"type": "doc", "version": 1, "content": []},
            "created": "2021-01-19T00:00:00.000+0000",
        },
    ]
    first, adf = m.map_comments("acme", "PAY-7", raw, "https://acme.atlassian.net")
    assert first.body == "#impact checked with eng" and first.updated_at == utc(2021, 1, 18, 23, 45)
    assert first.url == "https://acme.atlassian.net/browse/PAY-7?focusedCommentId=10000"
    assert adf.author is None and '"type": "doc"' in adf.body


def test_issue_links_either_direction_dated_by_link_items() -> None:
    links = [
        {
            "id": "10001",
            "type": {
                "id": "10000",
                "name": "Relates",
                "inward": "relates to",
                "outward": "relates to",
            },
            "outwardIssue": {
                "id": "10004",
                "key": "ENG-2",
                "fields": {
                    "summary": "Impact spike",
                    "issuetype": {"name": "Spike"},
                    "labels": ["impact"],
                },
            },
        },
        {
            "id": "10002",
            "type": {
                "id": "10001",
                "name": "Blocks",
                "inward": "is blocked by",
                "outward": "blocks",
            },
            "inwardIssue": {"id": "10005", "key": "PR-3", "fields": {"summary": "Other"}},
        },
    ]
    histories: list[dict[str, Any]] = [
        {
            "id": "300",
            "created": "2024-05-03T08:00:00.000+0000",
            "author": CLOUD_USER,
            "items": [
                {
                    "field": "Link",
                    "fieldtype": "jira",
                    "from": None,
                    "fromString": None,
                    "to": "ENG-2",
                    "toString": "This issue relates to ENG-2",
                }
            ],
        }
    ]
    out, inward = m.map_issue_links("acme", "PAY-7", links, histories, "https://acme.atlassian.net")
    assert (out.kind, out.target_key, out.relationship, out.target_type, out.target_labels) == (
        LinkKind.ISSUE_LINK,
        "ENG-2",
        "relates to",
        "Spike",
        ("impact",),
    )
    assert out.added_at == utc(2024, 5, 3, 8) and out.added_by is not None
    assert out.url == "https://acme.atlassian.net/browse/ENG-2" and out.title == "Impact spike"
    assert (inward.relationship, inward.added_at) == ("is blocked by", None)


def test_remote_links_dated_by_remote_issue_link_items() -> None:
    raw = [
        {
            "id": 32279,
            "globalId": "appId=f980efca&pageId=905183383",
            "application": {"type": "com.atlassian.confluence", "name": "System Confluence"},
            "relationship": "Wiki Page",
            "object": {
                "url": "https://twinfield.atlassian.net/wiki/pages/viewpage.action?pageId=905183383",
                "title": "Wiki Page",
            },
        },
        {
            "id": 17373,
            "application": {},
            "relationship": None,
            "object": {"url": "https://acme.slack.com/archives/C1/p1", "title": "thread"},
        },
        {"id": 17374, "application": {}, "object": {"url": "https://example.org/x", "title": "x"}},
    ]
    histories: list[dict[str, Any]] = [
        {
            "id": "400",
            "created": "2024-05-04T08:00:00.000+0000",
            "items": [
                {
                    "field": "RemoteIssueLink",
                    "fieldtype": "jira",
                    "from": None,
                    "fromString": None,
                    "to": "32279",
                    "toString": 'This issue links to "Wiki Page"',
                }
            ],
        }
    ]
    assert m.has_remote_link_items(histories) and not m.has_remote_link_items([])
    conf, slack, web = m.map_remote_links("acme", "PAY-7", raw, histories)
    assert (conf.app, conf.added_at, conf.kind) == (
        "confluence",
        utc(2024, 5, 4, 8),
        LinkKind.REMOTE_LINK,
    )
    assert (slack.app, slack.added_at, slack.relationship) == ("slack", None, "")
    assert web.app == "example.org"


def test_issue_record_and_text_values() -> None:
    raw = {
        "id": "10100",
        "key": "PAY-7",
        "fields": {
            "summary": "Pay by card",
            "status": {"name": "In Progress"},
            "issuetype": {"name": "Story"},
            "labels": ["checkout"],
            "created": "2024-05-01T09:00:00.000+0200",
            "updated": "2024-05-02T09:00:00.000+0200",
        },
    }
    issue = m.map_issue(raw, "acme", "https://acme.atlassian.net")
    assert (issue.key, issue.id, issue.type, issue.status, issue.labels) == (
        "PAY-7",
        "10100",
        "Story",
        "In Progress",
        ("checkout",),
    )
    assert (
        issue.created_at == utc(2024, 5, 1, 7)
        and issue.url == "https://acme.atlassian.net/browse/PAY-7"
    )
    assert m.text_value("h3. AC") == "h3. AC" and m.text_value(None) is None
    assert m.text_value({"type": "doc", "version": 1}) == '{"type": "doc", "version": 1}'
