"""The store on SQLite and (when configured) PostgreSQL: migrations, idempotent upserts,
UTC round trips, snapshots, cursors and the sync lock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

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
    Sprint,
    SprintState,
    TextEdit,
    TextRevision,
)
from tracker.errors import ConfigError, StoreError, SyncBusy
from tracker.store import HistoryRead, Store
from tracker.store.engine import SCHEMA_HEAD, current_revision, head_revision

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PRIYA = Person("acc-priya", "Priya Nair", "priya@acme.com")
BOB = Person("acc-bob", "Bob Chen", None)


def bundle(
    key: str = "PAY-7", *, text: str = "* pay\n* refund", updated: datetime = T0, revisions: int = 1
) -> IssueBundle:
    issue = Issue(
        "acme",
        key,
        f"id-{key}",
        f"Title {key}",
        f"https://acme/browse/{key}",
        "Story",
        "Open",
        ("ux",),
        T0,
        updated,
    )
    return IssueBundle(
        issue=issue,
        text_field="customfield_10100",
        current_text=text,
        revisions=tuple(
            TextRevision(
                "acme",
                key,
                f"{100 + i}:0",
                T0 + timedelta(hours=i + 1),
                PRIYA,
                "customfield_10100",
                "* pay",
                text,
            )
            for i in range(revisions)
        ),
        memberships=(MembershipChange("acme", key, "42", T0 - timedelta(days=1), True, PRIYA),),
        sprint_ids=("42", "43"),
        comments=(Comment("acme", key, "c1", T0 + timedelta(hours=2), BOB, "looks big #impact"),),
        links=(
            Link(
                "acme",
                key,
                "l1",
                LinkKind.REMOTE_LINK,
                "Wiki Page",
                "https://acme/wiki/1",
                added_at=None,
                app="confluence",
            ),
        ),
    )


def sprint(sid: str = "42", state: SprintState = SprintState.CLOSED) -> Sprint:
    return Sprint(
        "acme", sid, f"Payments Sprint {sid}", state, T0, T0 + timedelta(days=14), board="7"
    )


def test_the_head_the_store_checks_for_is_the_newest_migration() -> None:
    # Opening compares the database with SCHEMA_HEAD without reading the migrations:
    # a new migration must move it, or databases would never be upgraded to it.
    assert head_revision() == SCHEMA_HEAD


def test_migrates_to_head_and_reopens_without_work(db_url: str) -> None:
    store = Store(db_url)
    assert current_revision(store.engine) == head_revision()
    store.close()
    again = Store(db_url)  # a second open finds the schema current
    assert current_revision(again.engine) == head_revision()
    again.close()


def test_page_round_trip_is_utc_and_complete(db_url: str) -> None:
    store = Store(db_url)
    store.save_source("acme", SourceKind.JIRA, "https://acme", T0)
    store.save_sprints([sprint()])
    store.save_page("acme", [bundle()], seen_at=T0, cursor=T0)
    [history] = store.histories(HistoryRead("acme", ("42",), exact_history=True))
    assert history.issue.labels == ("ux",)
    assert history.revisions[0].at == T0 + timedelta(hours=1)
    assert history.revisions[0].at.tzinfo is not None
    assert history.revisions[0].author == PRIYA
    assert history.comments[0].author == BOB
    assert history.links[0].kind is LinkKind.REMOTE_LINK
    assert history.exact_history is True
    # the current sprint 43 had no membership event: one is derived at creation
    assert {m.sprint_id for m in history.memberships} == {"42", "43"}
    assert store.cursor("acme") == T0
    assert store.sprints("acme")[0].started_at == T0
    store.close()


def test_saving_the_same_page_twice_stores_nothing_twice(db_url: str) -> None:
    store = Store(db_url)
    store.save_page("acme", [bundle(revisions=3)], seen_at=T0, cursor=None)
    first = store.counts()
    store.save_page("acme", [bundle(revisions=3)], seen_at=T0 + timedelta(hours=1), cursor=None)
    assert store.counts() == first
    assert first["revisions"] == 3 and first["snapshots"] == 1
    store.close()


def test_updates_mutable_facts(db_url: str) -> None:
    store = Store(db_url)
    store.save_page("acme", [bundle()], seen_at=T0, cursor=None)
    renamed = replace(
        bundle().issue, title="Renamed", status="Done", updated_at=T0 + timedelta(days=1)
    )
    store.save_page("acme", [replace(bundle(), issue=renamed)], seen_at=T0, cursor=None)
    [history] = store.histories(HistoryRead("acme", ("42",), exact_history=True))
    assert history.issue.title == "Renamed" and history.issue.status == "Done"
    store.close()


def test_snapshots_derive_revisions_for_sources_without_old_text(db_url: str) -> None:
    """Linear-style: no revisions, only 'that it changed'; sync's snapshots recover the text."""
    store = Store(db_url)
    store.save_source("eng", SourceKind.LINEAR, "https://linear", T0)
    first = IssueBundle(
        issue=Issue("eng", "ENG-1", "u1", "t", "u", updated_at=T0),
        text_field="description",
        current_text="## Acceptance Criteria\n- [ ] one",
        sprint_ids=("cyc-12",),
    )
    store.save_page("eng", [first], seen_at=T0, cursor=None)
    edit = TextEdit("eng", "ENG-1", "h1", T0 + timedelta(hours=3), PRIYA)
    second = IssueBundle(
        issue=first.issue,
        text_field="description",
        current_text="## Acceptance Criteria\n- [ ] one\n- [ ] two",
        text_edits=(edit,),
        sprint_ids=("cyc-12",),
    )
    store.save_page("eng", [second], seen_at=T0 + timedelta(hours=5), cursor=None)
    store.save_page(
        "eng", [second], seen_at=T0 + timedelta(hours=6), cursor=None
    )  # unchanged: nothing new
    [history] = store.histories(HistoryRead("eng", ("cyc-12",), exact_history=False))
    assert history.exact_history is False
    assert len(history.snapshots) == 2
    [revision] = history.revisions
    assert revision.at == edit.at and revision.author == PRIYA
    assert revision.from_text == first.current_text and revision.to_text == second.current_text
    store.close()


