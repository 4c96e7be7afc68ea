"""`doctor` says when a token can do more than tracker needs, where the API tells."""

from __future__ import annotations

import dataclasses
import json

from hostile import FaultProxy
from pydantic import SecretStr

from connectors.jira import JiraSource
from connectors.linear import LinearSource
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace
from tracker.config import JiraSourceConfig, LinearSourceConfig


def _permission(key: str, have: bool) -> dict[str, object]:
    # The shape of GET /rest/api/2/mypermissions (UserPermission), as Jira sends it.
    return {"id": "0", "key": key, "name": key.title(), "type": "GLOBAL", "havePermission": have}


def jira_checks(admin: bool | None) -> dict[str, str]:
    with (
        JiraSimulator(build_demo_workspace(), flavour="cloud") as sim,
        FaultProxy(sim.url) as proxy,
    ):
        if admin is not None:
            permissions = {
                key: _permission(key, admin and key == "ADMINISTER")
                for key in ("ADMINISTER", "SYSTEM_ADMIN", "ADMINISTER_PROJECTS")
            }
            proxy.on("/mypermissions", body=json.dumps({"permissions": permissions}).encode())
        config = JiraSourceConfig(
            name="acme", type="jira", url=proxy.url, token_env="JIRA_API_TOKEN",
            email=DEMO.email, boards=list(DEMO.boards), token=SecretStr(DEMO.token),
        )  # fmt: skip
        checks = JiraSource(config, sleep=lambda _: None).check()
    assert all(c.ok for c in checks)
    return {c.what: c.detail for c in checks}


def test_a_jira_admin_token_is_called_out_without_failing_doctor() -> None:
    detail = jira_checks(admin=True)["token's reach"]
    assert "administer Jira" in detail and "more than tracker needs" in detail


def test_a_jira_token_without_admin_rights_is_said_to_be_enough() -> None:
    assert "no more than needed" in jira_checks(admin=False)["token's reach"]


def test_no_line_where_jira_does_not_tell() -> None:
    assert "token's reach" not in jira_checks(admin=None)  # the simulator has no mypermissions


def linear_checks(admin: bool) -> dict[str, str]:
    ws = build_demo_linear_workspace()
    ws.viewer = dataclasses.replace(ws.viewer, admin=admin)
    with LinearSimulator(ws, api_key=LINEAR_DEMO.api_key) as sim:
        config = LinearSourceConfig(
            name="l", type="linear", url=sim.url, token_env="LINEAR_API_KEY",
            teams=[LINEAR_DEMO.team_key], token=SecretStr(LINEAR_DEMO.api_key),
        )  # fmt: skip
        return {c.what: c.detail for c in LinearSource(config).check()}


def test_a_linear_admin_key_is_called_out() -> None:
    assert "workspace admin: more than tracker needs" in linear_checks(True)["key's reach"]
    assert "not a workspace admin" in linear_checks(False)["key's reach"]
