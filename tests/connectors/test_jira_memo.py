"""What a Jira source keeps between syncs: a night with nothing changed costs one sprint
page per board and one search page; kept answers are asked for again after a day, on
``--full``, after a failed run, or when the kept field list lacks the configured field."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from connectors.jira import JiraSource
from connectors.memo import Memo
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from tracker import clock
from tracker.config import JiraSourceConfig
from tracker.errors import UpstreamError
from tracker.store import Store
from tracker.sync import sync_source

NIGHT = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
SETUP = {
    "GET /rest/api/2/serverInfo",
    "GET /rest/api/2/field",
    "GET /rest/agile/1.0/board/{id}",
}


class Night:
    def __init__(self) -> None:
        self.at = NIGHT

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def night() -> Iterator[Night]:
    now = Night()
    clock.set_clock(now)
    yield now
    clock.reset_clock()


@pytest.fixture
def sim(night: Night) -> Iterator[JiraSimulator]:
    with JiraSimulator(build_demo_workspace(), flavour="cloud") as running:
        yield running


def source_for(sim: JiraSimulator, **overrides: object) -> JiraSource:
    values: dict[str, object] = {
        "name": "acme", "type": "jira", "url": sim.url, "token_env": "JIRA_API_TOKEN",
        "email": DEMO.email, "boards": list(DEMO.boards), "token": SecretStr(DEMO.token),
        "max_retries": 0,
    }  # fmt: skip
    values.update(overrides)
    return JiraSource(JiraSourceConfig.model_validate(values), sleep=lambda _: None)


def sync(
    sim: JiraSimulator, store: Store, *, full: bool = False, **overrides: object
) -> Counter[str]:
    sim.reset_counts()
    source = source_for(sim, **overrides)
    try:
        sync_source(store, source, url=sim.url, full=full)
    finally:
        source.close()
    return Counter(sim.requests)


def test_a_night_with_nothing_changed_costs_a_sprint_page_per_board_and_one_search(
    sim: JiraSimulator, night: Night, tmp_path: object
) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    first = sync(sim, store)
    assert set(first) >= SETUP
    assert set(store.memo("acme")) == {"serverInfo", "fields", "board/7", "board/9"}
    night.at += timedelta(hours=20)
    quiet = sync(sim, store)
    boards = len(DEMO.boards)
    assert quiet == {
        "GET /rest/agile/1.0/board/{id}/sprint": boards,
        "GET /rest/api/2/search/jql": 1,
    }
    assert sum(quiet.values()) <= 3 + boards


def test_expired_answers_are_asked_again_one_a_night_oldest_first(
    sim: JiraSimulator, night: Night, tmp_path: object
) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    sync(sim, store)
    asked = []
    for _ in range(5):  # nightly, at the same minute: every kept answer a day old or more
        night.at += timedelta(days=1)
        made = sync(sim, store)
        setup = {route: n for route, n in made.items() if route in SETUP}
        assert sum(made.values()) <= 3 + len(DEMO.boards)
        asked.append(setup)
    # board 7, board 9, the field list, serverInfo: each asked again within four nights
    assert asked[:4] == [
        {"GET /rest/agile/1.0/board/{id}": 1},
        {"GET /rest/agile/1.0/board/{id}": 1},
        {"GET /rest/api/2/field": 1},
        {"GET /rest/api/2/serverInfo": 1},
    ]
    assert asked[4] == {"GET /rest/agile/1.0/board/{id}": 1}  # board 7 again, the oldest


def test_everything_is_asked_again_after_a_week_and_on_full(
    sim: JiraSimulator, night: Night, tmp_path: object
) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    sync(sim, store)
    night.at += timedelta(days=7)
    assert set(sync(sim, store)) >= SETUP
    night.at += timedelta(hours=1)
    assert not SETUP & set(sync(sim, store))
    assert set(sync(sim, store, full=True)) >= SETUP


def test_a_failed_sync_forgets_what_it_kept(
    sim: JiraSimulator, night: Night, tmp_path: object
) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    sync(sim, store)
    night.at += timedelta(hours=1)
    sim.fail_next(status=500, retry_after=None, path_contains="search/jql")
    with pytest.raises(UpstreamError):
        sync(sim, store)
    assert store.memo("acme") == {}
    night.at += timedelta(hours=1)
    assert set(sync(sim, store)) >= SETUP


def test_a_field_missing_from_the_kept_list_asks_for_the_list_again(
    sim: JiraSimulator, night: Night, tmp_path: object
) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    sync(sim, store)
    kept = store.memo("acme")
    ac = DEMO.ac_field_id("cloud")
    kept["fields"]["value"] = [f for f in kept["fields"]["value"] if f["id"] != ac]
    store.save_memo("acme", kept, NIGHT)
    night.at += timedelta(hours=1)
    again = sync(sim, store)
    assert again["GET /rest/api/2/field"] == 1
    assert any(f["id"] == ac for f in store.memo("acme")["fields"]["value"])


def test_memo_renews_the_oldest_expired_entry_and_drops_the_unusable() -> None:
    now = datetime(2026, 4, 2, tzinfo=UTC)
    memo = Memo(lambda: now)
    memo.load(
        {
            "fresh": {"at": (now - timedelta(hours=23)).isoformat(), "value": 1},
            "expired": {"at": (now - timedelta(hours=25)).isoformat(), "value": 2},
            "older": {"at": (now - timedelta(hours=30)).isoformat(), "value": 3},
            "ancient": {"at": (now - timedelta(days=8)).isoformat(), "value": 4},
            "future": {"at": (now + timedelta(hours=1)).isoformat(), "value": 5},
            "garbage": {"at": "not a time", "value": 6},
            "shapeless": [1, 2],
        }
    )
    asked: list[str] = []

    def ask(key: str) -> object:
        asked.append(key)
        return key.upper()

    def asker(key: str) -> Callable[[], object]:
        return lambda: ask(key)

    assert [memo.get(k, asker(k)) for k in ("fresh", "expired", "older")] == [
        1,
        2,
        "OLDER",
    ]
    assert memo.get("ancient", lambda: ask("ancient")) == "ANCIENT"
    assert asked == ["older", "ancient"]
    assert set(memo.dump()) == {"fresh", "expired", "older", "ancient"}
    memo.forget("fresh")
    assert "fresh" not in memo.dump() and memo.known("expired") and not memo.known("fresh")


def test_the_overlap_rereads_late_arrivals_only(
    sim: JiraSimulator, night: Night, tmp_path: object
) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    sim.workspace.edit_field(
        "PAY-101", "ac", "* edited a minute before", "priya@acme.com", NIGHT - timedelta(minutes=1)
    )
    sync(sim, store)
    night.at += timedelta(hours=20)
    # PAY-101 falls in the next sync's overlap, stored as it is: no history is asked for.
    assert set(sync(sim, store)) == {
        "GET /rest/agile/1.0/board/{id}/sprint",
        "GET /rest/api/2/search/jql",
    }
    # A save the search did not show yet at the last sync (its time is before that sync's
    # start) is read: its issue's `updated` differs from the stored one.
    late = NIGHT + timedelta(hours=20) - timedelta(minutes=4)
    sim.workspace.edit_field("PAY-102", "ac", "* indexed late", "priya@acme.com", late)
    night.at += timedelta(hours=20)
    made = sync(sim, store)
    assert made["POST /rest/api/2/changelog/bulkfetch"] >= 1
    stored = store.updated_since("acme", late - timedelta(seconds=1))
    assert set(stored) == {"PAY-102"} and stored["PAY-102"] >= late
