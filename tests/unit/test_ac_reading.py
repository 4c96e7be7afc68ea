"""Reading AC the way people write it (issue #10 §2): Gherkin pasted in code blocks,
Definition of Done beside Acceptance Criteria, hard-wrapped prose, link and emphasis
forms that render the same, and accent-only fixes."""

from __future__ import annotations

import json

import pytest

from tracker.ac import ChangeKind, compare_ac, extract_criteria

FEATURE = """Feature: Gift cards
  Gift cards can be bought and redeemed online.

  @payments
  Scenario: Buy a gift card
    Given I have 50 EUR on my card
    When I buy a 25 EUR gift card
    Then I receive a code by email

  # redeeming is the other half
  Scenario Outline: Redeem a gift card
    Given a gift card worth <value>
    When I pay an order of <total>
    Then I pay <rest> by card

    Examples:
      | value | total | rest |
      | 25    | 40    | 15   |
"""
THIRD = """
  Scenario: Expired gift card
    Given a gift card that expired yesterday
    When I redeem it
    Then I see "This gift card has expired"
"""


def _wrap(body: str, style: str) -> str:
    return {
        "wiki-code": "h3. Acceptance Criteria\n{code:gherkin}\n" + body + "{code}\n",
        "wiki-noformat": "*Acceptance Criteria*\n{noformat}\n" + body + "{noformat}\n",
        "wiki-code-bare": "h3. Acceptance Criteria\n{code}\n" + body + "{code}\n",
        "md-gherkin": "## Acceptance criteria\n```gherkin\n" + body + "```\n",
        "md-bare": "## Acceptance criteria\n~~~\n" + body + "~~~\n",
        "md-feature": "## Acceptance criteria\n```feature\n" + body + "```\n",
    }[style]


STYLES = ["wiki-code", "wiki-noformat", "wiki-code-bare", "md-gherkin", "md-bare", "md-feature"]


@pytest.mark.parametrize("style", STYLES)
def test_each_scenario_in_a_gherkin_code_block_is_one_criterion(style: str) -> None:
    criteria = extract_criteria(_wrap(FEATURE, style), whole_field=False)
    assert [c.split(" Given")[0] for c in criteria] == [
        "Scenario: Buy a gift card",
        "Scenario: Redeem a gift card",
    ]
    assert criteria[1].endswith("25 | 40 | 15")  # the Examples table belongs to it


@pytest.mark.parametrize("style", STYLES)
def test_adding_a_scenario_to_a_gherkin_block_adds_one(style: str) -> None:
    comparison = compare_ac(_wrap(FEATURE, style), _wrap(FEATURE + THIRD, style), whole_field=False)
    assert comparison.kind is ChangeKind.SUBSTANTIVE
    assert len(comparison.diff.added) == 1 and not comparison.diff.modified
    assert comparison.diff.added[0].startswith("Scenario: Expired gift card")


def test_removing_a_scenario_removes_one_and_a_step_edit_modifies_one() -> None:
    full, short = _wrap(FEATURE + THIRD, "md-gherkin"), _wrap(FEATURE, "md-gherkin")
    removed = compare_ac(full, short, whole_field=False).diff
    assert len(removed.removed) == 1 and not removed.added and not removed.modified
    edited = compare_ac(short, short.replace("25 EUR gift", "30 EUR gift"), whole_field=False)
    assert len(edited.diff.modified) == 1
    assert edited.diff.modified[0].risks == ("number: 25 EUR → 30 EUR",)


def test_what_follows_a_gherkin_block_is_not_swallowed_by_its_last_scenario() -> None:
    text = _wrap(FEATURE, "md-gherkin") + "- Gift cards never expire before 12 months\n"
    assert extract_criteria(text, whole_field=False)[-1] == (
        "Gift cards never expire before 12 months"
    )


def test_a_code_block_in_another_language_stays_one_criterion() -> None:
    text = '## AC\n```json\n{"Scenario": 1}\n{"b": 2}\n```\n'
    assert extract_criteria(text, whole_field=False) == ('{"Scenario": 1} {"b": 2}',)
    plain = "## AC\n```\nGET /v1/cards returns 200\n```\n"
    assert extract_criteria(plain, whole_field=False) == ("GET /v1/cards returns 200",)


