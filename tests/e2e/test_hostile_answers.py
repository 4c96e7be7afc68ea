"""Answers a broken server or proxy sends, through a real proxy in front of the simulators,
into a real store: nothing is lost, the cursor never moves past what was not read, one
bad value never blocks a source, and one broken source never blocks the others."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hostile import FaultProxy
from pydantic import SecretStr
from sqlalchemy import text

from connectors.jira import JiraSource
from connectors.linear import LinearSource
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from tracker import clock
from tracker.cli import run
from tracker.config import JiraSourceConfig, LinearSourceConfig
from tracker.errors import UpstreamError
from tracker.store import Store
from tracker.sync import sync_all, sync_source

FIRST = datetime(2026, 3, 20, tzinfo=UTC)
LATER = FIRST + timedelta(days=1)


@pytest.fixture(scope="module")
def jira_sim() -> Iterator[JiraSimulator]:
    with JiraSimulator(build_demo_workspace(), flavour="cloud") as sim:
        yield sim


@pytest.fixture
def proxy(jira_sim: JiraSimulator) -> Iterator[FaultProxy]:
    with FaultProxy(jira_sim.url) as running:
        yield running


def jira_config(url: str, name: str = "acme") -> JiraSourceConfig:
    return JiraSourceConfig(
        name=name, type="jira", url=url, token_env="JIRA_API_TOKEN", email=DEMO.email,
        boards=list(DEMO.boards), token=SecretStr(DEMO.token), max_retries=1,
    )  # fmt: skip


def jira(url: str) -> JiraSource:
    return JiraSource(jira_config(url), clock=clock.now, sleep=lambda _: None)


def synced_once(store: Store, url: str) -> datetime | None:
    clock.set_clock(lambda: FIRST)
    source = jira(url)
    sync_source(store, source, url=url)
    source.close()
    return store.cursor("acme")


# -- finding 2: an answer without what its endpoint always sends ------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/search/jql", b""),  # the `jira` library read this as {}: "no issues"
        ("/search/jql", b"{}"),
        ("/search/jql", b'{"isLast": true}'),
        ("/sprint", b""),
        ("/changelog/bulkfetch", b"   "),
        ("/field", b"{}"),
    ],
    ids=["empty-search", "object-search", "no-issues-key", "empty-sprints", "blank-bulk", "field"],
)
def test_an_answer_without_its_fields_fails_the_sync_and_the_cursor_stays(
    proxy: FaultProxy, tmp_path: Path, path: str, body: bytes
) -> None:
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    cursor = synced_once(store, proxy.url)
    counts = store.counts()
    clock.set_clock(lambda: LATER)
    proxy.on(path, body=body)
    source = jira(proxy.url)
    with pytest.raises(UpstreamError, match=r"nothing from it was stored and the sync's cursor"):
        # --full: a sync within the day keeps the field list instead of asking for it
        sync_source(store, source, url=proxy.url, full=path in ("/changelog/bulkfetch", "/field"))
    assert store.cursor("acme") == cursor and store.counts() == counts


def test_a_malformed_answer_is_not_logged_and_does_not_blame_the_network(
    proxy: FaultProxy, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    # The library logged the whole body at ERROR (issue content, into cron mail) and
    # reset its logger to INFO on every construction.
    secret_text = "confidential roadmap " * 2000
    proxy.on("/search/jql", body=f"<html>{secret_text}</html>".encode())
    source = jira(proxy.url)
    with caplog.at_level(logging.DEBUG), pytest.raises(UpstreamError) as info:
        list(source.fetch_issues(source.fetch_sprints(), None))
    message = str(info.value)
    assert "not JSON" in message and "cannot reach" not in message and "network" not in message
    assert "confidential" not in caplog.text and "confidential" not in message
    out, err = capfd.readouterr()
    assert "confidential" not in out + err
    assert logging.getLogger("jira").getEffectiveLevel() >= logging.CRITICAL


# -- finding 7: values no database can store -----------------------------------------------


POISONED = "PAY-101"


def poison(answer: Any, path: str) -> Any:
    for issue in answer.get("issues") or []:
        if issue["key"] == POISONED:
            issue["fields"]["summary"] = "Checkout \ud800 total\x00 shown"
    return answer


def test_a_lone_surrogate_and_a_nul_are_stored_replaced_naming_the_issue(
    proxy: FaultProxy, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    proxy.on("/search/jql", transform=poison)
    store = Store(db_url)
    source = jira(proxy.url)
    with caplog.at_level(logging.WARNING):
        result = sync_source(store, source, url=proxy.url)
    assert result.issues > 0
    with store.engine.connect() as conn:
        title = conn.execute(
            text("SELECT title FROM issues WHERE issue_key = :k"), {"k": POISONED}
        ).scalar()
    assert title == "Checkout \ufffd total\ufffd shown"
    (line,) = [r.getMessage() for r in caplog.records if "no database can store" in r.message]
    assert f"issue {POISONED}" in line and "2 character(s)" in line
    store.close()


def test_one_sources_unexpected_error_does_not_stop_the_others(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    def null_entry(answer: Any, path: str) -> Any:
        answer["issueChangeLogs"] = [None, *answer["issueChangeLogs"]]
        return answer

    proxy.on("/changelog/bulkfetch", transform=null_entry)
    with LinearSimulator(build_demo_linear_workspace(), api_key=LINEAR_DEMO.api_key) as linear:
        linear_config = LinearSourceConfig(
            name="acme-linear", type="linear", url=linear.url, token_env="LINEAR_API_KEY",
            teams=[LINEAR_DEMO.team_key], token=SecretStr(LINEAR_DEMO.api_key),
        )  # fmt: skip
        store = Store(f"sqlite:///{tmp_path / 't.db'}")
        sources = [(jira(proxy.url), proxy.url), (LinearSource(linear_config), linear.url)]
        results = sync_all(store, sources)  # type: ignore[arg-type]
    broken, fine = results
    assert broken.error is not None and fine.ok and fine.issues > 0
    assert str(broken.error).startswith("unexpected AttributeError")
    assert "\n" not in str(broken.error)
    assert store.cursor("acme-linear") is not None and store.cursor("acme") is None
    store.close()


def test_sync_exits_1_naming_the_broken_source_and_stores_the_rest(
    proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    proxy.on("/changelog/bulkfetch", transform=lambda a, p: {**a, "issueChangeLogs": [None]})
    with LinearSimulator(build_demo_linear_workspace(), api_key=LINEAR_DEMO.api_key) as linear:
        monkeypatch.setenv("T_JIRA", DEMO.token)
        monkeypatch.setenv("T_LINEAR", LINEAR_DEMO.api_key)
        config = tmp_path / "tracker.toml"
        config.write_text(
            f'database = "sqlite:///{tmp_path / "t.db"}"\n'
            f'[[source]]\nname = "jira"\ntype = "jira"\nurl = "{proxy.url}"\n'
            f'email = "{DEMO.email}"\ntoken_env = "T_JIRA"\nboards = {list(DEMO.boards)}\n'
            f'[[source]]\nname = "linear"\ntype = "linear"\nurl = "{linear.url}"\n'
            f'token_env = "T_LINEAR"\nteams = ["{LINEAR_DEMO.team_key}"]\n'
        )
        code = run(["--config", str(config), "sync"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "sync of 'jira' failed: unexpected" in err
    assert Store(f"sqlite:///{tmp_path / 't.db'}").cursor("linear") is not None


# -- Linear: answers its schema never allows -------------------------------------------------


def test_linear_null_cycles_is_an_upstream_error_not_a_crash() -> None:
    with (
        LinearSimulator(build_demo_linear_workspace(), api_key=LINEAR_DEMO.api_key) as linear,
        FaultProxy(linear.url) as proxy,
    ):
        proxy.on("/graphql", transform=lambda a, p: {"data": {"cycles": None}})
        config = LinearSourceConfig(
            name="l", type="linear", url=f"{proxy.url}/graphql", token_env="LINEAR_API_KEY",
            teams=[LINEAR_DEMO.team_key], token=SecretStr(LINEAR_DEMO.api_key),
        )  # fmt: skip
        with pytest.raises(UpstreamError, match=r"`data.cycles: null`, which its schema never"):
            LinearSource(config).fetch_sprints()
