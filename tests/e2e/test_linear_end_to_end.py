"""Linear through the CLI: nightly syncs across cycle ENG-12 while its AC are edited,
then `tracker report --sprint ENG-12` against the verdicts the workspace was designed for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from demo_answers import LINEAR_EXPECTED as EXPECTED

from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from tracker import clock
from tracker.cli import run


@pytest.fixture
def synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LinearSimulator]:
    monkeypatch.setenv("E2E_LINEAR_KEY", LINEAR_DEMO.api_key)
    workspace = build_demo_linear_workspace()
    with LinearSimulator(workspace, api_key=LINEAR_DEMO.api_key) as sim:
        engineers = ", ".join(f'"{e}"' for e in LINEAR_DEMO.engineers)
        (tmp_path / "tracker.toml").write_text(
            f'database = "sqlite:///linear.db"\n[[source]]\nname = "eng"\ntype = "linear"\n'
            f'url = "{sim.url}"\ntoken_env = "E2E_LINEAR_KEY"\nteams = ["{LINEAR_DEMO.team_key}"]\n'
            f"[policy]\nengineers = [{engineers}]\n"
        )
        for moment in LINEAR_DEMO.poll_times:  # the nightly cron, replayed
            workspace.advance_to(moment)
            clock.set_clock(lambda moment=moment: moment)  # type: ignore[misc]
            assert run(["sync"]) == 0
        yield sim


def report(capsys: pytest.CaptureFixture[str], sprint: str) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    assert run(["report", "--sprint", sprint, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_cycle_report_matches_the_designed_verdicts(
    synced: LinearSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    got = report(capsys, "ENG-12")
    assert got["summary"] == EXPECTED["summary"]
    by_issue: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for change in got["changes"]:
        by_issue.setdefault(change["issue_key"], []).append(change)
    for key, expected in EXPECTED["changes"].items():
        found = by_issue.get(key, [])
        assert [c["verdict"] for c in found] == [e["verdict"] for e in expected], key
        for change, want in zip(found, expected, strict=True):
            # a burst of saves is reported at its last save; EXPECTED names the first
            landed = clock.parse_time(change["changed_at"])
            assert landed is not None and timedelta(0) <= landed - want["at"] <= timedelta(
                minutes=10
            ), key
            assert {e["kind"] for e in change["evidence"]} >= set(want["evidence"]), key
            assert change["added_after_start"] == want["added_after_start"], key


def test_cycle_by_name_and_key_agree(
    synced: LinearSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report(capsys, "Cycle 12") == report(capsys, "ENG-12")


def test_rejected_key_is_exit_1_naming_the_variable(
    synced: LinearSimulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = report(capsys, "ENG-12")
    monkeypatch.setenv("E2E_LINEAR_KEY", "lin_api_wrongwrongwrongwrong")
    assert run(["sync"]) == 1
    err = capsys.readouterr().err
    assert "E2E_LINEAR_KEY" in err and "lin_api_wrong" not in err and err.count("\n") == 1
    assert report(capsys, "ENG-12") == before  # nothing stored was lost


def test_first_sync_after_edits_marks_the_baseline_approximate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """tracker installed two days into the cycle: ENG-110 was already edited (03-03), so its
    baseline is the earliest text seen, marked approximate; untouched issues stay exact."""
    monkeypatch.setenv("E2E_LINEAR_KEY", LINEAR_DEMO.api_key)
    workspace = build_demo_linear_workspace()
    with LinearSimulator(workspace, api_key=LINEAR_DEMO.api_key) as sim:
        (tmp_path / "tracker.toml").write_text(
            f'database = "sqlite:///late.db"\n[[source]]\nname = "eng"\ntype = "linear"\n'
            f'url = "{sim.url}"\ntoken_env = "E2E_LINEAR_KEY"\nteams = ["ENG"]\n'
        )
        for moment in [m for m in LINEAR_DEMO.poll_times if m.day >= 4]:
            workspace.advance_to(moment)
            clock.set_clock(lambda moment=moment: moment)  # type: ignore[misc]
            assert run(["sync"]) == 0
    changes = report(capsys, "ENG-12")["changes"]
    eng110 = [c for c in changes if c["issue_key"] == "ENG-110"]
    assert len(eng110) == 1 and eng110[0]["baseline_approximate"] is True
    assert all(not c["baseline_approximate"] for c in changes if c["issue_key"] != "ENG-110")
