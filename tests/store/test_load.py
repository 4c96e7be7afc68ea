"""The store's read path: every value comes back under its own column's name, and what
is read is the caller's ``HistoryRead``."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import text

from tracker.domain import (
    Comment,
    Issue,
    IssueBundle,
    Link,
    LinkKind,
    MembershipChange,
    Person,
    SourceKind,
    TextEdit,
    TextRevision,
)
from tracker.store import HistoryRead, Store, load

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
T = TypeVar("T")
PRIYA = Person("acc-priya", "Priya Nair", "priya@acme.com")


def distinct_texts() -> IssueBundle:
    """An issue whose every text field holds a different value, so a value read under
    another column's name shows."""
    key = "PAY-7"
    return IssueBundle(
        issue=Issue(
            "acme", key, "id-7", "the title", "https://acme/7", "the type", "the status",
            ("label",), T0, T0 + timedelta(hours=9),
        ),
        text_field="the field",
        current_text="the current text",
        revisions=(
            TextRevision(
                "acme", key, "r1", T0 + timedelta(hours=1), PRIYA, "the field",
                "the old text", "the new text",
            ),
        ),
        text_edits=(TextEdit("acme", key, "e1", T0 + timedelta(hours=1), PRIYA),),
        memberships=(MembershipChange("acme", key, "42", T0, True, PRIYA, automated=True),),
        sprint_ids=("42",),
        comments=(
            Comment(
                "acme", key, "c1", T0 + timedelta(hours=2), PRIYA, "the body",
                T0 + timedelta(hours=3), "https://acme/comment", "the parent",
            ),
        ),
        links=(
            Link(
                "acme", key, "l1", LinkKind.ISSUE_LINK, "the link title", "https://acme/link",
                "the relationship", T0 + timedelta(hours=4), PRIYA, "PAY-9", "the target type",
                ("target label",), "the app",
            ),
        ),
    )  # fmt: skip


def _reverse_every_table(url: str) -> None:
    """Rebuild each table the reads use with its columns in the opposite order."""
    store = Store(url)
    with store.engine.begin() as conn:
        for table in ("issues", "revisions", "snapshots", "text_edits", "memberships",
                      "comments", "links"):  # fmt: skip
            names = [row[1] for row in conn.execute(text(f"PRAGMA table_info({table})"))]
            columns = ", ".join(reversed(names))
            conn.execute(text(f"CREATE TABLE reordered AS SELECT {columns} FROM {table}"))
            conn.execute(text(f"DROP TABLE {table}"))
            conn.execute(text(f"ALTER TABLE reordered RENAME TO {table}"))
    store.close()


@pytest.mark.parametrize("exact", [True, False])
def test_a_column_reorder_cannot_swap_two_text_fields(tmp_path: Path, exact: bool) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = Store(url)
    store.save_page("acme", [distinct_texts()], seen_at=T0 + timedelta(hours=10), cursor=None)
    read = HistoryRead("acme", ("42",), exact_history=exact)
    [before] = store.histories(read)
    store.close()
    _reverse_every_table(url)
    store = Store(url)
    [after] = store.histories(read)
    store.close()
    assert after == before
    written = distinct_texts()
    assert after.issue == written.issue
    assert (after.text_field, after.current_text) == ("the field", "the current text")
    assert after.revisions == written.revisions
    assert after.comments == written.comments
    assert after.links == written.links
    assert after.memberships == written.memberships
    if not exact:
        assert after.text_edits == written.text_edits
        assert [s.text for s in after.snapshots] == ["the current text"]


def _names(reader: load._Reader[T]) -> tuple[list[str], list[str]]:
    """The reader's parameters (after ``self``) and the columns it selects."""
    parameters = list(inspect.signature(reader.build).parameters)[1:]
    return parameters, [str(c.key) for c in reader.columns]


def test_every_reader_takes_its_columns_by_their_names() -> None:
    for parameters, columns in (
        _names(load._SNAPSHOTS), _names(load._TEXT_EDITS), _names(load._MEMBERSHIPS),
        _names(load._COMMENTS), _names(load._LINKS), _names(load._REVISIONS),
    ):  # fmt: skip
        assert columns == parameters
    parameters = list(inspect.signature(load._Issues.history).parameters)[1:]
    assert [c.key for c in load._ISSUE_COLUMNS] == parameters


def test_snapshots_and_text_edits_are_read_only_without_exact_history(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'tracker.db'}")
    store.save_page("acme", [distinct_texts()], seen_at=T0 + timedelta(hours=10), cursor=None)
    [exact] = store.histories(HistoryRead("acme", ("42",), exact_history=True))
    assert exact.exact_history and exact.snapshots == () and exact.text_edits == ()
    [snapshots] = store.histories(HistoryRead("acme", ("42",), exact_history=False))
    assert not snapshots.exact_history and snapshots.snapshots and snapshots.text_edits
    store.close()


def test_the_source_declares_whether_it_keeps_exact_history(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'tracker.db'}")
    store.save_source("jira", SourceKind.JIRA, "https://jira", T0, exact_history=True)
    store.save_source("linear", SourceKind.LINEAR, "https://linear", T0, exact_history=False)
    assert store.keeps_exact_history("jira") is True
    assert store.keeps_exact_history("linear") is False
    assert store.keeps_exact_history("never-synced") is True  # nothing stored to read
    store.close()


def test_evidence_of_changed_issues_only_needs_a_window_over_exact_history() -> None:
    with pytest.raises(ValueError, match="needs windowed and exact_history"):
        HistoryRead("acme", ("42",), exact_history=False, windowed=True,
                    evidence_of_changed_only=True)  # fmt: skip