def test_adf_code_block_marked_gherkin_is_read_as_scenarios() -> None:
    code = {
        "type": "codeBlock",
        "attrs": {"language": "gherkin"},
        "content": [{"type": "text", "text": FEATURE}],
    }
    doc = json.dumps({"type": "doc", "version": 1, "content": [code]})
    assert len(extract_criteria(doc, whole_field=True)) == 2


AC_AND_DOD = """## Acceptance Criteria
- Exports include the currency column

## Definition of Done
- Reviewed by a second engineer
"""


def test_definition_of_done_is_not_ac_when_there_is_an_acceptance_criteria_section() -> None:
    assert extract_criteria(AC_AND_DOD, whole_field=False) == (
        "Exports include the currency column",
    )
    dod_edit = AC_AND_DOD + "- Feature flag removed\n"
    assert compare_ac(AC_AND_DOD, dod_edit, whole_field=False).kind is ChangeKind.NONE


def test_definition_of_done_is_ac_when_it_is_the_only_section() -> None:
    only = "Some context.\n\n*Definition of Done*\n* Reviewed\n"
    assert extract_criteria(only, whole_field=False) == ("Reviewed",)
    grown = compare_ac(only, only + "* Deployed to staging\n", whole_field=False)
    assert grown.diff.added == ("Deployed to staging",)


def test_definition_of_done_label_inside_an_ac_section_ends_it() -> None:
    text = "Acceptance criteria:\n- Totals are rounded half-up\nDefinition of done:\n- Docs\n"
    assert extract_criteria(text, whole_field=False) == ("Totals are rounded half-up",)


PROSE = (
    "Acceptance criteria:\n"
    "A merchant who disputes a chargeback can upload up to five pieces of evidence,\n"
    "each no larger than 10 MB, until the deadline shown on the dispute page.\n"
)
REWRAPPED = (
    "Acceptance criteria:\n"
    "A merchant who disputes a chargeback can upload up to five\n"
    "pieces of evidence, each no larger than 10 MB, until the\n"
    "deadline shown on the dispute page.\n"
)


def test_hard_wrapped_prose_is_one_criterion_and_rewrapping_it_is_cosmetic() -> None:
    [criterion] = extract_criteria(PROSE, whole_field=False)
    assert criterion.startswith("A merchant") and criterion.endswith("dispute page.")
    assert compare_ac(PROSE, REWRAPPED, whole_field=False).kind is ChangeKind.COSMETIC


def test_rewrapped_prose_with_a_changed_number_is_one_modified_criterion() -> None:
    comparison = compare_ac(PROSE, REWRAPPED.replace("10 MB", "25 MB"), whole_field=False)
    assert comparison.kind is ChangeKind.SUBSTANTIVE
    [modified] = comparison.diff.modified
    assert modified.risks == ("number: 10 MB → 25 MB",)
    assert not comparison.diff.added and not comparison.diff.removed


def test_a_blank_line_or_a_list_marker_starts_a_new_block() -> None:
    text = (
        PROSE + "\nDisputes older than 120 days cannot be reopened\n- Evidence is virus-scanned\n"
    )
    assert len(extract_criteria(text, whole_field=False)) == 3


@pytest.mark.parametrize(
    "lines",
    [
        "Users can log in with Google\nUsers can log out from any page",
        "The export finishes within 2 minutes for 10,000 rows of data in the table.\nIt is emailed",
        "* The banner shows the plan name\nplain line below the bullet",
    ],
)
def test_short_or_finished_lines_stay_criteria_of_their_own(lines: str) -> None:
    assert len(extract_criteria(lines, whole_field=True)) == 2


