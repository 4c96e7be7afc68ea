"""The webhook translators without HTTP: Linear and Jira deliveries → the records the
poll makes of the same facts (same ids), and nothing for what tracker does not keep."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.jira.webhook import JiraWebhookTranslator
from connectors.linear.webhook import LinearWebhookTranslator
from tracker.domain import LinkKind

KEYS = {"issue-1": "ENG-1", "issue-2": "ENG-2"}


def key_of(issue_id: str) -> str | None:
    return KEYS.get(issue_id)


def linear(kind: str, action: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "action": action,
        "data": data,
        "createdAt": "2026-03-04T10:12:00.000Z",
        "webhookTimestamp": 1,
        **extra,
    }


def test_a_linear_description_update_is_one_exact_revision_by_the_actor() -> None:
    delivery = linear(
        "Issue",
        "update",
        {
            "id": "issue-1",
            "identifier": "ENG-1",
            "description": "new",
            "updatedAt": "2026-03-04T10:12:00.500Z",
        },
        updatedFrom={"description": None, "updatedAt": "2026-03-01T00:00:00.000Z"},
        actor={"id": "u-1", "name": "Priya Nair", "email": "priya@acme.com", "type": "user"},
    )
    [event] = LinearWebhookTranslator("eng")(delivery, key_of)
    [revision] = event.revisions
    assert (revision.issue_key, revision.from_text, revision.to_text) == ("ENG-1", None, "new")
    assert revision.author is not None and revision.author.email == "priya@acme.com"
    assert revision.at.isoformat() == "2026-03-04T10:12:00.500000+00:00"
    assert event.keeps_snapshots


def test_an_integration_actor_is_a_bot() -> None:
    delivery = linear(
        "Issue",
        "update",
        {
            "id": "issue-1",
            "identifier": "ENG-1",
            "description": "x",
            "updatedAt": "2026-03-04T10:12:00Z",
        },
        updatedFrom={"description": "y"},
        actor={"id": "int-1", "service": "github", "type": "integration"},
    )
    [event] = LinearWebhookTranslator("eng")(delivery, key_of)
    author = event.revisions[0].author
    assert author is not None and author.is_bot and author.name == "github"


@pytest.mark.parametrize(
    "delivery",
    [
        linear(
            "Issue", "update", {"id": "issue-1", "identifier": "ENG-1"}, updatedFrom={"title": "t"}
        ),
        linear("Issue", "create", {"id": "issue-1", "identifier": "ENG-1"}),
        linear("Comment", "remove", {"id": "c-1", "issueId": "issue-1"}),
        linear("Project", "update", {"id": "p-1"}),
        linear("Comment", "create", {"id": "c-1", "projectUpdateId": "pu-1", "body": "x"}),
        linear("Attachment", "create", {"id": "a-1", "issueId": "unknown-issue", "url": "u"}),
    ],
)
def test_what_tracker_does_not_keep_translates_to_nothing(delivery: dict[str, Any]) -> None:
    assert LinearWebhookTranslator("eng")(delivery, key_of) == []


def test_a_linear_comment_is_the_polls_comment_with_its_links() -> None:
    data = {
        "id": "c-1",
        "body": "See https://acme.slack.com/archives/C1/p2 #impact",
        "createdAt": "2026-03-05T09:00:00.000Z",
        "updatedAt": "2026-03-05T09:00:00.000Z",
        "issueId": "issue-9",
        "issue": {"id": "issue-9", "identifier": "ENG-9"},
        "user": {"id": "u-2", "name": "Alice", "email": "alice@acme.com"},
    }
    [event] = LinearWebhookTranslator("eng")(linear("Comment", "create", data), key_of)
    assert [c.id for c in event.comments] == ["c-1"] and event.issue_key == "ENG-9"
    assert [link.id for link in event.links] == ["comment-link:c-1:0"]


def test_a_linear_attachment_finds_its_issue_by_id() -> None:
    data = {
        "id": "a-1",
        "issueId": "issue-2",
        "url": "https://github.com/acme/app/pull/7",
        "title": "PR 7",
        "sourceType": "github",
        "createdAt": "2026-03-05T09:00:00.000Z",
    }
    [event] = LinearWebhookTranslator("eng")(linear("Attachment", "create", data), key_of)
    [link] = event.links
    assert (event.issue_key, link.id, link.kind, link.app) == (
        "ENG-2",
        "attachment:a-1",
        LinkKind.ATTACHMENT,
        "github",
    )


def test_a_linear_relation_lands_on_both_issues_as_the_poll_stores_it() -> None:
    data = {
        "id": "r-1",
        "type": "blocks",
        "issueId": "issue-1",
        "relatedIssueId": "issue-2",
        "createdAt": "2026-03-05T09:00:00.000Z",
    }
    events = LinearWebhookTranslator("eng")(linear("IssueRelation", "create", data), key_of)
    found = {(e.issue_key, e.links[0].relationship, e.links[0].target_key) for e in events}
    assert found == {("ENG-1", "blocks", "ENG-2"), ("ENG-2", "blocked by", "ENG-1")}
    assert {e.links[0].id for e in events} == {"relation:r-1"}


def test_a_linear_payload_without_data_is_malformed() -> None:
    with pytest.raises(ValueError, match="not a Linear delivery"):
        LinearWebhookTranslator("eng")({"type": "Issue"}, key_of)


def jira(items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "timestamp": 1772618400000,
        "webhookEvent": "jira:issue_updated",
        "user": {"accountId": "a-1", "displayName": "Priya Nair"},
        "issue": {"id": "10001", "key": "PAY-7", "fields": {}},
        "changelog": {"id": "321", "items": items},
        **extra,
    }


AC_ITEM = {
    "field": "Acceptance Criteria",
    "fieldtype": "custom",
    "fromString": "* a",
    "toString": "* a\n* b",
}


def test_jira_server_items_match_the_ac_field_by_name() -> None:
    translate = JiraWebhookTranslator("acme", "Acceptance Criteria", "https://jira.acme.com")
    [event] = translate(
        jira([{"field": "status", "fromString": "To Do", "toString": "Done"}, AC_ITEM]), key_of
    )
    [revision] = event.revisions
    assert revision.id == "321:1" and revision.to_text == "* a\n* b"


def test_jira_cloud_items_match_the_ac_field_by_id() -> None:
    translate = JiraWebhookTranslator("acme", "customfield_10042", "https://acme.atlassian.net")
    cloud = {**AC_ITEM, "fieldId": "customfield_10042"}
    other = {**AC_ITEM, "fieldId": "customfield_99999"}
    [event] = translate(jira([other, cloud]), key_of)
    assert [r.id for r in event.revisions] == ["321:1"]
    # a Server item names the field only: with an id configured, the poll matches it
    assert translate(jira([AC_ITEM]), key_of) == []


def test_a_jira_comment_event_is_the_syncs_comment() -> None:
    translate = JiraWebhookTranslator("acme", "description", "https://acme.atlassian.net")
    comment = {
        "id": "555",
        "body": "What does it cost? #impact",
        "author": {"accountId": "a-2", "displayName": "Alice"},
        "created": "2026-03-05T10:00:00.000+0000",
        "updated": "2026-03-05T10:00:00.000+0000",
    }
    delivery = {"webhookEvent": "comment_created", "comment": comment, "issue": {"key": "PAY-7"}}
    [event] = translate(delivery, key_of)
    assert [c.id for c in event.comments] == ["555"]
    assert event.comments[0].url == "https://acme.atlassian.net/browse/PAY-7?focusedCommentId=555"


def test_a_jira_event_without_an_issue_is_malformed() -> None:
    translate = JiraWebhookTranslator("acme", "description", "https://acme.atlassian.net")
    with pytest.raises(ValueError, match=r"issue\.key"):
        translate({"webhookEvent": "jira:issue_updated"}, key_of)
    assert translate({"webhookEvent": "sprint_started", "sprint": {}}, key_of) == []
