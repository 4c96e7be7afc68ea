"""Errors that point at the right fix, and what people expect of a CLI (issue 12, items
11-16; issue 16, finding 6): against a real SQLite store filled through the store's API."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracker.cli import run
from tracker.domain import Issue, IssueBundle, MembershipChange, Person, Sprint, SprintState
from tracker.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PRIYA = Person("acc-priya", "Priya Nair", "priya@acme.com")


def _sprint(source: str, sid: str, state: SprintState, days: int, board: str = "7") -> Sprint:
    start = T0 + timedelta(days=days)
    ended = start + timedelta(days=14) if state is SprintState.CLOSED else None
    return Sprint(source, sid, f"Sprint {sid}", state, start, ended, board=board)


def _issue(key: str, sprint_id: str) -> IssueBundle:
    issue = Issue("acme", key, f"id-{key}", f"Title {key}", f"https://acme/browse/{key}")
    return IssueBundle(
        issue=issue,
        text_field="customfield_10100",
        current_text="* pay\n* refund",
        memberships=(MembershipChange("acme", key, sprint_id, T0, True, PRIYA),),
        sprint_ids=(sprint_id,),
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A config with one source `acme` and a store holding sprints 40 (closed), 41
    (closed, later) and 42 (active); PAY-101 was only in 42."""
    (tmp_path / "tracker.toml").write_text(
        'database = "sqlite:///t.db"\n[[source]]\nname = "acme"\ntype = "jira"\n'
        'url = "https://acme.atlassian.net"\ntoken_env = "ACME_TOKEN"\nboards = [7]\n',
        encoding="utf-8",
    )
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    store.save_source("acme", "jira", "https://acme.atlassian.net", T0)
    store.save_sprints(
        [
            _sprint("acme", "40", SprintState.CLOSED, -28),
            _sprint("acme", "41", SprintState.CLOSED, -14),
            _sprint("acme", "42", SprintState.ACTIVE, 0),
        ]
    )
    store.save_page("acme", [_issue("PAY-101", "42")], seen_at=T0, cursor=None)
    store.close()
    return tmp_path


# 11. an unknown --source is the same line everywhere


