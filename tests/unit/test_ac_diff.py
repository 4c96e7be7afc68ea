"""Criterion diff: alignment, word changes, risks, and the none/cosmetic/substantive call."""

from __future__ import annotations

import pytest

from tracker.ac import ChangeKind, compare_ac, diff_criteria
from tracker.findings import CriteriaDiff, Modified


def test_identical_lists_have_an_empty_diff() -> None:
    assert diff_criteria(["a b c", "d e f"], ["a b c", "d e f"]) == CriteriaDiff()


def test_reordering_is_not_a_change_in_the_diff() -> None:
    assert diff_criteria(["one thing", "other thing"], ["other thing", "one thing"]).is_empty()


def test_added_removed_and_reworded_are_told_apart() -> None:
    before = ["Users can export invoices as CSV", "Exports are emailed when ready"]
    after = [
        "Exports are emailed to the requester when ready",
        "Admins receive a weekly digest on Monday",
    ]
    diff = diff_criteria(before, after)
    assert diff.added == ("Admins receive a weekly digest on Monday",)
    assert diff.removed == ("Users can export invoices as CSV",)
    assert diff.modified == (
        Modified(
            before="Exports are emailed when ready",
            after="Exports are emailed to the requester when ready",
            removed_words=(),
            added_words=("to", "the", "requester"),
        ),
    )


def test_modified_pairs_follow_the_best_match_even_when_reordered() -> None:
    before = ["Search returns results within 2s", "Search supports quoted phrases"]
    after = ["Search supports quoted phrases and wildcards", "Search returns results within 1s"]
    diff = diff_criteria(before, after)
    assert [(m.before, m.after) for m in diff.modified] == [
        ("Search supports quoted phrases", "Search supports quoted phrases and wildcards"),
        ("Search returns results within 2s", "Search returns results within 1s"),
    ]


@pytest.mark.parametrize(
    ("before", "after", "risk"),
    [
        ("Page loads within 2s", "Page loads within 500ms", "number: 2s → 500ms"),
        ("Lock after 5 attempts", "Lock after three attempts", "number: 5 → three"),
        ("Free shipping over $50", "Free shipping over $75", "number: $50 → $75"),
        ("Logs must include the IP", "Logs must not include the IP", "negation: must → must not"),
        (
            "Tokens should be cached",
            "Tokens should never be cached",
            "negation: should → should never",
        ),
        (
            "Users can delete drafts",
            "Users can no longer delete drafts",
            "negation: can → can no longer",
        ),
        ("Guests can't see prices", "Guests can see prices", "negation: can't → can"),
        (
            "The flag is enabled for beta",
            "The flag is disabled for beta",
            "negation: enabled → disabled",
        ),
        ("Audit log should record IPs", "Audit log must record IPs", "modal: should → must"),
        ("At least 12 characters", "At most 12 characters", "bound: At least → At most"),
    ],
)
def test_risks_name_numbers_negations_modals_and_bounds(before: str, after: str, risk: str) -> None:
    (modified,) = diff_criteria([before], [after]).modified
    assert risk in modified.risks


def test_word_changes_keep_quantities_whole() -> None:
    (m,) = diff_criteria(["Respond within 2 seconds"], ["Respond within 500 ms"]).modified
    assert (m.removed_words, m.added_words) == (("2 seconds",), ("500 ms",))


def _wiki(*items: str, outside: str = "Intro") -> str:
    return outside + "\nh3. Acceptance Criteria\n" + "\n".join(f"* {i}" for i in items)


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (_wiki("Pay by card"), _wiki("Pay by card", outside="Changed intro"), ChangeKind.NONE),
        (_wiki("Pay by card"), _wiki("Pay by card").replace("\n", "\r\n"), ChangeKind.NONE),
        (_wiki("Pay by card"), _wiki("Pay by card  "), ChangeKind.NONE),
        (_wiki("Pay by card"), _wiki("Pay  by card"), ChangeKind.COSMETIC),
        (_wiki("Pay by card"), _wiki("*Pay* by card"), ChangeKind.COSMETIC),
        (_wiki("pay by card"), _wiki("Pay by card."), ChangeKind.COSMETIC),
        (_wiki("a one", "b two"), _wiki("b two", "a one"), ChangeKind.COSMETIC),
        (_wiki("Recieve receipts"), _wiki("Receive receipts"), ChangeKind.COSMETIC),
        (_wiki("Expires in 1 hour"), _wiki("Expires in 60 minutes"), ChangeKind.COSMETIC),
        (_wiki("Show teh total"), _wiki("Show the total"), ChangeKind.COSMETIC),
        (_wiki("Show a min of 5"), _wiki("Show a max of 5"), ChangeKind.SUBSTANTIVE),
        (_wiki("Turn it on"), _wiki("Turn it off"), ChangeKind.SUBSTANTIVE),
        (_wiki("Users are visible"), _wiki("Users are invisible"), ChangeKind.SUBSTANTIVE),
        (_wiki("Admins can export"), _wiki("Managers can export"), ChangeKind.SUBSTANTIVE),
        (_wiki("Pay by card"), _wiki("Pay by card", "Pay by PayPal"), ChangeKind.SUBSTANTIVE),
        (_wiki("Timeout 2s"), _wiki("Timeout 3s"), ChangeKind.SUBSTANTIVE),
        (None, _wiki("Pay by card"), ChangeKind.SUBSTANTIVE),
        (None, None, ChangeKind.NONE),
    ],
)
def test_compare_ac_kinds(before: str | None, after: str | None, kind: ChangeKind) -> None:
    assert compare_ac(before, after, whole_field=False).kind is kind


def test_compare_none_has_an_empty_diff_and_cosmetic_may_show_the_edit() -> None:
    none = compare_ac(_wiki("a"), _wiki("a", outside="x"), whole_field=False)
    assert none.diff.is_empty()
    typo = compare_ac(_wiki("Recieve receipts"), _wiki("Receive receipts"), whole_field=False)
    assert typo.diff.modified[0].removed_words == ("Recieve",)


def test_duplicate_dropped_is_cosmetic() -> None:
    result = compare_ac("* same\n* same\n* other", "* same\n* other", whole_field=True)
    assert result.kind is ChangeKind.COSMETIC
    assert result.diff.removed == ("same",)
