"""Linear JSON → domain records, on payloads shaped like Linear's real responses
(recorded issue and comment responses, and a history page shaped by the schema)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.linear._mapping import (
    app_for_url,
    find_discussion_urls,
    map_issue_bundle,
    map_sprint,
)
from tracker.domain import LinkKind, SprintState

PRIYA = {"id": "u-priya", "name": "Priya Nair", "displayName": "priya", "email": "priya@acme.com"}
ALICE = {"id": "u-alice", "name": "Alice Moreau", "displayName": "alice", "email": "alice@acme.com"}
CYCLE_12 = "c-12"


def _conn(*nodes: dict[str, Any], more: bool = False) -> dict[str, Any]:
    return {"nodes": list(nodes), "pageInfo": {"hasNextPage": more, "endCursor": None}}


def _history(id_: str, at: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": id_,
        "createdAt": at,
        "updatedAt": at,
        "actorId": None,
        "actor": None,
        "botActor": None,
        "updatedDescription": None,
        "descriptionUpdatedBy": None,
        "fromCycleId": None,
        "toCycleId": None,
    }
    return {**base, **fields}


ISSUE: dict[str, Any] = {
    "id": "1c2de93f-4321-4015-bfde-ee893ef7976f",
    "identifier": "ENG-10",
    "title": "Partial refunds",
    "description": "## Acceptance Criteria\n\n- [ ] Refund up to the captured amount\n",
    "url": "https://linear.app/acme/issue/ENG-10/partial-refunds",
    "createdAt": "2026-02-20T10:00:00.000Z",
    "updatedAt": "2026-03-05T14:00:00.241Z",
    "archivedAt": None,
    "addedToCycleAt": "2026-02-27T15:00:00.000Z",
    "team": {"id": "t-eng", "key": "ENG"},
    "cycle": {"id": CYCLE_12, "number": 12.0},
    "state": {"name": "In Progress", "type": "started"},
    "creator": PRIYA,
    "labels": _conn({"name": "payments"}, {"name": "api"}),
    "history": _conn(
        _history(
            "h-edit",
            "2026-03-05T14:00:00.000Z",
            actorId="u-priya",
            actor=PRIYA,
            updatedDescription=True,
            descriptionUpdatedBy=[PRIYA],
        ),
        _history(
            "h-plan", "2026-02-27T15:00:00.000Z", actorId="u-priya", actor=PRIYA, toCycleId=CYCLE_12
        ),
        _history("h-rel", "2026-03-01T08:00:00.000Z"),
    ),
    "comments": _conn(
        {
            "id": "272b238c",
            "body": "This is a reply",
            "createdAt": "2025-03-30T14:16:58.457Z",
            "updatedAt": "2025-03-30T14:16:58.457Z",
            "url": "https://linear.app/c/272b238c",
            "parentId": "ae3d62d6",
            "user": ALICE,
            "botActor": None,
            "externalUser": None,
        },
        {
            "id": "ae3d62d6",
            "body": "Design notes: [spec](https://acme.notion.site/Refunds-1a2b). "
            "Also https://acme.slack.com/archives/C01/p1741. And https://example.com/x.",
            "createdAt": "2025-03-30T14:11:59.567Z",
            "updatedAt": "2025-03-30T14:11:59.567Z",
            "url": "https://linear.app/c/ae3d62d6",
            "parentId": None,
            "user": None,
            "botActor": None,
            "externalUser": {"id": "x1", "name": "Sam (Slack)", "email": None},
        },
    ),
    "attachments": _conn(
        {
            "id": "a1",
            "url": "https://acme.slack.com/archives/C01/p1741",
            "title": "Slack thread",
            "subtitle": "Bob: needs a ledger change",
            "sourceType": "slack",
            "createdAt": "2026-03-05T13:00:00.000Z",
            "creator": PRIYA,
        },
        {
            "id": "a2",
            "url": "https://github.com/acme/pay/pull/7",
            "title": "PR #7",
            "subtitle": None,
            "sourceType": "githubPr",
            "createdAt": "2026-03-06T09:00:00.000Z",
            "creator": None,
        },
        {
            "id": "a3",
            "url": "https://www.figma.com/file/abc",
            "title": "Mockups",
            "subtitle": None,
            "sourceType": None,
            "createdAt": "2026-03-06T09:30:00.000Z",
            "creator": ALICE,
        },
    ),
    "relations": _conn(
        {
            "id": "r1",
            "type": "blocks",
            "createdAt": "2026-03-04T10:00:00.000Z",
            "relatedIssue": {
                "id": "i-9",
                "identifier": "ENG-9",
                "title": "Ledger v2",
                "url": "https://linear.app/acme/issue/ENG-9",
                "labels": _conn(),
            },
        },
    ),
    "inverseRelations": _conn(
        {
            "id": "r2",
            "type": "blocks",
            "createdAt": "2026-03-05T10:00:00.000Z",
            "issue": {
                "id": "i-20",
                "identifier": "ENG-20",
                "title": "Spike: fee booking",
                "url": "https://linear.app/acme/issue/ENG-20",
                "labels": _conn({"name": "spike"}),
            },
        },
        {
            "id": "r3",
            "type": "related",
            "createdAt": "2026-03-05T11:00:00.000Z",
            "issue": {
                "id": "i-21",
                "identifier": "ENG-21",
                "title": "Fees RFC",
                "url": "https://linear.app/acme/issue/ENG-21",
                "labels": _conn(),
            },
        },
    ),
}


def test_sprint_from_cycle_with_null_name_and_float_number() -> None:
    node = {
        "id": "c-12",
        "number": 12.0,
        "name": None,
        "startsAt": "2026-03-02T09:00:00.000Z",
        "endsAt": "2026-03-13T17:00:00.000Z",
        "completedAt": "2026-03-13T17:00:00.000Z",
        "isActive": False,
        "isFuture": False,
        "isPast": True,
        "team": {"id": "t", "key": "ENG"},
    }
    sprint = map_sprint("lin", node)
    assert (sprint.id, sprint.key, sprint.name, sprint.board) == (
        "c-12",
        "ENG-12",
        "Cycle 12",
        "ENG",
    )
    assert sprint.state is SprintState.CLOSED
    assert sprint.started_at == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert sprint.ended_at == sprint.planned_end == datetime(2026, 3, 13, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    ("flags", "state"),
    [
        ({"isActive": True, "completedAt": None}, SprintState.ACTIVE),
        ({"isFuture": True, "completedAt": None}, SprintState.FUTURE),
        ({"isPast": True, "completedAt": None}, SprintState.CLOSED),
    ],
)
def test_sprint_state(flags: dict[str, Any], state: SprintState) -> None:
    node = {
        "id": "c",
        "number": 3.0,
        "name": "Polish",
        "startsAt": "2026-03-02T09:00:00.000Z",
        "endsAt": "2026-03-16T09:00:00.000Z",
        "team": {"key": "OPS"},
        **flags,
    }
    sprint = map_sprint("lin", node)
    assert sprint.state is state and sprint.name == "Polish" and sprint.ended_at is None


def test_issue_fields() -> None:
    bundle = map_issue_bundle("lin", ISSUE)
    issue = bundle.issue
    assert (issue.key, issue.status, issue.labels) == ("ENG-10", "In Progress", ("payments", "api"))
    assert issue.updated_at == datetime(2026, 3, 5, 14, 0, 0, 241000, tzinfo=UTC)
    assert bundle.text_field == "description"
    assert bundle.current_text == ISSUE["description"]
    assert bundle.sprint_ids == (CYCLE_12,)
    assert bundle.revisions == ()  # Linear keeps no old text: sync pairs snapshots with edits


def test_missing_description_is_none() -> None:
    node = {**ISSUE, "description": None}
    assert map_issue_bundle("lin", node).current_text is None


def test_text_edits_only_for_description_updates() -> None:
    edits = map_issue_bundle("lin", ISSUE).text_edits
    assert [(e.id, e.author.email if e.author else None) for e in edits] == [
        ("h-edit", "priya@acme.com")
    ]
    assert edits[0].at == datetime(2026, 3, 5, 14, tzinfo=UTC)


def test_text_edit_author_falls_back_to_description_updated_by_then_bot() -> None:
    node = copy.deepcopy(ISSUE)
    node["history"] = _conn(
        _history(
            "h1", "2026-03-05T14:00:00.000Z", updatedDescription=True, descriptionUpdatedBy=[ALICE]
        ),
        _history(
            "h2",
            "2026-03-06T14:00:00.000Z",
            updatedDescription=True,
            botActor={"id": "b1", "name": "Zapier", "type": "zapier"},
        ),
    )
    authors = [e.author for e in map_issue_bundle("lin", node).text_edits]
    assert authors[0] is not None and authors[0].email == "alice@acme.com"
    assert authors[1] is not None and authors[1].is_bot and authors[1].name == "Zapier"


def test_memberships_from_history_with_automation() -> None:
    node = copy.deepcopy(ISSUE)
    node["history"] = _conn(
        _history("h-roll", "2026-03-02T09:00:00.000Z", fromCycleId="c-11", toCycleId=CYCLE_12),
        _history(
            "h-bot",
            "2026-03-03T09:00:00.000Z",
            fromCycleId=CYCLE_12,
            toCycleId="c-13",
            botActor={"id": "b-gh", "name": "GitHub", "type": "github"},
        ),
        _history(
            "h-back",
            "2026-03-04T09:00:00.000Z",
            actor=ALICE,
            fromCycleId="c-13",
            toCycleId=CYCLE_12,
        ),
    )
    moves = map_issue_bundle("lin", node).memberships
    summary = [(m.sprint_id, m.added, m.automated, m.by.name if m.by else None) for m in moves]
    assert summary == [
        ("c-11", False, True, None),
        (CYCLE_12, True, True, None),  # Linear's roll-over: nobody
        (CYCLE_12, False, True, "GitHub"),
        ("c-13", True, True, "GitHub"),
        ("c-13", False, False, "Alice Moreau"),
        (CYCLE_12, True, False, "Alice Moreau"),
    ]
    assert len({m.id for m in moves}) == len(moves)


def test_membership_without_history_uses_added_to_cycle_at() -> None:
    node = copy.deepcopy(ISSUE)
    node["history"] = _conn()
    (join,) = map_issue_bundle("lin", node).memberships
    assert (join.sprint_id, join.added, join.by) == (CYCLE_12, True, None)
    assert join.at == datetime(2026, 2, 27, 15, tzinfo=UTC)


def test_issue_created_in_its_cycle_joined_at_creation_by_its_creator() -> None:
    node = copy.deepcopy(ISSUE)
    node["history"] = _conn()
    node["addedToCycleAt"] = node["createdAt"]
    (join,) = map_issue_bundle("lin", node).memberships
    assert join.at == datetime(2026, 2, 20, 10, tzinfo=UTC)
    assert join.by is not None and join.by.email == "priya@acme.com"


def test_comments_keep_threads_and_non_user_authors() -> None:
    comments = map_issue_bundle("lin", ISSUE).comments
    assert [c.id for c in comments] == ["ae3d62d6", "272b238c"]  # oldest first
    parent, reply = comments
    assert reply.parent_id == "ae3d62d6" and parent.parent_id is None
    assert parent.author is not None and parent.author.name == "Sam (Slack)"
    assert reply.author is not None and reply.author.email == "alice@acme.com"


def test_comment_parent_object_form() -> None:
    node = copy.deepcopy(ISSUE)
    comment = dict(node["comments"]["nodes"][0], parentId=None, parent={"id": "p-1"})
    node["comments"] = _conn(comment)
    assert map_issue_bundle("lin", node).comments[0].parent_id == "p-1"


def _links(kind: LinkKind) -> list[Any]:
    return [link for link in map_issue_bundle("lin", ISSUE).links if link.kind is kind]


def test_attachments_name_their_app() -> None:
    attachments = _links(LinkKind.ATTACHMENT)
    assert [(a.app, a.title) for a in attachments] == [
        ("slack", "Slack thread"),
        ("github", "PR #7"),
        ("figma", "Mockups"),  # no sourceType: the host says it
    ]
    slack = attachments[0]
    assert slack.added_at == datetime(2026, 3, 5, 13, tzinfo=UTC)
    assert slack.added_by is not None and slack.added_by.email == "priya@acme.com"
    assert attachments[1].added_by is None


def test_relations_in_both_directions() -> None:
    relations = {r.target_key: r for r in _links(LinkKind.RELATION)}
    assert relations["ENG-9"].relationship == "blocks"
    assert relations["ENG-20"].relationship == "blocked by"
    assert relations["ENG-20"].title == "Spike: fee booking"
    assert relations["ENG-20"].target_labels == ("spike",)
    assert relations["ENG-21"].relationship == "related"
    assert relations["ENG-20"].added_at == datetime(2026, 3, 5, 10, tzinfo=UTC)
    assert len({r.id for r in relations.values()}) == 3


def test_links_pasted_in_comments_are_remote_links() -> None:
    pasted = _links(LinkKind.REMOTE_LINK)
    # The Slack URL is also an attachment: it is not repeated; example.com is no discussion.
    assert [(p.app, p.title, p.url) for p in pasted] == [
        ("notion", "spec", "https://acme.notion.site/Refunds-1a2b")
    ]
    assert pasted[0].added_at == datetime(2025, 3, 30, 14, 11, 59, 567000, tzinfo=UTC)
    assert pasted[0].added_by is not None and pasted[0].added_by.name == "Sam (Slack)"


def test_find_discussion_urls() -> None:
    text = (
        "See https://acme.atlassian.net/wiki/spaces/ENG/pages/1, "
        "<https://docs.google.com/document/d/xyz/edit>, and https://acme.atlassian.net/browse/X-1."
    )
    assert find_discussion_urls(text) == [
        (
            "https://acme.atlassian.net/wiki/spaces/ENG/pages/1",
            "https://acme.atlassian.net/wiki/spaces/ENG/pages/1",
        ),
        (
            "https://docs.google.com/document/d/xyz/edit",
            "https://docs.google.com/document/d/xyz/edit",
        ),
    ]


@pytest.mark.parametrize(
    ("url", "app"),
    [
        ("https://acme.slack.com/archives/C1/p2", "slack"),
        ("https://www.notion.so/acme/Page-1", "notion"),
        ("https://github.com/acme/x/pull/1", "github"),
        ("https://confluence.acme.io/display/ENG", "confluence"),
        ("https://linear.app/acme/issue/ENG-1", None),
        ("https://evilslack.com/x", None),
    ],
)
def test_app_for_url(url: str, app: str | None) -> None:
    assert app_for_url(url) == app
