"""The `jira` library's private internals, owned by ``connectors/jira/_library.py`` alone.

These break first when the library moves them: the version bound in pyproject.toml makes
an upgrade deliberate, and this test says what to look at when it is raised."""

from __future__ import annotations

import logging
import re
from importlib.metadata import version
from pathlib import Path

import pytest
from jira import JIRA
from requests.adapters import HTTPAdapter

from connectors.jira._library import JiraLibrary
from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_library_is_inside_the_pinned_range() -> None:
    pin = re.search(r'"jira>=([\d.]+),<([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pin is not None
    installed = tuple(int(p) for p in version("jira").split(".")[:2])
    low = tuple(int(p) for p in pin.group(1).split(".")[:2])
    high = tuple(int(p) for p in pin.group(2).split(".")[:2])
    assert low <= installed < high


def test_the_private_internals_it_relies_on_are_there() -> None:
    client = JIRA("http://127.0.0.1:9", get_server_info=False, logging=False)
    assert hasattr(client, "_session") and callable(client._get_url)
    assert client._get_url("field", JIRA.JIRA_BASE_URL).endswith("/rest/api/2/field")
    assert client._get_url("board/7", JIRA.AGILE_BASE_URL).endswith("/rest/agile/1.0/board/7")
    assert hasattr(client, "deploymentType") or "deploymentType" in JIRA.__init__.__code__.co_names


def test_only_the_adapter_touches_them() -> None:
    private = re.compile(r"\._session\b|\._get_json\b|\._get_url\b|\.deploymentType\b")
    users = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "connectors").rglob("*.py")
        if "sim" not in path.parts and private.search(path.read_text())
    )
    assert users == ["connectors/jira/_library.py"]


def test_the_library_logger_stays_quiet(caplog: pytest.LogCaptureFixture) -> None:
    # JIRA(logging=True), the default, resets the "jira" logger to INFO on every
    # construction, and the library logs whole bodies at ERROR.
    with JiraSimulator(build_demo_workspace(), flavour="cloud") as sim:
        library = JiraLibrary(
            sim.url, {"basic_auth": (DEMO.email, DEMO.token)}, timeout=5, adapter=HTTPAdapter()
        )
        assert library.get_json("serverInfo", {})["deploymentType"] == "Cloud"
        library.close()
    assert logging.getLogger("jira").getEffectiveLevel() >= logging.CRITICAL