def test_sync_lock_refuses_a_second_holder(db_url: str) -> None:
    one, two = Store(db_url), Store(db_url)
    with one.lock("acme"):
        with (
            pytest.raises(SyncBusy, match="another `tracker sync` of source 'acme'"),
            two.lock("acme"),
        ):
            pass
        with two.lock("other-source"):
            pass
    with two.lock("acme"):  # released with the first holder
        pass
    one.close()
    two.close()


def test_unreachable_database_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match="check `database`"):
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")


def test_not_a_url_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="not a SQLAlchemy URL"):
        Store("not a url")


def test_upgrade_from_an_older_schema_keeps_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An existing database at the current revision is opened, never recreated."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    store.save_page("acme", [bundle()], seen_at=T0, cursor=None)
    with store.engine.begin() as conn:
        assert conn.execute(text("select count(*) from revisions")).scalar() == 1
    store.close()
    assert Store(url).counts()["revisions"] == 1


def test_schema_matches_the_models_after_migrations(db_url: str) -> None:
    """The alembic revisions and the sqlmodel tables describe the same schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    store = Store(db_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    store.close()
    assert diff == []


def test_windowed_load_keeps_the_latest_revision_before_the_start(db_url: str) -> None:
    store = Store(db_url)
    store.save_page("acme", [bundle(revisions=5)], seen_at=T0, cursor=None)  # at T0+1h .. T0+5h
    since = T0 + timedelta(hours=3, minutes=30)
    store.save_sprints([replace(sprint(), started_at=since)])
    [history] = store.histories(HistoryRead("acme", ("42",), exact_history=True, windowed=True))
    assert [r.at for r in history.revisions] == [T0 + timedelta(hours=h) for h in (3, 4, 5)]
    [everything] = store.histories(HistoryRead("acme", ("42",), exact_history=True))
    assert len(everything.revisions) == 5
    store.close()


def test_refreshed_statistics_reach_the_planner(db_url: str) -> None:
    """After a sync stores issues the planner knows the tables' sizes; without them
    SQLite plans a report's per-issue windows as a scan of every revision."""
    store = Store(db_url)
    store.save_page(
        "acme", [bundle(f"PAY-{n}", revisions=3) for n in range(20)], seen_at=T0, cursor=None
    )
    store.refresh_statistics()
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            analysed = conn.execute(text("select tbl from sqlite_stat1")).scalars().all()
        else:
            analysed = (
                conn.execute(
                    text(
                        "select relname from pg_stat_user_tables "
                        "where last_analyze is not null or last_autoanalyze is not null"
                    )
                )
                .scalars()
                .all()
            )
    store.close()
    assert {"revisions", "memberships", "comments"} <= set(analysed)
