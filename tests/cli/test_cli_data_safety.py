"""Data safety and cron: nothing replaced or created by surprise, one database wherever
cron runs from, read commands that never change a schema (issue 12, items 1-6)."""

from __future__ import annotations

import os
import sqlite3
import tomllib
from pathlib import Path

import pytest

from tracker.cli import run
from tracker.store.engine import SCHEMA_HEAD

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def _config(folder: Path, database: str = "sqlite:///tracker.db", extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tracker.toml"
    path.write_text(f'database = "{database}"\n{extra}', encoding="utf-8")
    return path


def _revision(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


# 1. demo --dir refuses to replace a config or a database without --force


@pytest.mark.parametrize("existing", ["tracker.toml", "demo.db"])
def test_demo_refuses_a_folder_holding_a_config_or_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], existing: str
) -> None:
    folder = tmp_path / "kept"
    folder.mkdir()
    (folder / existing).write_text("mine", encoding="utf-8")
    assert run(["demo", "--dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "pass --force" in err and err.count("\n") == 1
    assert (folder / existing).read_text(encoding="utf-8") == "mine"


# 2. a relative SQLite path is relative to the config file's folder


def test_relative_sqlite_path_follows_the_config_not_the_current_directory(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path / "srv", "sqlite:///data/t.db")
    elsewhere = tmp_path / "cron-home"
    elsewhere.mkdir()
    os.chdir(elsewhere)
    assert run(["--config", str(config), "migrate"]) == 0
    assert (tmp_path / "srv" / "data" / "t.db").is_file()
    assert not (elsewhere / "data").exists()


@pytest.mark.parametrize(
    "command", [["sprints"], ["report", "--sprint", "42"], ["show", "PAY-1"], ["trend"]]
)
def test_read_commands_never_create_a_database_or_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    _config(tmp_path, "sqlite:///sub/t.db")
    assert run(command) == 2
    err = capsys.readouterr().err
    assert f"no database at {tmp_path / 'sub' / 't.db'}: run `tracker sync` first" in err
    assert not (tmp_path / "sub").exists()


# 3. sync with no sources is a config error


def test_sync_without_sources_is_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(tmp_path)
    assert run(["sync"]) == 2
    err = capsys.readouterr().err
    assert "configures no source" in err and err.count("\n") == 1
    assert not (tmp_path / "tracker.db").exists()


# 4. only sync and migrate change the schema; readers say what to run


def _database_at(db: Path, revision: str) -> None:
    from alembic import command

    from tracker.store.engine import _alembic_config, create_store_engine

    engine = create_store_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)
    engine.dispose()


def test_a_read_command_on_an_older_schema_says_to_migrate_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(tmp_path)
    _database_at(tmp_path / "tracker.db", "0001")
    assert run(["sprints"]) == 2
    assert "run `tracker migrate`" in capsys.readouterr().err
    assert _revision(tmp_path / "tracker.db") == "0001"
    assert run(["migrate"]) == 0
    assert _revision(tmp_path / "tracker.db") == SCHEMA_HEAD
    assert run(["sprints", "--format", "json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"


def test_doctor_reports_a_pending_migration_without_applying_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(tmp_path)
    _database_at(tmp_path / "tracker.db", "0001")
    run(["doctor"])
    assert "tracker migrate" in capsys.readouterr().out
    assert _revision(tmp_path / "tracker.db") == "0001"


# 5. the cron example keeps the token out of the crontab


def test_readme_cron_reads_the_token_from_an_environment_file() -> None:
    readme = README.read_text(encoding="utf-8")
    cron = readme.split("```cron", 1)[1].split("```", 1)[0]
    assert "TOKEN=" not in cron and "KEY=" not in cron
    assert "EnvironmentFile=" in readme and "OnCalendar=" in readme


# 6. a distribution name that is free on the package index; the command stays `tracker`


def test_distribution_name_is_not_the_taken_name_and_the_readme_installs_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] != "tracker"
    assert project["scripts"]["tracker"] == "tracker.cli:main"
    readme = README.read_text(encoding="utf-8")
    assert f"pip install {project['name']}" in readme
    assert "pip install tracker " not in readme
