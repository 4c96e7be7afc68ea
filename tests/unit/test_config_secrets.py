"""Secrets in the wrong place: refused with one line that never repeats them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import run
from tracker.config import parse_config, url_has_credentials
from tracker.errors import ConfigError, TrackerError
from tracker.store import Store

ENV = {"JIRA_API_TOKEN": "env-token-value"}
SECRET = "hunter2-SECRET-value"


def jira_source(**extra: object) -> dict[str, object]:
    return {
        "name": "acme", "type": "jira", "url": "https://acme.atlassian.net",
        "token_env": "JIRA_API_TOKEN", "boards": [7], **extra,
    }  # fmt: skip


def test_a_token_key_in_the_file_is_refused_pointing_at_token_env() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"source": [jira_source(token=SECRET)]}, ENV)
    message = str(info.value)
    assert "`token` key" in message and "token_env" in message and "JIRA_API_TOKEN" in message
    assert SECRET not in message


@pytest.mark.parametrize(
    "url",
    [
        f"https://pm%40acme.com:{SECRET}@acme.atlassian.net",
        f"https://{SECRET}@acme.atlassian.net",
        f"https://acme.atlassian.net/?token={SECRET}",
        f"https://api.linear.app/graphql?access_token={SECRET}",
    ],
)
def test_credentials_inside_a_url_are_refused_without_echoing_them(url: str) -> None:
    assert url_has_credentials(url)
    with pytest.raises(ConfigError) as info:
        parse_config({"source": [jira_source(url=url)]}, ENV)
    assert "credentials inside its `url`" in str(info.value)
    assert SECRET not in str(info.value) and "acme.atlassian" not in str(info.value)


@pytest.mark.parametrize(
    "url", ["https://acme.atlassian.net", "https://jira.acme.com/jira", "http://127.0.0.1:8080"]
)
def test_plain_urls_are_accepted(url: str) -> None:
    assert not url_has_credentials(url)
    assert parse_config({"source": [jira_source(url=url)]}, ENV).source[0].url == url


def test_cli_refuses_a_url_with_credentials_exit_2_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIRA_API_TOKEN", "x")
    config = tmp_path / "tracker.toml"
    config.write_text(
        '[[source]]\nname = "acme"\ntype = "jira"\n'
        f'url = "https://pm:{SECRET}@acme.atlassian.net"\n'
        'token_env = "JIRA_API_TOKEN"\nboards = [7]\n'
    )
    assert run(["--config", str(config), "sync"]) == 2
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert captured.err.count("\n") == 1
    assert not (tmp_path / "tracker.db").exists()


def test_postgres_scheme_is_accepted(pg_url: str) -> None:
    # `postgres://` is what hosting providers hand out; SQLAlchemy 2 dropped the name.
    url = "postgres://" + pg_url.split("://", 1)[1]
    store = Store(url)
    assert store.engine.dialect.name == "postgresql" and store.counts()["issues"] == 0
    store.close()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"mysql://root:{SECRET}@127.0.0.1/tracker", "pip install"),
        (f"not a url {SECRET}", "not a SQLAlchemy URL"),
    ],
)
def test_an_unusable_database_url_is_one_line_without_its_password(url: str, says: str) -> None:
    with pytest.raises(TrackerError) as info:
        Store(url)
    assert says in str(info.value) and SECRET not in str(info.value)
