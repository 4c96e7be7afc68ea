"""The whole product on Jira, through the CLI: simulator → connector → sync → store →
analysis → report, checked against the verdicts the sample workspace was designed for."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from demo_answers import EXPECTED, expected_summary

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from tracker import clock
from tracker.cli import run

TOKEN = "e2e-token-value-1234"
NAMES = {p.email: p.name for p in DEMO.people}
FIXED_NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)  # tests/conftest.py fixes the clock here


def write_config(
    path: Path, url: str, *, server: bool = False, database: str = "sqlite:///e2e.db"
) -> Path:
    email = "" if server else f'email = "{DEMO.email}"\n'
    engineers = ", ".join(f'"{e}"' for e in DEMO.engineers)
    path.write_text(
        f'database = "{database}"\n[[source]]\nname = "acme"\ntype = "jira"\nurl = "{url}"\n{email}'
        f'token_env = "E2E_JIRA_TOKEN"\nboards = [{DEMO.pay_board}]\nac_field = "{DEMO.ac_field}"\n'
        f"[policy]\nengineers = [{engineers}]\n"
    )
    return path


@pytest.fixture(params=["cloud", "server"])
def site(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JiraSimulator]:
    monkeypatch.setenv("E2E_JIRA_TOKEN", TOKEN)
    with JiraSimulator(
        build_demo_workspace(), flavour=request.param, email=DEMO.email, token=TOKEN
    ) as sim:
        write_config(tmp_path / "tracker.toml", sim.url, server=request.param == "server")
        yield sim


def report_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    assert run(["report", "--sprint", "42", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_sprint_42_verdicts_match_the_designed_workspace(
    site: JiraSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["sync"]) == 0
    report = report_json(capsys)
    assert report["summary"] == expected_summary()
    got = {(c["issue_key"], c["changed_at"]): c for c in report["changes"]}
    for key, issue in EXPECTED.items():
        for change in issue.changes:
            at = change.last_at or change.at
            found = got.get((key, at))
            assert found is not None, f"{key} at {at}: {issue.scenario}"
            assert found["verdict"] == change.verdict, f"{key}: {change.why}; got {found['reason']}"
            assert {e["kind"] for e in found["evidence"]} >= set(change.evidence), key
            assert found["changed_by"] == (NAMES[change.by] if change.by else None), key
            assert found["added_after_start"] == issue.added_after_start, key
    keys = [(c["changed_at"], c["issue_key"]) for c in report["changes"]]
    assert keys == sorted(keys)


def test_second_sync_is_cheap_and_stores_nothing_twice(
    site: JiraSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["sync"]) == 0
    first_requests = sum(site.requests.values())
    before = report_json(capsys)
    site.requests.clear()
    assert run(["sync"]) == 0
    second = sum(site.requests.values())
    assert second <= 8, site.requests
    assert second < first_requests
    assert report_json(capsys) == before


def test_edits_between_syncs_are_picked_up(
    site: JiraSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A nightly sync after a PM's edit in the active sprint 43 finds it with a few requests."""
    assert run(["sync"]) == 0
    workspace = site.workspace
    key = next(
        i.key for i in workspace.issues.values() if 43 in i.sprint_ids and i.values.get("ac")
    )
    edited_at = FIXED_NOW + timedelta(hours=2)
    issue = workspace.issue(key)
    assert issue is not None
    workspace.edit_field(
        key,
        DEMO.ac_field,
        issue.values["ac"] + "\n* Refunds over 10,000 EUR need approval",
        "priya@acme.com",
        edited_at,
    )
    clock.set_clock(lambda: FIXED_NOW + timedelta(days=1))
    site.requests.clear()
    assert run(["sync"]) == 0
    assert sum(site.requests.values()) <= 12, site.requests
    capsys.readouterr()
    assert run(["report", "--sprint", "43", "--format", "json"]) == 0
    changes = [c for c in json.loads(capsys.readouterr().out)["changes"] if c["issue_key"] == key]
    assert changes[-1]["diff"]["added"] == ["Refunds over 10,000 EUR need approval"]
    assert changes[-1]["verdict"] == "flagged"
    assert changes[-1]["changed_by"] == "Priya Nair"


