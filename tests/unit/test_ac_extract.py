"""Extraction of acceptance criteria from every format a tracker sends."""

from __future__ import annotations

import json

import pytest

from tracker.ac import extract_ac_section, extract_criteria


def ac(text: str | None, whole_field: bool = False) -> tuple[str, ...]:
    return extract_criteria(text, whole_field=whole_field)


# --- Jira wiki markup -------------------------------------------------------------------


def test_wiki_heading_section_with_nested_items_folded_into_parent() -> None:
    text = (
        "h2. Story\nAs a shopper I want to pay by card.\n\n"
        "h3. Acceptance Criteria\n* Checkout accepts:\n** Visa\n** Mastercard\n"
        "* Receipt is emailed within 2s\n\nh3. Notes\n* not a criterion"
    )
    assert ac(text) == ("Checkout accepts:; Visa; Mastercard", "Receipt is emailed within 2s")


def test_wiki_hash_lists_are_items_not_headings() -> None:
    text = "*Acceptance criteria*\n# First criterion\n# Second criterion\n## detail\n"
    assert ac(text) == ("First criterion", "Second criterion; detail")


def test_wiki_crlf_and_leading_space_bullets() -> None:
    text = "h3. AC\r\n * One thing\r\n * Other thing\r\n"
    assert ac(text) == ("One thing", "Other thing")


def test_wiki_inline_markup_is_stripped() -> None:
    text = (
        "h3. Acceptance Criteria\n* *Admins* can see {{audit_log}} for [ADR-4|https://x.y/adr4]\n"
        "* _All_ events +before+ {color:red}deletion{color} are kept"
    )
    assert ac(text) == (
        "Admins can see audit_log for ADR-4",
        "All events before deletion are kept",
    )


def test_wiki_emphasis_rules_leave_arithmetic_and_names_alone() -> None:
    text = "h3. AC\n* Total is 2 * 3 items for snake_case_name in 2-3 days"
    assert ac(text) == ("Total is 2 * 3 items for snake_case_name in 2-3 days",)


def test_wiki_table_rows_are_criteria_and_header_rows_are_not() -> None:
    text = "h3. AC\n||Case||Expected||\n|Card declined|Show *reason*|\n|Timeout|Retry 3 times|"
    assert ac(text) == ("Card declined | Show reason", "Timeout | Retry 3 times")


def test_wiki_titled_panel_is_a_section_that_ends_with_the_panel() -> None:
    text = (
        "Intro\n{panel:title=Acceptance Criteria|borderStyle=dashed}\n* one\n* two\n{panel}\n* no"
    )
    assert ac(text) == ("one", "two")


def test_wiki_code_and_noformat_blocks_are_one_criterion_each() -> None:
    text = (
        'h3. AC\n* Payload is:\n{code:json}\n{"status": "PAID",\n "id": 1}\n{code}\n'
        "{noformat}x  y{noformat}"
    )
    assert ac(text) == ("Payload is:", '{"status": "PAID", "id": 1}', "x y")


def test_wiki_section_ends_at_rule_and_same_level_heading() -> None:
    assert ac("h3. AC\n* a\n----\n* b") == ("a",)
    assert ac("h3. AC\n* a\nh4. Edge cases\n* b\nh3. Notes\n* c") == ("a", "b")
    assert ac("h3. AC\n* a\nh2. Next\n* b") == ("a",)


def test_bold_label_section_ends_at_next_bold_label() -> None:
    text = "Story\n\n*AC:*\n* a\n* b\n\n*Rollout*\n* c"
    assert ac(text) == ("a", "b")


def test_heading_section_keeps_bold_sub_labels_but_stops_at_known_sections() -> None:
    text = "h3. Acceptance Criteria\n*Happy path*\n* a\n*Errors*\n* b\n*Out of scope*\n* c"
    assert ac(text) == ("a", "b")


