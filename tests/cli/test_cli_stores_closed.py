"""Every command that opens the store closes it, on success and on error alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracker.cli import run
from tracker.domain import Issue, IssueBundle, MembershipChange, Person, Sprint, SprintState
from tracker.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PRIYA = Person("acc-priya", "Priya Nair", "priya@acme.com")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tracker.toml").write_text(
        'database = "sqlite:///t.db"\n[[source]]\nname = "acme"\ntype = "jira"\n'
        'url = "https://acme.atlassian.net"\ntoken_env = "ACME_TOKEN"\nboards = [7]\n',
        encoding="utf-8",
    )
    store = Store(f"sqlite:///{tmp_path / 't.db'}", create=True)
    store.save_source("acme", "jira", "https://acme.atlassian.net", T0)
    sprint = Sprint("acme", "42", "Sprint 42", SprintState.ACTIVE, T0, None, board="7")
    store.save_sprints([sprint])
    issue = Issue("acme", "PAY-1", "id-1", "Title", "https://acme/browse/PAY-1")
    bundle = IssueBundle(
        issue=issue,
        text_field="customfield_10100",
        current_text="* pay",
        memberships=(MembershipChange("acme", "PAY-1", "42", T0 - timedelta(days=1), True),),
        sprint_ids=("42",),
    )
    store.save_page("acme", [bundle], seen_at=T0, cursor=None)
    store.close()
    return tmp_path


@pytest.fixture
def open_stores(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Store]]:
    """The stores opened from here on and not closed again."""
    still_open: list[Store] = []
    opened, closed = Store.__init__, Store.close

    def init(self: Store, *args: object, **kwargs: object) -> None:
        opened(self, *args, **kwargs)  # type: ignore[arg-type]
        still_open.append(self)

    def close(self: Store) -> None:
        closed(self)
        still_open.remove(self)

    monkeypatch.setattr(Store, "__init__", init)
    monkeypatch.setattr(Store, "close", close)
    yield still_open


@pytest.mark.parametrize(
    "command",
    [
        ["sprints"],
        ["report", "--sprint", "42"],
        ["report", "--sprint", "no such sprint"],
        ["show", "PAY-1"],
        ["show", "NOPE-1"],
        ["trend"],
        ["sprints", "--source", "nope"],
    ],
)
def test_read_commands_close_the_store_they_open(
    workspace: Path, open_stores: list[Store], command: list[str]
) -> None:
    run(command)
    assert open_stores == []
