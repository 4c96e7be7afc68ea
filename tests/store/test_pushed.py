"""The webhook save path on SQLite and PostgreSQL: deliveries stored once, exact Linear
saves beside the poll's snapshots, and a late delivery taking the place of what a poll
derived over the same save."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain import Issue, IssueBundle, PushedEvent, TextRevision
from tracker.store import PushedDelivery, Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store(db_url)
    yield opened
    opened.close()


def poll(store: Store, text: str, at: datetime) -> None:
    issue = Issue("eng", "ENG-1", "issue-1", "Checkout", "https://linear.app/acme/issue/ENG-1")
    bundle = IssueBundle(issue, "description", text, sprint_ids=("cycle-12",))
    store.save_page("eng", [bundle], seen_at=at, cursor=None)


def pushed(before: str, after: str, at: datetime) -> PushedEvent:
    revision = TextRevision(
        "eng", "ENG-1", f"webhook:{at.isoformat()}", at, None, "description", before, after
    )
    return PushedEvent("eng", "ENG-1", at, revisions=(revision,), keeps_snapshots=True)


def revisions(store: Store) -> list[tuple[str, str, str]]:
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT origin, from_text, to_text FROM revisions ORDER BY at, revision_id"
        ).all()
    return [(str(o), str(f), str(t)) for o, f, t in rows]


def test_a_delivery_id_is_stored_once_even_twice_in_one_batch(store: Store) -> None:
    event = pushed("A", "B", T0)
    assert store.save_pushed([event], delivery=("eng", "d-1"), at=T0)
    assert not store.save_pushed([event], delivery=("eng", "d-1"), at=T0)
    with store.pushed_writer() as write:
        batch = [PushedDelivery([event], ("eng", "d-2"), T0)] * 2
        assert write(batch) == [True, False]
    assert revisions(store) == [("webhook", "A", "B")]


def test_the_next_poll_derives_nothing_for_a_save_a_webhook_stored(store: Store) -> None:
    poll(store, "A", T0)
    store.save_pushed([pushed("A", "B", T0 + timedelta(hours=1))], delivery=None, at=T0)
    poll(store, "B", T0 + timedelta(hours=5))
    assert revisions(store) == [("webhook", "A", "B")]


def test_a_late_delivery_replaces_what_the_poll_derived(store: Store) -> None:
    poll(store, "A", T0)
    poll(store, "C", T0 + timedelta(hours=5))  # two saves happened: A→B, B→C
    assert revisions(store) == [("snapshot", "A", "C")]
    store.save_pushed([pushed("A", "B", T0 + timedelta(hours=1))], delivery=None, at=T0)
    # the derived revision keeps only what the first save leaves unexplained
    assert sorted(revisions(store)) == [("snapshot", "B", "C"), ("webhook", "A", "B")]
    store.save_pushed([pushed("B", "C", T0 + timedelta(hours=2))], delivery=None, at=T0)
    assert sorted(revisions(store)) == [("webhook", "A", "B"), ("webhook", "B", "C")]


def test_a_save_after_the_deriving_poll_leaves_its_revision_alone(store: Store) -> None:
    poll(store, "A", T0)
    poll(store, "B", T0 + timedelta(hours=5))
    # a save made after that poll cannot be the one it derived its revision from
    store.save_pushed([pushed("A", "B", T0 + timedelta(hours=6))], delivery=None, at=T0)
    assert ("snapshot", "A", "B") in revisions(store)


def test_an_edit_no_delivery_brought_is_derived_not_lost(store: Store) -> None:
    poll(store, "A", T0)
    # the receiver was down for the save A→B; it gets B→C
    store.save_pushed([pushed("B", "C", T0 + timedelta(hours=2))], delivery=None, at=T0)
    assert sorted(revisions(store)) == [("snapshot", "A", "B"), ("webhook", "B", "C")]
    poll(store, "C", T0 + timedelta(hours=5))
    assert len(revisions(store)) == 2
    # Linear's retry of A→B arrives after all: it takes the derived one's place
    store.save_pushed([pushed("A", "B", T0 + timedelta(hours=1))], delivery=None, at=T0)
    assert sorted(revisions(store)) == [("webhook", "A", "B"), ("webhook", "B", "C")]