def test_heartbeat_style_numbered_blocks_keep_given_when_then_together() -> None:
    text = (
        "Summary\r\n----\r\n*SST update on 21 Feb:*\r\nAcceptance Criteria indicated\r\n\r\n"
        "*AC*\r\n\r\n*AC01*\r\n\r\nGiven a product was published\r\nWhen it is deactivated\r\n"
        "Then it is hidden\r\n\r\n*AC02*\r\nGiven x\r\nWhen y\r\nThen z"
    )
    assert ac(text) == (
        "Given a product was published When it is deactivated Then it is hidden",
        "Given x When y Then z",
    )


# --- markdown -----------------------------------------------------------------------------


def test_markdown_atx_section_with_checkboxes_and_numbered_items() -> None:
    text = (
        "## Context\nSome text\n\n## Acceptance criteria\n- [ ] User can log in\n"
        "- [x] Session lasts **30 minutes**\n  1. on web\n1) Logout clears the session\n\n"
        "## Out of scope\n- SSO"
    )
    assert ac(text) == (
        "User can log in",
        "Session lasts 30 minutes; on web",
        "Logout clears the session",
    )


def test_markdown_setext_heading() -> None:
    text = "Acceptance Criteria\n===================\n* a\n* b\n\nOther\n=====\n* c"
    assert ac(text) == ("a", "b")


def test_markdown_bold_label_with_inline_content() -> None:
    text = "Intro\n\n**AC:** user can search by name\n- results in 500ms\n\n**Notes**\n- n"
    assert ac(text) == ("user can search by name", "results in 500ms")


def test_markdown_links_code_and_emphasis_are_stripped() -> None:
    text = "## AC\n- Matches the [design](https://figma.com/x) and returns `402` *quickly*"
    assert ac(text) == ("Matches the design and returns 402 quickly",)


def test_markdown_bold_criterion_line_stays_a_criterion_in_a_list() -> None:
    text = "## AC\n- **Performance:** p95 under 2s\n- **Security:** tokens are hashed"
    assert ac(text) == ("Performance: p95 under 2s", "Security: tokens are hashed")


# --- ADF (Jira Cloud v3) -------------------------------------------------------------------


def _adf() -> dict[str, object]:
    def para(text: str) -> dict[str, object]:
        return {"type": "paragraph", "content": [{"type": "text", "text": text}]}

    return {
        "type": "doc",
        "version": 1,
        "content": [
            para("Intro"),
            {
                "type": "heading",
                "attrs": {"level": 3},
                "content": [{"type": "text", "text": "Acceptance Criteria"}],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            para("User can pay"),
                            {
                                "type": "orderedList",
                                "content": [{"type": "listItem", "content": [para("by card")]}],
                            },
                        ],
                    }
                ],
            },
            {
                "type": "taskList",
                "attrs": {"localId": "a"},
                "content": [
                    {
                        "type": "taskItem",
                        "attrs": {"localId": "b", "state": "DONE"},
                        "content": [{"type": "text", "text": "Refund works"}],
                    }
                ],
            },
            {
                "type": "heading",
                "attrs": {"level": 3},
                "content": [{"type": "text", "text": "Notes"}],
            },
            para("not a criterion"),
        ],
    }


def test_adf_dict_and_json_string_give_the_same_criteria() -> None:
    doc = _adf()
    expected = ("User can pay; by card", "Refund works")
    assert ac(json.dumps(doc)) == expected
    assert extract_criteria(doc, whole_field=False) == expected


def _cell(kind: str, text: str) -> dict[str, object]:
    para = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    return {"type": kind, "content": [para]}


def test_adf_table_and_bold_paragraph_label() -> None:
    bold = {"type": "text", "text": "AC", "marks": [{"type": "strong"}]}
    header = {
        "type": "tableRow",
        "content": [_cell("tableHeader", "Case"), _cell("tableHeader", "Result")],
    }
    row = {
        "type": "tableRow",
        "content": [_cell("tableCell", "Timeout"), _cell("tableCell", "Retry")],
    }
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [bold]},
            {"type": "table", "content": [header, row]},
        ],
    }
    assert ac(json.dumps(doc)) == ("Timeout | Retry",)


