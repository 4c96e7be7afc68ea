"""The delivery claim on SQLite and PostgreSQL: one winner however many senders race,
a dead sender's claim taken over after the lease, nothing recorded that was not sent."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from tracker.notify.model import DeliveryKey
from tracker.store import Store

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
KEY = DeliveryKey(
    "acme-jira", "PAY-101", datetime(2026, 3, 4, 9, 30, 12, 345000, tzinfo=UTC), "slack"
)
LEASE = timedelta(minutes=10)


def test_a_delivery_is_claimed_once_and_recorded_as_sent(db_url: str) -> None:
    store = Store(db_url)
    assert store.claim_delivery(KEY, "a", NOW, LEASE)
    assert not store.claim_delivery(KEY, "b", NOW, LEASE)
    assert store.delivered(["acme-jira"]) == set()  # claimed is not sent
    assert store.mark_delivered(KEY, "a", NOW, "20001")
    assert store.delivered(["acme-jira"]) == {KEY}
    assert not store.claim_delivery(KEY, "c", NOW + timedelta(days=30), LEASE)  # ever
    assert store.delivered(["other"]) == set()


def test_a_refused_message_gives_its_claim_back(db_url: str) -> None:
    store = Store(db_url)
    assert store.claim_delivery(KEY, "a", NOW, LEASE)
    store.release_delivery(KEY, "a")
    assert store.claim_delivery(KEY, "b", NOW, LEASE)


def test_a_dead_sender_s_claim_is_taken_over_after_the_lease(db_url: str) -> None:
    store = Store(db_url)
    assert store.claim_delivery(KEY, "dead", NOW, LEASE)
    assert not store.claim_delivery(KEY, "b", NOW + LEASE - timedelta(seconds=1), LEASE)
    assert store.claim_delivery(KEY, "b", NOW + LEASE + timedelta(seconds=1), LEASE)
    # The dead sender, back after all, can no longer record: the new claimant does.
    assert not store.mark_delivered(KEY, "dead", NOW, None)
    assert store.mark_delivered(KEY, "b", NOW, None)


def test_other_channels_and_changes_are_separate_deliveries(db_url: str) -> None:
    store = Store(db_url)
    assert store.claim_delivery(KEY, "a", NOW, LEASE)
    assert store.claim_delivery(
        DeliveryKey(KEY.source, KEY.issue_key, KEY.changed_at, "comment"), "a", NOW, LEASE
    )
    later = DeliveryKey(
        KEY.source, KEY.issue_key, KEY.changed_at + timedelta(microseconds=1), "slack"
    )
    assert store.claim_delivery(later, "a", NOW, LEASE)


@pytest.mark.parametrize("stale", [False, True])
def test_racing_senders_have_exactly_one_winner(db_url: str, stale: bool) -> None:
    """Eight senders (threads with their own connections, as cron jobs on two machines
    would be) claim the same delivery at once; with ``stale`` they race to take over a
    dead sender's claim instead."""
    setup = Store(db_url)
    if stale:
        assert setup.claim_delivery(KEY, "dead", NOW - timedelta(hours=1), LEASE)
    setup.close()
    stores = [Store(db_url) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    wins: list[str] = []

    def sender(i: int) -> None:
        barrier.wait()
        if stores[i].claim_delivery(KEY, f"s{i}", NOW, LEASE):
            wins.append(f"s{i}")

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert stores[0].mark_delivered(KEY, wins[0], NOW, None)
    for store in stores:
        store.close()
