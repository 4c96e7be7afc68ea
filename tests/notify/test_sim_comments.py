"""The simulators accept comments in the real wire formats: Jira's POST
/rest/api/{2,3}/issue/{key}/comment (answers checked against Atlassian's OpenAPI
``Comment`` schema) and Linear's ``commentCreate`` (against its published schema)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from connectors.notify.comments import COMMENT_CREATE
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.linear import LINEAR_DEMO, LinearSimulator, build_demo_linear_workspace

SHARED = Path(
    os.environ.get("TRACKER_SHARED_DIR") or Path(__file__).resolve().parents[3] / "shared"
)
ADF = {
    "type": "doc",
    "version": 1,
    "content": [
        {
            "type": "paragraph",
            "content": [
                {"type": "mention", "attrs": {"id": "557058:priya", "text": "@Priya"}},
                {"type": "text", "text": " what does it cost?", "marks": [{"type": "strong"}]},
            ],
        },
        {
            "type": "bulletList",
            "content": [
                {
                    "type": "listItem",
                    "content": [
                        {"type": "paragraph", "content": [{"type": "text", "text": "added: x"}]}
                    ],
                }
            ],
        },
    ],
}


def check_comment(body: Any) -> None:
    path = SHARED / "jira" / "platform-openapi.json"
    if not path.is_file():
        pytest.skip("Atlassian's OpenAPI file is not here")
    spec = json.loads(path.read_text(encoding="utf-8"))
    registry = Registry().with_resource(
        "urn:platform", Resource.from_contents(spec, default_specification=DRAFT4)
    )
    schema = {"$ref": "urn:platform#/components/schemas/Comment"}
    errors = list(OAS30Validator(schema, registry=registry).iter_errors(body))
    assert not errors, [e.message for e in errors[:3]]


@pytest.mark.parametrize("flavour", ["cloud", "server"])
def test_jira_v2_comment_is_stored_and_read_back(flavour: Literal["cloud", "server"]) -> None:
    with (
        JiraSimulator(build_demo_workspace(), flavour=flavour) as sim,
        httpx.Client(base_url=sim.url, auth=(DEMO.email, DEMO.token), timeout=10) as http,
    ):
        made = http.post(
            "/rest/api/2/issue/PAY-101/comment", json={"body": "h3. Hi\n* *a* [~priya]"}
        )
        assert made.status_code == 201, made.text
        check_comment(made.json())
        assert made.json()["author"]["displayName"] == sim.viewer.display_name
        page = http.get("/rest/api/2/issue/PAY-101/comment", params={"maxResults": 100}).json()
        assert page["comments"][-1]["id"] == made.json()["id"]
        assert "[~priya]" in page["comments"][-1]["body"]
        assert http.post("/rest/api/2/issue/PAY-101/comment", json={"body": " "}).status_code == 400
        assert http.post("/rest/api/2/issue/NOPE-1/comment", json={"body": "x"}).status_code == 404
        assert (
            httpx.post(
                f"{sim.url}/rest/api/2/issue/PAY-101/comment", json={"body": "x"}
            ).status_code
            == 401
        )


def test_jira_cloud_v3_takes_adf_and_v2_shows_it_as_wiki() -> None:
    with (
        JiraSimulator(build_demo_workspace(), flavour="cloud") as sim,
        httpx.Client(base_url=sim.url, auth=(DEMO.email, DEMO.token), timeout=10) as http,
    ):
        made = http.post("/rest/api/3/issue/PAY-101/comment", json={"body": ADF})
        assert made.status_code == 201, made.text
        check_comment(made.json())
        assert made.json()["body"] == ADF
        page = http.get("/rest/api/2/issue/PAY-101/comment", params={"maxResults": 100}).json()
        assert (
            page["comments"][-1]["body"]
            == "[~accountid:557058:priya]* what does it cost?*\n\n* added: x"
        )
        wrong = http.post("/rest/api/3/issue/PAY-101/comment", json={"body": "plain text"})
        assert wrong.status_code == 400 and "Atlassian Document" in wrong.text


def test_jira_server_has_no_v3() -> None:
    with (
        JiraSimulator(build_demo_workspace(), flavour="server") as sim,
        httpx.Client(base_url=sim.url, auth=(DEMO.email, DEMO.token), timeout=10) as http,
    ):
        assert http.post("/rest/api/3/issue/PAY-101/comment", json={"body": ADF}).status_code == 404


def _create(sim: LinearSimulator, **input: Any) -> dict[str, Any]:
    answer = httpx.post(
        sim.url,
        json={
            "query": COMMENT_CREATE,
            "operationName": "NudgeComment",
            "variables": {"input": input},
        },
        headers={"Authorization": LINEAR_DEMO.api_key},
        timeout=10,
    )
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def test_linear_comment_create_keeps_the_id_and_refuses_a_duplicate() -> None:
    workspace = build_demo_linear_workspace()
    with LinearSimulator(workspace, api_key=LINEAR_DEMO.api_key) as sim:
        ident = "6a1c1b1e-2d5a-4c8e-9a51-4e8f4b6c0d11"
        made = _create(sim, id=ident, issueId="ENG-101", body="**what does it cost?**")
        assert made["data"]["commentCreate"]["success"] is True
        assert made["data"]["commentCreate"]["comment"]["id"] == ident
        stored = next(c for c in workspace.comments if c.id == ident)
        assert stored.user is workspace.viewer and stored.issue.identifier == "ENG-101"
        again = _create(sim, id=ident, issueId="ENG-101", body="again")
        assert "already exists" in again["errors"][0]["message"]
        missing = _create(sim, issueId="ENG-99999", body="x")
        assert missing["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
        empty = _create(sim, issueId="ENG-101", body=" ")
        assert "body" in empty["errors"][0]["message"]


@pytest.mark.parametrize("flavour", ["cloud", "server"])
def test_jira_user_lookup_answers_by_key_or_account_id(flavour: str) -> None:
    with (
        JiraSimulator(build_demo_workspace(), flavour=flavour) as sim,
        httpx.Client(base_url=sim.url, auth=(DEMO.email, DEMO.token), timeout=10) as http,
    ):
        user = sim.viewer
        param = {"accountId": user.account_id} if flavour == "cloud" else {"key": user.user_key}
        found = http.get("/rest/api/2/user", params=param)
        assert found.status_code == 200, found.text
        assert found.json()["displayName"] == user.display_name
        if flavour == "server":
            assert found.json()["name"] == user.username
        missing = http.get("/rest/api/2/user", params={next(iter(param)): "nobody"})
        assert missing.status_code == 404 and "does not exist" in missing.text
