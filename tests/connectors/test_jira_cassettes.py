"""Full and incremental syncs replayed from vcrpy cassettes recorded against the simulator.

Replay (the default, and CI): ``pytest tests/connectors/test_jira_cassettes.py``; nothing
listens, any request not in the cassette fails. Re-record against a fresh simulator:
``pytest tests/connectors/test_jira_cassettes.py --record-mode=rewrite``.

Credentials are scrubbed *before* a cassette is written (Authorization/Cookie request
headers, Set-Cookie response headers), and the simulator's ephemeral loopback address is
rewritten to a fixed placeholder host, which replay then uses as the Jira URL. Requests
match on method, path, query and body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import vcr
from demo_answers import EXPECTED
from pydantic import SecretStr
from test_jira_source import FULL_SYNC_REQUESTS

from connectors.jira import JiraSource
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from tracker.config import JiraSourceConfig
from tracker.domain import IssueBundle

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "jira"
PLACEHOLDER = "http://jira.sim.test"
SINCE = datetime(2026, 3, 12, 10, 30, tzinfo=UTC)
_SECRET_REQUEST_HEADERS = {"authorization", "cookie", "proxy-authorization"}
_SECRET_RESPONSE_HEADERS = {"set-cookie", "www-authenticate"}


def recorder(live_url: str | None, mode: str) -> vcr.VCR:
    def scrub_request(request: Any) -> Any:
        for name in list(request.headers):
            if name.lower() in _SECRET_REQUEST_HEADERS:
                del request.headers[name]
        if live_url:
            request.uri = request.uri.replace(live_url, PLACEHOLDER)
        return request

    def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers") or {}
        for name in list(headers):
            if name.lower() in _SECRET_RESPONSE_HEADERS:
                del headers[name]
        body = response.get("body") or {}
        if live_url and isinstance(body.get("string"), bytes):
            body["string"] = body["string"].replace(live_url.encode(), PLACEHOLDER.encode())
            for name in list(headers):
                if name.lower() == "content-length":
                    headers[name] = [str(len(body["string"]))]
        return response

    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=mode,
        match_on=["method", "path", "query", "body"],
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )


def run_syncs(
    url: str, flavour: str
) -> tuple[list[list[IssueBundle]], list[list[IssueBundle]], JiraSource]:
    config = JiraSourceConfig(
        name="acme", type="jira", url=url, token_env="JIRA_API_TOKEN", boards=list(DEMO.boards),
        email=DEMO.email if flavour == "cloud" else None, token=SecretStr(DEMO.token),
        concurrency=1,  # vcrpy's recorder is not thread-safe: record one request at a time
    )  # fmt: skip
    source = JiraSource(config, sleep=lambda _: None)
    sprints = source.fetch_sprints()
    full = list(source.fetch_issues(sprints, None))
    total = source.stats.total
    incremental = list(source.fetch_issues(sprints, SINCE))
    source.stats.by_endpoint.clear()
    source.stats.by_endpoint["full"] = total
    return full, incremental, source


def record(flavour: str) -> None:
    name = f"{flavour}_sync.yaml"
    (CASSETTES / name).unlink(missing_ok=True)
    sim = JiraSimulator(build_demo_workspace(), flavour=flavour)  # type: ignore[arg-type]
    with sim, recorder(sim.url, "all").use_cassette(name):
        run_syncs(sim.url, flavour)


def replay(flavour: str) -> tuple[list[list[IssueBundle]], list[list[IssueBundle]], JiraSource]:
    with recorder(None, "none").use_cassette(f"{flavour}_sync.yaml"):
        return run_syncs(PLACEHOLDER, flavour)


@pytest.mark.parametrize("flavour", ["cloud", "server"])
def test_sync_from_cassette(request: pytest.FixtureRequest, flavour: str) -> None:
    if (request.config.getoption("--record-mode", default="none") or "none") != "none":
        record(flavour)  # then replay what was just written: a recording must be complete
    full, incremental, source = replay(flavour)
    bundles = {b.issue.key: b for page in full for b in page}
    assert set(EXPECTED) <= set(bundles)
    assert bundles["PAY-101"].issue.url == f"{PLACEHOLDER}/browse/PAY-101"
    assert len(bundles["PAY-120"].revisions) == 1 and len(bundles["PAY-122"].comments) == 130
    assert {link.app for link in bundles["PAY-107"].links} == {"confluence"}
    assert source.stats.by_endpoint["full"] == FULL_SYNC_REQUESTS[flavour]
    later = {b.issue.key for page in incremental for b in page}
    assert later == {
        k for k, b in bundles.items() if b.issue.updated_at and b.issue.updated_at >= SINCE
    }


def test_cassettes_exist_for_both_flavours() -> None:
    assert {p.name for p in CASSETTES.glob("*.yaml")} >= {"cloud_sync.yaml", "server_sync.yaml"}