def test_json_that_is_not_adf_is_plain_text() -> None:
    assert ac('{"type": "other"}', whole_field=True) == ('{"type": "other"}',)


# --- plain text, Given/When/Then -----------------------------------------------------------


def test_plain_ac_label_list_ends_at_following_paragraph() -> None:
    text = "Fix export.\n\nAC:\n1) CSV has headers\n2) Dates are ISO-8601\n\nThanks"
    assert ac(text) == ("CSV has headers", "Dates are ISO-8601")


def test_plain_ac_label_with_inline_criterion() -> None:
    assert ac("AC: exports finish in 10s\nNotes:\nuse a queue") == ("exports finish in 10s",)


def test_numbered_ac_labels_are_dropped_from_the_criterion() -> None:
    text = "Blah\n\nAC1 user can pay\nAC2: user can refund\nAC-3 - admin can void\nAC 04) audit"
    assert ac(text) == ("user can pay", "user can refund", "admin can void", "audit")


def test_given_when_then_scenarios_split_at_the_next_given() -> None:
    text = (
        "## AC\nGiven a paid order\nWhen a refund is requested\nAnd the order is < 30 days old\n"
        "Then the refund is issued\nGiven an old order\nWhen a refund is requested\n"
        "Then it is rejected"
    )
    assert ac(text) == (
        "Given a paid order When a refund is requested And the order is < 30 days old "
        "Then the refund is issued",
        "Given an old order When a refund is requested Then it is rejected",
    )


def test_scenario_blocks_are_one_criterion_each_and_numbers_are_dropped() -> None:
    text = (
        "h3. Acceptance Criteria\nScenario 1: happy path\nGiven a\nWhen b\nThen c\n\n"
        "*Scenario 2: sad path*\n* Given x\n* Then y\n  Examples:\n  | n |\n  | 1 |"
    )
    assert ac(text) == (
        "Scenario: happy path Given a When b Then c",
        "Scenario: sad path Given x Then y Examples: n 1",
    )


def test_plain_when_sentences_are_separate_criteria() -> None:
    text = "When the user pays, a receipt is sent\nWhen the user refunds, support is notified"
    assert ac(text, whole_field=True) == (
        "When the user pays, a receipt is sent",
        "When the user refunds, support is notified",
    )


def test_whole_field_takes_everything_and_drops_structure() -> None:
    text = "h4. Happy path\n* a\n\nh4. Errors\n* b\nplain line"
    assert ac(text, whole_field=True) == ("a", "b", "plain line")


# --- no heading, empty input, raw section --------------------------------------------------


def test_no_heading_only_scenarios_and_numbered_criteria_count() -> None:
    text = (
        "Customers are confused.\n- they miss the button\n\nGiven a customer\nWhen they pay\n"
        "Then a receipt is sent\n\nWhen in doubt, ask support"
    )
    assert ac(text) == ("Given a customer When they pay Then a receipt is sent",)
    assert ac("Just a description\n- with a list\n- of notes") == ()


@pytest.mark.parametrize("text", [None, "", "   \n  "])
def test_empty_input_has_no_criteria(text: str | None) -> None:
    assert ac(text) == ()
    assert ac(text, whole_field=True) == ()
    assert extract_ac_section(text) is None


def test_extract_ac_section_returns_the_raw_section() -> None:
    text = "Intro\nh3. Acceptance Criteria\n* *a*\n* b\nh3. Notes\nx"
    assert extract_ac_section(text) == "* *a*\n* b"
    assert extract_ac_section("no criteria here") is None


def test_custom_headings() -> None:
    text = "## Requirements\n- a\n## Acceptance criteria\n- b"
    assert extract_criteria(text, whole_field=False, headings=("requirements",)) == ("a",)
    assert ac("## ACs\n- x") == ("x",)
    assert ac("## Acceptance Criteria (v2)\n- x") == ("x",)