def test_a_wrapped_bullet_without_indentation_continues_the_bullet() -> None:
    text = (
        "- The statement lists every transaction of the month with its date, amount and\n"
        "counterparty name\n- Totals are shown per currency\n"
    )
    assert extract_criteria(text, whole_field=True) == (
        "The statement lists every transaction of the month with its date, amount and "
        "counterparty name",
        "Totals are shown per currency",
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("See <https://x.io/spec>", "See [https://x.io/spec](https://x.io/spec)"),
        ("See https://x.io/spec", "See <https://x.io/spec>"),
        ("See https://x.io/spec", "See [https://x.io/spec](https://x.io/spec)"),
        ("The __total__ is bold", "The **total** is bold"),
        ("The *total* is emphasised", "The _total_ is emphasised"),
        ("Post to [**Slack**](<https://a.slack.com/x>)", "Post to **[Slack](https://a.slack.com/x)**"),
        ("Per **[Figma](<https://f.io/a>)** / **[spec](<https://n.so/b>)**",
         "Per **[Figma](<https://f.io/a>) / [spec](<https://n.so/b>)**"),
    ],
)  # fmt: skip
def test_markup_that_renders_the_same_is_cosmetic(before: str, after: str) -> None:
    b, a = f"## AC\n- {before}\n- Other\n", f"## AC\n- {after}\n- Other\n"
    assert extract_criteria(b, whole_field=False) == extract_criteria(a, whole_field=False)
    assert compare_ac(b, a, whole_field=False).kind is ChangeKind.COSMETIC


def test_a_markdown_link_whose_text_is_its_url_reads_as_the_url() -> None:
    text = "## AC\n- Docs at [https://x.io/a](https://x.io/a)\n"
    assert extract_criteria(text, whole_field=False) == ("Docs at https://x.io/a",)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("El pedido se envia en dos dias habiles y se notifica por telefono y por correo "
         "electronico al cliente con el numero de seguimiento",
         "El pedido se envía en dos días hábiles y se notifica por teléfono y por correo "
         "electrónico al cliente con el número de seguimiento"),
        ("Le releve est genere chaque matin et envoye au responsable", "Le relevé est généré "
         "chaque matin et envoyé au responsable"),
    ],
)  # fmt: skip
def test_accent_only_fixes_are_cosmetic_however_many(before: str, after: str) -> None:
    assert compare_ac(before, after, whole_field=True).kind is ChangeKind.COSMETIC


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("El pedido se envia en dos dias", "El pedido se envía en tres días"),
        ("El envio pesa hasta 5 kg", "El envío pesa hasta 5 g"),
        ("El cliente puede cancelar", "El cliente no puede cancelar"),
        ("La sesion debe expirar", "La sesión podría expirar; it may expire"),
        ("Session must expire", "Session should expire"),
        ("Retries after 2 seconds", "Retries after 2 minutes"),
    ],
)
def test_number_unit_negation_and_modal_changes_are_never_typos(before: str, after: str) -> None:
    assert compare_ac(before, after, whole_field=True).kind is ChangeKind.SUBSTANTIVE


@pytest.mark.parametrize(
    "opening",
    ["{code:language=gherkin|title=Checkout}", "{code:title=Checkout}", "{code:borderStyle=solid}"],
)
def test_wiki_code_macro_parameters_name_the_language_or_leave_it_to_the_content(
    opening: str,
) -> None:
    text = "h3. Acceptance Criteria\n" + opening + "\n" + FEATURE + "{code}\n"
    assert len(extract_criteria(text, whole_field=False)) == 2


def test_a_fence_labelled_with_another_language_holds_no_scenarios() -> None:
    text = "## AC\n```python title=x\nScenario: not gherkin\nprint(1)\n```\n"
    assert len(extract_criteria(text, whole_field=False)) == 1


def test_long_capitalised_lines_without_bullets_are_criteria_of_their_own() -> None:
    text = (
        "The user can export the monthly statement as a PDF from the billing page\n"
        "The PDF includes the company logo, the VAT number and the billing address\n"
    )
    assert len(extract_criteria(text, whole_field=True)) == 2
    grown = text + "Statements older than seven years are archived and no longer listed\n"
    assert len(compare_ac(text, grown, whole_field=True).diff.added) == 1


def test_a_line_wrapped_before_a_capitalised_word_still_continues() -> None:
    text = "A weekly summary of failed payouts is sent every Monday to the\nFinance team\n"
    rewrapped = "A weekly summary of failed payouts is sent every Monday\nto the Finance team\n"
    assert len(extract_criteria(text, whole_field=True)) == 1
    assert compare_ac(text, rewrapped, whole_field=True).kind is ChangeKind.COSMETIC
