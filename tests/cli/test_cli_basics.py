"""The CLI's contract without any tracker: exit codes, one-line errors, help texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import app, run

COMMANDS = ["init", "doctor", "sync", "migrate", "sprints", "report", "show", "trend", "demo"]
README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in COMMANDS:
        assert run([command, "--help"]) == 0
        out = capsys.readouterr().out
        assert "Usage" in out and len(out.splitlines()) > 3


def test_every_command_and_option_is_in_the_readme() -> None:
    import typer.main

    readme = README.read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    assert "--config" in readme
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert f"tracker {name}" in readme, f"`tracker {name}` is not in the README"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"{opt} of `tracker {name}` is not in the README"


def test_init_writes_a_template_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["init"]) == 0
    assert (tmp_path / "tracker.toml").read_text().startswith("# tracker.toml")
    assert run(["init"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert run(["init", "--force"]) == 0


def test_no_config_is_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["report", "--sprint", "42"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tracker init" in err and "Traceback" not in err


def test_unknown_key_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tracker.toml").write_text('databse = "sqlite:///x.db"\n')
    assert run(["sprints"]) == 2
    assert "unknown key 'databse'" in capsys.readouterr().err


def test_malformed_toml_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.toml").write_text("[[source]\n")
    assert run(["--config", str(tmp_path / "bad.toml"), "sprints"]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_missing_token_variable_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tracker.toml").write_text(
        '[[source]]\nname="j"\ntype="jira"\nurl="http://127.0.0.1:9"\ntoken_env="JIRA_TEST_TOKEN"\nboards=[1]\n'
    )
    assert run(["sync"]) == 2
    assert "JIRA_TEST_TOKEN is not set" in capsys.readouterr().err


def test_unknown_sprint_on_empty_store_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tracker.toml").write_text('database = "sqlite:///t.db"\n')
    assert run(["report", "--sprint", "42"]) == 2
    assert "run `tracker sync` first" in capsys.readouterr().err


def test_bad_format_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tracker.toml").write_text('database = "sqlite:///t.db"\n')
    assert run(["report", "--sprint", "42", "--format", "pdf"]) == 2
    err = capsys.readouterr().err
    assert "'--format': 'pdf' is not one of 'table', 'csv', 'json', 'markdown', 'html'" in err
    assert "Value error" not in err


def test_unknown_option_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["report", "--sprnt", "42"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_sprints_json_on_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tracker.toml").write_text('database = "sqlite:///t.db"\n')
    assert run(["migrate"]) == 0
    assert run(["sprints", "--format", "json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
