"""`tracker notify` through the CLI against the simulators: Jira Cloud, Jira Server/DC
and Linear, with a loopback Slack receiver. Dry run, --send, a second --send that sends
nothing, the bot's comment never counting, and a refused channel that stops no other."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from slack_receiver import SlackReceiver

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from tracker import clock
from tracker.cli import run
from tracker.notify.compose import QUESTION

TOKEN = "e2e-token-value-1234"
NOTIFY = '[notify]\nslack_webhook_env = "E2E_SLACK"\ncomment = true\nlead = "{lead}"\n'


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackReceiver]:
    with SlackReceiver() as receiver:
        monkeypatch.setenv("E2E_SLACK", receiver.url)
        yield receiver


@pytest.fixture(params=["cloud", "server"])
def jira(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JiraSimulator]:
    monkeypatch.setenv("E2E_JIRA_TOKEN", TOKEN)
    server = request.param == "server"
    with JiraSimulator(
        build_demo_workspace(), flavour=request.param, email=DEMO.email, token=TOKEN
    ) as sim:
        email = "" if server else f'email = "{DEMO.email}"\n'
        engineers = ", ".join(f'"{e}"' for e in DEMO.engineers)
        (tmp_path / "tracker.toml").write_text(
            f'database = "sqlite:///e2e.db"\n[[source]]\nname = "acme"\ntype = "jira"\nurl = "{sim.url}"\n{email}'
            f'token_env = "E2E_JIRA_TOKEN"\nboards = [{DEMO.pay_board}]\nac_field = "{DEMO.ac_field}"\n'
            f"[policy]\nengineers = [{engineers}]\n" + NOTIFY.format(lead=DEMO.engineers[0])
        )
        assert run(["sync"]) == 0
        yield sim


@pytest.fixture
def linear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LinearSimulator]:
    monkeypatch.setenv("E2E_LINEAR_KEY", LINEAR_DEMO.api_key)
    workspace = build_demo_linear_workspace()
    with LinearSimulator(workspace, api_key=LINEAR_DEMO.api_key) as sim:
        engineers = ", ".join(f'"{e}"' for e in LINEAR_DEMO.engineers)
        (tmp_path / "tracker.toml").write_text(
            f'database = "sqlite:///linear.db"\n[[source]]\nname = "eng"\ntype = "linear"\n'
            f'url = "{sim.url}"\ntoken_env = "E2E_LINEAR_KEY"\nteams = ["{LINEAR_DEMO.team_key}"]\n'
            f"[policy]\nengineers = [{engineers}]\n" + NOTIFY.format(lead=LINEAR_DEMO.engineers[0])
        )
        for moment in LINEAR_DEMO.poll_times:
            workspace.advance_to(moment)
            clock.set_clock(lambda moment=moment: moment)  # type: ignore[misc]
            assert run(["sync"]) == 0
        yield sim


def flagged(capsys: pytest.CaptureFixture[str], sprint: str) -> list[str]:
    capsys.readouterr()
    assert run(["report", "--sprint", sprint, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    return sorted({c["issue_key"] for c in report["changes"] if c["verdict"] == "flagged"})


def jira_bot_comments(sim: JiraSimulator) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, issue in sim.workspace.issues.items():
        for comment in issue.comments:
            if "tracker-nudge:" in comment.body:
                found.setdefault(key, []).append(comment.body)
    return found


def check_round_trip(
    capsys: pytest.CaptureFixture[str], slack: SlackReceiver, sprint: str, keys: list[str]
) -> None:
    """Dry run, --send, a second --send: the contract every source shares."""
    capsys.readouterr()
    assert run(["notify", "--sprint", sprint]) == 0
    dry = capsys.readouterr().out
    for key in keys:
        assert f"── {key} · " in dry
    assert dry.count(QUESTION) == len(keys)
    assert slack.received == []  # a dry run sends nothing
    assert run(["notify", "--sprint", sprint, "--send"]) == 0
    sent = capsys.readouterr()
    assert len(slack.received) == len(keys)
    assert sent.out == ""  # what went where is a message (stderr), not data
    assert sent.err.count("to Slack") == len(keys) and sent.err.count("comment on") == len(keys)
    assert run(["notify", "--sprint", sprint, "--send"]) == 0
    assert capsys.readouterr() == ("", "")
    assert len(slack.received) == len(keys)  # a second --send sends nothing
    assert run(["notify", "--sprint", sprint]) == 0
    assert "nothing to nudge" in capsys.readouterr().out


def test_jira_dry_run_send_and_a_second_send(
    jira: JiraSimulator, slack: SlackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = flagged(capsys, "42")
    assert keys
    check_round_trip(capsys, slack, "42", keys)
    comments = jira_bot_comments(jira)
    assert sorted(comments) == keys and all(len(c) == 1 for c in comments.values())
    body = next(iter(comments.values()))[0]
    assert "Before this goes further: what does it cost the sprint?" in body
    if jira.flavour == "cloud":
        assert "[~accountid:" in body  # an ADF mention, as Cloud's v2 shows it
        assert jira.requests["POST /rest/api/3/issue/{key}/comment"] == len(keys)
    else:
        assert jira.requests["POST /rest/api/2/issue/{key}/comment"] == len(keys)
        # Stored by user key (JIRAUSER...), mentioned by username: looked up once a person.
        editor = jira.workspace.user(DEMO.people[0].email)
        assert editor is not None and editor.user_key.startswith("JIRAUSER")
        assert any(f"[~{editor.username}]" in b[0] for b in comments.values())
        assert jira.requests["GET /rest/api/2/user"] == 3  # two editors and the lead
    # The next sync reads tracker's own comments back: they never count as discussion.
    assert run(["sync"]) == 0
    assert flagged(capsys, "42") == keys
    assert run(["notify", "--sprint", "42", "--send"]) == 0
    assert capsys.readouterr() == ("", "") and len(slack.received) == len(keys)


def test_linear_dry_run_send_and_a_second_send(
    linear: LinearSimulator, slack: SlackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = flagged(capsys, "ENG-12")
    assert keys
    check_round_trip(capsys, slack, "ENG-12", keys)
    mine = [c for c in linear.ws.comments if "tracker-nudge:" in c.body]
    assert sorted(c.issue.identifier for c in mine) == keys
    assert all(c.user is linear.ws.viewer for c in mine)
    assert linear.requests["NudgeComment"] == len(keys)
    assert run(["sync"]) == 0
    assert flagged(capsys, "ENG-12") == keys


def test_a_revoked_webhook_is_one_line_and_the_comments_still_go(
    jira: JiraSimulator, slack: SlackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = flagged(capsys, "42")
    slack.answer_next(404, "no_service", count=len(keys))
    assert run(["notify", "--sprint", "42", "--send"]) == 1
    err = [
        line for line in capsys.readouterr().err.splitlines() if line.startswith("tracker: error:")
    ]
    assert len(err) == len(keys)
    assert all(
        "Slack refused the nudge (HTTP 404 no_service): the webhook was revoked" in e for e in err
    )
    assert slack.url not in "\n".join(err)  # the webhook URL is a secret
    assert sorted(jira_bot_comments(jira)) == keys
    # Nothing refused was recorded: the next run sends to Slack, and only to Slack.
    assert run(["notify", "--sprint", "42", "--send"]) == 0
    assert len(slack.received) == len(keys)
    assert all(len(c) == 1 for c in jira_bot_comments(jira).values())


def test_rate_limits_and_server_errors_are_retried(
    jira: JiraSimulator,
    slack: SlackReceiver,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits: list[float] = []
    monkeypatch.setattr("connectors.notify._http.time.sleep", waits.append)
    slack.answer_next(429, "rate_limited", {"Retry-After": "3"})
    slack.answer_next(503, "service_unavailable")
    jira.fail_next(500, count=1, path_contains="/comment")
    keys = flagged(capsys, "42")
    assert run(["notify", "--sprint", "42", "--send"]) == 0
    assert len(slack.received) == len(keys)
    assert 3.0 in waits and len(waits) >= 3


def test_no_permission_to_comment_says_which_permission(
    jira: JiraSimulator, slack: SlackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = flagged(capsys, "42")
    jira.fail_next(401, count=len(keys), path_contains="/comment")
    assert run(["notify", "--sprint", "42", "--send"]) == 1
    err = capsys.readouterr().err
    assert "Jira rejected the token: check E2E_JIRA_TOKEN" in err and TOKEN not in err
    assert len(slack.received) == len(keys)  # Slack still went


def test_send_without_the_webhook_variable_is_a_config_error(
    jira: JiraSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("E2E_SLACK", raising=False)
    assert run(["notify", "--sprint", "42", "--send"]) == 2
    assert "export E2E_SLACK=" in capsys.readouterr().err
    assert run(["notify", "--sprint", "42"]) == 0  # a dry run needs no secret


def test_sync_notify_sends_for_what_it_found(
    jira: JiraSimulator,
    slack: SlackReceiver,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = flagged(capsys, "42")
    # Sprint 42 closed in March; a day after its end it is still within window_after.
    completed = jira.workspace.sprints[42].completed
    assert completed is not None
    clock.set_clock(lambda: completed + timedelta(days=1))
    assert run(["sync", "--notify"]) == 0
    assert len(slack.received) == len(keys)
    assert run(["sync", "--notify"]) == 0
    assert len(slack.received) == len(keys)


def test_the_json_dry_run_shows_the_exact_requests(
    jira: JiraSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["notify", "--sprint", "42", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    comment = next(r for r in rows if r["channel"] == "comment")
    slack = next(r for r in rows if r["channel"] == "slack")
    assert slack["request"]["blocks"][0]["type"] == "section"
    key = comment["issues"][0]
    if jira.flavour == "cloud":
        assert comment["request"]["url"] == f"{jira.url}/rest/api/3/issue/{key}/comment"
        assert comment["request"]["body"]["body"]["type"] == "doc"
    else:
        assert comment["request"]["url"] == f"{jira.url}/rest/api/2/issue/{key}/comment"
        assert "Before this goes further" in comment["request"]["body"]["body"]
    assert jira_bot_comments(jira) == {}


def test_a_digest_is_one_message_per_sprint_and_day(
    jira: JiraSimulator, slack: SlackReceiver, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(config.read_text() + "digest = true\n")
    keys = flagged(capsys, "42")
    assert run(["notify", "--sprint", "42", "--send"]) == 0
    assert len(slack.received) == 1
    text = json.dumps(slack.received[0])
    assert all(key in text for key in keys)
    assert f"{len(keys)} AC changes in Payments Sprint 42 flagged" in text
    assert sorted(jira_bot_comments(jira)) == keys  # comments stay one per issue
    assert run(["notify", "--sprint", "42", "--send"]) == 0
    assert len(slack.received) == 1


def test_the_demo_shows_a_nudge_in_the_dry_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["demo"]) == 0
    out = capsys.readouterr().out
    assert "$ tracker notify --sprint 42" in out
    assert "Before this goes further: what does it cost the sprint?" in out
    assert "a dry run: nothing was sent" in out


def test_a_change_discussed_before_its_nudge_is_not_nudged(
    jira: JiraSimulator, slack: SlackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["report", "--sprint", "42", "--format", "json"]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    target = next(c for c in changes if c["verdict"] == "flagged")
    at = clock.parse_time(target["changed_at"])
    assert at is not None
    jira.workspace.add_comment(
        target["issue_key"],
        DEMO.engineers[0],
        "#impact: two more days, we drop the export",
        at + timedelta(hours=2),
    )
    # Written back then (the simulator's past), so a full sync reads it.
    assert run(["sync", "--full"]) == 0
    keys = flagged(capsys, "42")
    assert target["issue_key"] not in keys
    assert run(["notify", "--sprint", "42", "--send"]) == 0
    assert target["issue_key"] not in json.dumps(slack.received)
    assert target["issue_key"] not in jira_bot_comments(jira)


def test_without_sprint_the_active_and_recently_completed_sprints_are_nudged(
    jira: JiraSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    completed = jira.workspace.sprints[42].completed
    assert completed is not None
    capsys.readouterr()
    clock.set_clock(lambda: completed + timedelta(days=1))
    assert run(["notify"]) == 0
    assert "· Payments Sprint 42 →" in capsys.readouterr().out
    clock.set_clock(lambda: completed + timedelta(days=3))  # past window_after (2d)
    assert run(["notify"]) == 0
    assert "· Payments Sprint 42 →" not in capsys.readouterr().out


def test_linear_refusals_say_what_to_do(
    linear: LinearSimulator, slack: SlackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = flagged(capsys, "ENG-12")
    linear.fail_next("ratelimited", count=1)
    assert run(["notify", "--sprint", "ENG-12", "--send"]) == 1
    err = [
        line for line in capsys.readouterr().err.splitlines() if line.startswith("tracker: error:")
    ]
    assert len(err) == 1 and "hourly budget is spent" in err[0]
    assert len(slack.received) == len(keys)  # Slack still went
    assert run(["notify", "--sprint", "ENG-12", "--send"]) == 0  # and the comment follows
    assert len([c for c in linear.ws.comments if "tracker-nudge:" in c.body]) == len(keys)


def test_the_next_day_s_digest_carries_what_came_due_since(
    jira: JiraSimulator, slack: SlackReceiver, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    capsys.readouterr()
    assert run(["report", "--sprint", "42", "--format", "json"]) == 0
    changes = [
        c for c in json.loads(capsys.readouterr().out)["changes"] if c["verdict"] == "flagged"
    ]
    times = sorted({t for c in changes if (t := clock.parse_time(c["changed_at"])) is not None})
    middle = times[len(times) // 2]
    now = clock.now()
    hours = int((now - middle).total_seconds() // 3600)  # only changes this old are due today
    config = tmp_path / "tracker.toml"
    base = config.read_text()
    config.write_text(base + f'digest = true\ndelay = "{hours}h"\n')
    assert run(["notify", "--sprint", "42", "--send"]) == 0
    config.write_text(base + "digest = true\n")
    assert run(["notify", "--sprint", "42", "--send"]) == 0  # today's digest went out already
    assert len(slack.received) == 1
    clock.set_clock(lambda: now + timedelta(days=1))
    assert run(["notify", "--sprint", "42", "--send"]) == 0
    assert len(slack.received) == 2
    first, second = (json.dumps(m) for m in slack.received)
    for change in changes:
        key = change["issue_key"]
        assert (key in first) != (key in second), key  # each change in exactly one digest
    assert run(["notify", "--sprint", "42", "--send"]) == 0
    assert len(slack.received) == 2


def test_sync_notify_is_quiet_on_success(
    jira: JiraSimulator, slack: SlackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    completed = jira.workspace.sprints[42].completed
    assert completed is not None
    clock.set_clock(lambda: completed + timedelta(days=1))
    capsys.readouterr()
    assert run(["sync", "--notify"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert slack.received
