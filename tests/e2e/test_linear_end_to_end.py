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


def report_text(capsys: pytest.CaptureFixture[str], sprint: str) -> str:
    capsys.readouterr()
    assert run(["report", "--sprint", sprint]) == 0
    return capsys.readouterr().out


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
    baseline is the earliest text seen, marked approximate, and that unseen edit is a change
    whose verdict is unknown (who and when from Linear's history); untouched issues stay
    exact."""
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
    got = report(capsys, "ENG-12")
    changes = got["changes"]
    eng110 = [c for c in changes if c["issue_key"] == "ENG-110"]
    assert [c["verdict"] for c in eng110] == ["unknown", "discussed"]
    assert all(c["baseline_approximate"] for c in eng110)
    unseen = eng110[0]
    assert unseen["changed_by"] == "Priya Nair" and unseen["changed_at"].startswith("2026-03-03")
    assert "never seen" in unseen["reason"] and unseen["scope"] is None
    # ENG-101 and ENG-104 were edited on day 3 too, before the first sync: whether their
    # AC changed cannot be known (ENG-104's edit was outside its AC, which nobody saw),
    # so each is an unknown change rather than a silent "no change".
    unknown = {c["issue_key"] for c in changes if c["verdict"] == "unknown"}
    assert unknown == {"ENG-101", "ENG-104", "ENG-110"}
    assert got["summary"]["unknown"] == 3 and got["summary"]["issues_baseline_approximate"] == 3
    assert all(not c["baseline_approximate"] for c in changes if c["issue_key"] not in unknown)
    table = report_text(capsys, "ENG-12")
    assert "3 unknown" in table and "3 issues with an approximate baseline" in table


def test_linear_estimates_sit_beside_the_changes(
    synced: LinearSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Issue.estimate`` and ``IssueHistory.fromEstimate/toEstimate``: ENG-102 was
    re-estimated by Alice two hours after its AC change; ENG-101 kept its 3 points."""
    by_key = {c["issue_key"]: c for c in report(capsys, "ENG-12")["changes"]}
    again = by_key["ENG-102"]["estimate"]
    assert (again["at_start"], again["now"]) == (2, 5)
    assert again["reestimated"]["by"] == "Alice Moreau"
    assert again["reestimated"]["at"] == "2026-03-05T16:00:00Z"
    kept = by_key["ENG-101"]["estimate"]
    assert kept == {"at_start": 3, "now": 3, "reestimated": None}
