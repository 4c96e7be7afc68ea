"""``Person.same_as``: the one notion of "the same person" that bursts and the policy share."""

from __future__ import annotations

import pytest

from tracker.domain import Person

ALICE = Person("acc-1", "Alice Moreau", "alice@acme.com")


@pytest.mark.parametrize(
    ("other", "same"),
    [
        (Person("acc-1", "Alice M.", None), True),  # the id decides, whatever the name
        (Person("acc-2", "Alice Moreau", None), False),  # two accounts may share a name
        (Person("acc-2", "A. Moreau", " ALICE@acme.com "), True),  # the same email
        (Person("acc-2", "Bob Chen", "bob@acme.com"), False),
        (Person("", "alice moreau"), True),  # no id on one side: the name decides
        (Person("", "Bob Chen"), False),
        (None, False),  # unknown is nobody
    ],
)
def test_same_as_is_id_then_email_then_name(other: Person | None, same: bool) -> None:
    assert ALICE.same_as(other) is same
    if other is not None:
        assert other.same_as(ALICE) is same


def test_people_without_id_or_name_are_not_the_same() -> None:
    assert not Person("", "").same_as(Person("", ""))
    assert not Person("", " ").same_as(Person("", ""))
