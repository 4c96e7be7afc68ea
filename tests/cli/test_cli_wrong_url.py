"""A URL that is not the tracker it claims to be is named as such at once (issue 12,
item 13): a real HTTP server on loopback that is neither Jira nor Linear."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tracker.cli import run


class _NotATracker(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(f"GET {self.path}")
        self.send_error(404)

    def do_POST(self) -> None:
        type(self).requests.append(f"POST {self.path}")
        self.send_error(501)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_site() -> Iterator[str]:
    _NotATracker.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotATracker)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, jira: str, linear: str) -> None:
    (tmp_path / "tracker.toml").write_text(
        f'[[source]]\nname = "j"\ntype = "jira"\nurl = "{jira}"\ntoken_env = "T"\nboards = [1]\n'
        f'[[source]]\nname = "l"\ntype = "linear"\nurl = "{linear}"\ntoken_env = "T"\n'
        'teams = ["ENG"]\n',
        encoding="utf-8",
    )


def test_a_url_that_is_not_jira_says_so_not_check_boards(
    tmp_path: Path,
    web_site: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("T", "x")
    _config(tmp_path, web_site, f"{web_site}/graphql")
    assert run(["sync", "--source", "j"]) == 1
    err = capsys.readouterr().err
    assert "does not look like a Jira site: check `url`" in err and "boards" not in err


def test_a_url_that_is_not_linear_fails_at_once_without_retries(
    tmp_path: Path,
    web_site: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("T", "x")
    _config(tmp_path, web_site, f"{web_site}/graphql")
    assert run(["sync", "--source", "l"]) == 1
    err = capsys.readouterr().err
    assert "no GraphQL data: check the url" in err and "try again later" not in err
    assert _NotATracker.requests == ["POST /graphql"]


def test_doctor_does_not_blame_the_linear_key_for_a_wrong_url(
    tmp_path: Path,
    web_site: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("T", "x")
    _config(tmp_path, web_site, f"{web_site}/graphql")
    assert run(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "export T=" not in out and "check `url`" in out


def test_a_host_name_that_does_not_resolve_is_not_retried(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def no_such_host(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # The resolver is the one thing replaced: the test must not depend on the network.
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    monkeypatch.setenv("T", "x")
    _config(tmp_path, "https://jira.acme.invalid", "https://linear.acme.invalid/graphql")
    with caplog.at_level(logging.INFO):
        assert run(["sync", "--source", "j"]) == 1
    err = capsys.readouterr().err
    assert "the host name does not resolve: check `url`" in err and "attempts" not in err
    assert not [r for r in caplog.records if "retrying" in r.getMessage()]