@pytest.mark.parametrize(
    "command",
    [
        ["report", "--sprint", "42"],
        ["sprints"],
        ["trend"],
        ["show", "PAY-101"],
        ["sync"],
    ],
)
def test_unknown_source_is_one_line_naming_the_known_ones(
    workspace: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert run([*command, "--source", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no source named 'nope'; known: acme" in err and err.count("\n") == 1


# 12. show --sprint: a sprint that exists but did not hold the issue; usable candidates


def test_show_names_the_sprints_an_issue_was_in_when_the_sprint_exists(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["show", "PAY-101", "--sprint", "41"]) == 2
    err = capsys.readouterr().err
    assert "PAY-101 was not in 'Sprint 41'; it was in: --source acme --sprint 42" in err
    assert "no sprint matches" not in err


def test_ambiguous_candidates_are_in_a_form_sprint_accepts(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(f"sqlite:///{workspace / 't.db'}")
    store.save_sprints([_sprint("other", "42", SprintState.CLOSED, 0)])
    store.close()
    assert run(["report", "--sprint", "42"]) == 2
    err = capsys.readouterr().err
    assert "--source acme --sprint 42" in err and "--source other --sprint 42" in err
    assert run(["report", "--source", "other", "--sprint", "42", "--format", "json"]) == 0


def test_an_empty_sprint_is_not_ambiguous(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["report", "--sprint", ""]) == 2
    err = capsys.readouterr().err
    assert "--sprint is empty" in err and "ambiguous" not in err


# 13/14. configuration mistakes are one line with the fix, never an internal error


def test_a_source_url_that_is_not_a_url_fails_validation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tracker.toml").write_text(
        '[[source]]\nname = "j"\ntype = "jira"\nurl = "not a url"\ntoken_env = "T"\nboards = [1]\n',
        encoding="utf-8",
    )
    assert run(["sprints"]) == 2
    assert "'not a url' is not an http(s) URL" in capsys.readouterr().err


def test_init_into_a_missing_folder_says_to_create_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--config", str(tmp_path / "nope" / "tracker.toml"), "init"]) == 2
    err = capsys.readouterr().err
    assert "create it first" in err and "internal error" not in err


def test_a_database_under_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    (tmp_path / "tracker.toml").write_text('database = "sqlite:///afile/t.db"\n', encoding="utf-8")
    assert run(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "cannot create the folder" in err and "internal error" not in err


def test_a_database_driver_that_is_not_installed_names_the_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tracker.toml").write_text(
        'database = "mysql://u@127.0.0.1/tracker"\n', encoding="utf-8"
    )
    assert run(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "pip install" in err and "internal error" not in err


# 15. the conventions of a CLI


def test_version_and_short_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.startswith("tracker ")
    assert run(["report", "-h"]) == 0
    out = capsys.readouterr().out
    assert "Usage" in out and "<table|csv|json|markdown|html>" in out


def test_completion_can_be_installed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    assert "--install-completion" in capsys.readouterr().out


def test_options_are_accepted_after_the_command(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chdir(workspace.parent)
    config = str(workspace / "tracker.toml")
    assert run(["sprints", "--format", "json", "--config", config, "-q"]) == 0
    assert [s["id"] for s in json.loads(capsys.readouterr().out)] == ["40", "41", "42"]


def test_quiet_prints_only_data(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["report", "--sprint", "42", "-o", "r.json", "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert run(["report", "--sprint", "42", "-o", "r.json"]) == 0
    assert "wrote r.json" in capsys.readouterr().err


def test_doctor_json(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["doctor", "--json"]) == 1  # the token is not set
    checks = json.loads(capsys.readouterr().out)
    token = next(c for c in checks if c["area"] == "acme")
    assert token["ok"] is False and token["fix"] == "export ACME_TOKEN=<token>"
    assert any(c["area"] == "database" and c["ok"] for c in checks)


def test_lower_case_issue_keys(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["show", "pay-101"]) == 0
    assert "PAY-101" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("env", "colour"),
    [({"TERM": "dumb"}, False), ({"NO_COLOR": ""}, True), ({"NO_COLOR": "1"}, False)],
)
def test_colour_follows_term_and_no_color(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], colour: bool
) -> None:
    from tracker.cli import output

    monkeypatch.setenv("TERM", "xterm")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert output.use_color() is colour


# 16. --sprint current and previous


def test_sprint_current_and_previous(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["report", "--sprint", "current", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["sprint"]["id"] == "42"
    assert run(["report", "--sprint", "previous", "--format", "markdown", "--summary"]) == 0
    assert "Sprint 41" in capsys.readouterr().out


def test_previous_with_two_boards_lists_both(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(f"sqlite:///{workspace / 't.db'}")
    store.save_sprints([_sprint("acme", "90", SprintState.CLOSED, -10, board="9")])
    store.close()
    assert run(["report", "--sprint", "previous"]) == 2
    err = capsys.readouterr().err
    assert "--source acme --sprint 41" in err and "--source acme --sprint 90" in err


# issue 16, finding 6: -o never overwrites by surprise


def test_output_infers_the_format_from_the_extension(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["report", "--sprint", "42", "-o", "r.csv"]) == 0
    assert (workspace / "r.csv").read_text(encoding="utf-8").startswith("sprint,issue_key")
    assert run(["report", "--sprint", "42", "-o", "-"]) == 0
    assert "Sprint 42" in capsys.readouterr().out


def test_output_replaces_only_a_file_of_its_own_kind(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = workspace / "notes.txt"
    notes.write_text("mine", encoding="utf-8")
    assert run(["report", "--sprint", "42", "--format", "csv", "-o", str(notes)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert notes.read_text(encoding="utf-8") == "mine"
    assert run(["report", "--sprint", "42", "--format", "csv", "-o", str(notes), "--force"]) == 0
    assert notes.read_text(encoding="utf-8").startswith("sprint,")
    assert run(["report", "--sprint", "42", "-o", "r.csv"]) == 0
    assert run(["report", "--sprint", "42", "-o", "r.csv"]) == 0  # a rerun replaces its own


def test_output_never_replaces_the_database_or_config_nor_follows_a_link(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = (workspace / "t.db").read_bytes()
    for target in ("t.db", "tracker.toml"):
        assert run(["report", "--sprint", "42", "--format", "csv", "-o", target, "--force"]) == 2
        assert "config or database" in capsys.readouterr().err
    assert (workspace / "t.db").read_bytes() == database
    victim = workspace / "victim.csv"
    victim.write_text("keep", encoding="utf-8")
    (workspace / "link.csv").symlink_to(victim)
    assert run(["report", "--sprint", "42", "-o", "link.csv", "--force"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert victim.read_text(encoding="utf-8") == "keep"
    assert not [p for p in workspace.iterdir() if p.name.endswith(".tmp")]


# Also: a kept demo workspace, the JSON's schema_version, and the sprint list's text


def test_a_kept_demo_workspace_says_how_to_sync_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tracker.cli.demo import demo_config

    (tmp_path / "tracker.toml").write_text(
        demo_config("sqlite:///demo.db", "http://127.0.0.1:9", "http://127.0.0.1:9/graphql"),
        encoding="utf-8",
    )
    assert run(["sync"]) == 2
    err = capsys.readouterr().err
    assert "kept demo workspace" in err and "tracker demo --dir" in err
    assert err.count("\n") == 1


def test_report_json_has_a_schema_version(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["report", "--sprint", "42", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["schema_version"] == 1


def test_sprints_strips_escape_sequences(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import replace

    store = Store(f"sqlite:///{workspace / 't.db'}")
    hostile = replace(
        _sprint("acme", "43", SprintState.FUTURE, 14), name="Sprint\x1b[2J\x1b]0;x\x07 43"
    )
    store.save_sprints([hostile])
    store.close()
    assert run(["sprints"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "[2J" in out


def test_every_command_takes_the_shared_options_after_it() -> None:
    import typer.main

    from tracker.cli import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        opts = {opt for param in command.params for opt in param.opts}
        assert {"-q", "--quiet", "-v", "--verbose"} <= opts, name
        assert name == "demo" or "--config" in opts, name
        assert run([name, "-h"]) == 0, name
