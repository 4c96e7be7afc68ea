"""AC text in the shapes real servers send it (issue #10 §5), built here from the facts in
the reference notes: Cloud v3 descriptions as ADF while the changelog's fromString and
toString carry wiki markup (mentions by account id, images with sizes), Server text with
``\\r\\n`` and bare ``\\r``, and Linear's editor markdown."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tracker.ac import ChangeKind, compare_ac, extract_criteria

ACCOUNT = "712020:8e4b1a44-33c1-4d5e-9f6a-0b1c2d3e4f50"


def _text(text: str, *marks: str) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    if marks:
        node["marks"] = [{"type": m} for m in marks]
    return node


def _item(*inline: dict[str, Any]) -> dict[str, Any]:
    return {"type": "listItem", "content": [{"type": "paragraph", "content": list(inline)}]}


# fields.description on /rest/api/3: ADF
CLOUD_ADF = {
    "type": "doc",
    "version": 1,
    "content": [
        {"type": "paragraph", "content": [_text("Customers asked for saved carts.")]},
        {
            "type": "heading",
            "attrs": {"level": 3},
            "content": [_text("Acceptance Criteria")],
        },
        {
            "type": "bulletList",
            "content": [
                _item(
                    {"type": "mention", "attrs": {"id": ACCOUNT, "text": "@Priya Nair"}},
                    _text(" approves the "),
                    _text("copy", "strong"),
                    _text(" before release"),
                ),
                _item(_text("The cart survives a sign-out for "), _text("30 days", "em")),
            ],
        },
        {
            "type": "mediaSingle",
            "attrs": {"layout": "center", "width": 686},
            "content": [
                {
                    "type": "media",
                    "attrs": {"id": "f1e2d3c4", "type": "file", "collection": "", "width": 686},
                }
            ],
        },
    ],
}
# the changelog item for the same edit: wiki markup in toString, ARI tokens in from/to
CLOUD_ITEM = {
    "field": "description",
    "fieldtype": "jira",
    "fieldId": "description",
    "from": '{"id":"ari:cloud:jira:a1b2:issuefieldvalue/13383/description","version":"1"}',
    "fromString": None,
    "to": '{"id":"ari:cloud:jira:a1b2:issuefieldvalue/13383/description","version":"2"}',
    "toString": (
        "Customers asked for saved carts.\n\nh3. Acceptance Criteria\n\n"
        f"* [~accountid:{ACCOUNT}] approves the *copy* before release\n"
        "* The cart survives a sign-out for _30 days_\n\n"
        "!image-20240311-101522.png|width=686,height=300!\n"
    ),
}


def test_cloud_adf_and_its_changelog_wiki_read_as_the_same_criteria() -> None:
    from_adf = extract_criteria(json.dumps(CLOUD_ADF), whole_field=False)
    from_wiki = extract_criteria(CLOUD_ITEM["toString"], whole_field=False)
    assert (
        from_adf
        == from_wiki
        == (
            f"@{ACCOUNT} approves the copy before release",
            "The cart survives a sign-out for 30 days",
        )
    )
    comparison = compare_ac(json.dumps(CLOUD_ADF), CLOUD_ITEM["toString"], whole_field=False)
    assert comparison.kind is not ChangeKind.SUBSTANTIVE


def test_cloud_changelog_image_resized_is_cosmetic_and_mention_changed_is_not() -> None:
    text = CLOUD_ITEM["toString"]
    assert text is not None
    resized = text.replace("width=686,height=300", "width=500,height=219")
    assert compare_ac(text, resized, whole_field=False).kind is ChangeKind.COSMETIC
    other = text.replace(ACCOUNT, "5f8d1c2e9a7b3c0068a1b2c3")
    comparison = compare_ac(text, other, whole_field=False)
    assert comparison.kind is ChangeKind.SUBSTANTIVE and len(comparison.diff.modified) == 1


def test_cloud_first_description_from_null_has_every_criterion_added() -> None:
    comparison = compare_ac(CLOUD_ITEM["fromString"], CLOUD_ITEM["toString"], whole_field=False)
    assert len(comparison.diff.added) == 2


SERVER_CRLF = (
    "h3. Acceptance Criteria\r\n"
    "# Orders over 500 EUR need a second approval\r\n"
    "# Approvers get an email within 5 minutes\r\n"
    "\r\n"
    "h3. Notes\r\n"
    "Finance asked for this in Q3.\r\n"
)


def test_server_text_with_crlf_or_bare_cr_reads_the_same() -> None:
    bare = SERVER_CRLF.replace("\r\n", "\r")
    mixed = SERVER_CRLF.replace("\r\n", "\r", 2)
    expected = (
        "Orders over 500 EUR need a second approval",
        "Approvers get an email within 5 minutes",
    )
    for text in (SERVER_CRLF, bare, mixed):
        assert extract_criteria(text, whole_field=False) == expected
    assert compare_ac(SERVER_CRLF, bare, whole_field=False).kind is ChangeKind.NONE
    grown = bare.replace("\rh3. Notes", "# Approvals expire after 48 hours\r\rh3. Notes")
    assert compare_ac(SERVER_CRLF, grown, whole_field=False).diff.added == (
        "Approvals expire after 48 hours",
    )


LINEAR = """Follow-up from the incident review ([**Slack**](<https://acme.slack.com/archives/C04ABCDEF/p1700000000>)).

## Acceptance criteria

* Alerts go to **[#oncall](<https://acme.slack.com/archives/C0ONCALL>)** / **[PagerDuty](<https://acme.pagerduty.com/services/P1>)**
* When a job fails three times in a row, the alert names the job and links to
  the failing run
* The runbook matches the diagram
  ![diagram.png](https://uploads.linear.app/8f1c2d3e-aaaa-bbbb-cccc-1234567890ab/5a6b7c8d-1111-2222-3333-444455556666/diagram.png)
"""


def test_linear_editor_markup_reads_as_plain_criteria() -> None:
    assert extract_criteria(LINEAR, whole_field=False) == (
        "Alerts go to #oncall / PagerDuty",
        "When a job fails three times in a row, the alert names the job and links to the "
        "failing run",
        "The runbook matches the diagram",
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("**[#oncall](<https://acme.slack.com/archives/C0ONCALL>)** / **[PagerDuty]",
         "**[#oncall](<https://acme.slack.com/archives/C0ONCALL>) / [PagerDuty]"),
        ("links to\n  the failing run", "links\n  to the failing run"),
        ("5a6b7c8d-1111-2222-3333-444455556666", "0e9d8c7b-9999-8888-7777-666655554444"),
        ("[**Slack**](<https://acme", "**[Slack](https://acme"),
    ],
)  # fmt: skip
def test_linear_editor_reformatting_is_not_an_ac_change(old: str, new: str) -> None:
    assert old in LINEAR
    after = LINEAR.replace(old, new)
    if new.endswith("acme"):
        after = after.replace("p1700000000>)", "p1700000000)")
    assert compare_ac(LINEAR, after, whole_field=False).kind is not ChangeKind.SUBSTANTIVE


def test_linear_null_description_has_no_criteria_until_written() -> None:
    assert extract_criteria(None, whole_field=False) == ()
    assert compare_ac(None, None, whole_field=False).kind is ChangeKind.NONE
    assert len(compare_ac(None, LINEAR, whole_field=False).diff.added) == 3
    changed = LINEAR.replace("three times", "twice")
    assert len(compare_ac(LINEAR, changed, whole_field=False).diff.modified) == 1