def test_csv_and_fail_on_flagged(
    site: JiraSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["sync"]) == 0
    out = tmp_path / "retro.csv"
    assert run(["report", "--sprint", "Payments Sprint 42", "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == expected_summary()["changes"]
    assert list(rows[0])[:12] == [
        "sprint", "issue_key", "issue_title", "issue_url", "changed_at", "changed_by", "verdict",
        "criteria_added", "criteria_removed", "criteria_modified", "evidence_kind", "evidence_url",
    ]  # fmt: skip
    assert run(["report", "--sprint", "42", "--fail-on-flagged"]) == 3


def test_show_and_sprints(site: JiraSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["sync"]) == 0
    capsys.readouterr()
    assert run(["show", "PAY-104", "--sprint", "42"]) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "discussed" in out and "8 times" in out
    assert run(["sprints", "--format", "json"]) == 0
    ids = {s["id"] for s in json.loads(capsys.readouterr().out)}
    assert {str(i) for i in DEMO.sprint_ids} <= ids


def test_no_token_in_database_or_output(
    site: JiraSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--verbose", "sync"]) == 0
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err
    assert TOKEN.encode() not in (tmp_path / "e2e.db").read_bytes()


def test_rejected_token_is_exit_1_and_keeps_what_is_stored(
    site: JiraSimulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["sync"]) == 0
    before = report_json(capsys)
    monkeypatch.setenv("E2E_JIRA_TOKEN", "wrong-token-abcdef")
    assert run(["sync"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "E2E_JIRA_TOKEN" in err and "401" in err
    assert "wrong-token-abcdef" not in err and "Traceback" not in err
    assert report_json(capsys) == before


def test_unknown_board_and_unreachable_url_are_exit_1(
    site: JiraSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from connectors.jira import JiraSource
    from tracker.cli import wiring

    # connection refused is retried with backoff: skip the waiting, keep the retries
    monkeypatch.setattr(
        wiring, "build_source", lambda config: JiraSource(config, sleep=lambda _s: None)
    )
    path = tmp_path / "tracker.toml"
    path.write_text(path.read_text().replace(f"boards = [{DEMO.pay_board}]", "boards = [999]"))
    assert run(["sync"]) == 1
    assert "999" in capsys.readouterr().err
    path.write_text(path.read_text().replace(site.url, "http://127.0.0.1:9"))
    assert run(["sync"]) == 1
    err = capsys.readouterr().err
    assert "http://127.0.0.1:9" in err and err.count("\n") == 1


def test_upstream_errors_are_retried_then_reported(
    site: JiraSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors.jira import JiraSource
    from tracker.cli import wiring

    waits: list[float] = []
    monkeypatch.setattr(
        wiring, "build_source", lambda config: JiraSource(config, sleep=waits.append)
    )
    site.fail_next(status=503, retry_after=1, count=2)
    assert run(["sync"]) == 0  # two 503s with Retry-After are waited out
    assert len(waits) == 2 and min(waits) >= 1
    site.fail_next(status=500, count=50)
    assert run(["sync", "--full"]) == 1
    assert "500" in capsys.readouterr().err


def test_doctor_passes_then_names_the_fix(
    site: JiraSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "credentials" in out.lower()
    path = tmp_path / "tracker.toml"
    path.write_text(
        path.read_text().replace(f'ac_field = "{DEMO.ac_field}"', 'ac_field = "Acceptance Critera"')
    )
    assert run(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "fix:" in out and "Acceptance Critera" in out


def test_the_estimate_and_the_kind_of_change_sit_beside_each_change(
    site: JiraSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Story points are read from the field Jira calls Story Points (by type on both
    deployments) and from its changelog; the kinds of change come with them."""
    assert run(["sync"]) == 0
    report = report_json(capsys)
    by_key = {c["issue_key"]: c for c in report["changes"]}
    grew = by_key["PAY-102"]  # criteria added, still 3 points
    assert grew["scope"] == "expanded"
    assert grew["estimate"] == {"at_start": 3, "now": 3, "reestimated": None}
    assert grew["estimate_note"] == "scope grew, no re-estimate"
    again = by_key["PAY-107"]["estimate"]  # Alice re-estimated the day after
    assert again["reestimated"]["from"] == 3 and again["reestimated"]["to"] == 5
    assert again["reestimated"]["by"] == "Alice Moreau"
    defined = by_key["PAY-128"]
    assert defined["defined_after_start"] is True and defined["scope"] == "expanded"
    capsys.readouterr()
    assert run(["report", "--sprint", "42", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    assert "scope grew, no re-estimate" in text
    assert "committed before its AC were written" in text
    assert "6 points added after start" in text
