"""Recorded Linear traffic, replayed: the connector's exact requests and Linear-shaped answers.

The cassettes in ``cassettes/linear/`` were recorded against the Linear simulator serving the
demo workspace, with the ``Authorization`` header removed and the loopback URL rewritten to
Linear's, *before* anything was written. Requests match on method, path and body (every
Linear call is ``POST /graphql``; the body is the operation), so a changed query fails here
until the cassettes are re-recorded::

    /work/.venv-scratch/bin/python tests/connectors/test_linear_cassettes.py
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import vcr
from pydantic import SecretStr

from connectors.linear import LinearSource
from connectors.sim.linear import (
    LINEAR_DEMO,
    LinearSimulator,
    LinearWorkspace,
    build_demo_linear_workspace,
    demo_poll_times,
)
from tracker import clock
from tracker.config import DEFAULT_LINEAR_URL, LinearSourceConfig
from tracker.domain import IssueBundle, Sprint
from tracker.errors import AuthError

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "linear"
KEY = LINEAR_DEMO.api_key
OVERLAP = timedelta(minutes=10)
POLLS = demo_poll_times()
FULL_AT = POLLS[-1]
INCREMENTAL_AT, INCREMENTAL_SINCE = POLLS[9], POLLS[8] - OVERLAP  # 10 March, since the 9th


def _to_linear(request: Any) -> Any:
    request.uri = DEFAULT_LINEAR_URL  # the simulator's port means nothing in a cassette
    return request


def _stable(response: dict[str, Any]) -> dict[str, Any]:
    for name in ("date", "server", "Date", "Server"):
        response["headers"].pop(name, None)  # differ per recording, say nothing about Linear
    return response


def recorder(mode: str) -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=mode,
        match_on=("method", "path", "body"),
        filter_headers=["authorization", "host"],
        before_record_request=_to_linear,
        before_record_response=_stable,
        decode_compressed_response=True,
    )


def source_for(url: str, token: str = KEY) -> LinearSource:
    config = LinearSourceConfig(name="acme-linear", type="linear", url=url,
                                token_env="LINEAR_API_KEY", teams=["ENG"], token=SecretStr(token))  # fmt: skip
    return LinearSource(config, sleep=lambda _: None)


def full_sync(source: LinearSource) -> tuple[list[Sprint], list[list[IssueBundle]]]:
    sprints = source.fetch_sprints()
    return sprints, list(source.fetch_issues(sprints, None))


def incremental_sync(source: LinearSource) -> tuple[list[Sprint], list[list[IssueBundle]]]:
    sprints = source.fetch_sprints()
    return sprints, list(source.fetch_issues(sprints, INCREMENTAL_SINCE))


SCENARIOS: dict[str, tuple[datetime, Callable[[LinearSource], Any]]] = {
    "demo_full_sync": (FULL_AT, full_sync),
    "demo_incremental_sync": (INCREMENTAL_AT, incremental_sync),
    "demo_doctor": (FULL_AT, lambda source: source.check()),
}


def _live(ws: LinearWorkspace, at: datetime, run: Callable[[LinearSource], Any]) -> str:
    """``run`` against the simulator, as a repr with the loopback URL replaced by Linear's."""
    ws.advance_to(at)
    with LinearSimulator(ws, api_key=KEY) as sim:
        source = source_for(sim.url)
        try:
            return repr(run(source)).replace(sim.url, DEFAULT_LINEAR_URL)
        finally:
            source.close()


def _frozen(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def record_all() -> None:
    """Re-record every cassette from the simulator (the clock fixed at each moment, so the
    rate-limit headers are the same on every recording)."""
    CASSETTES.mkdir(parents=True, exist_ok=True)
    for name, (at, run) in SCENARIOS.items():
        path = CASSETTES / f"{name}.yaml"
        path.unlink(missing_ok=True)
        clock.set_clock(_frozen(at))
        with recorder("all").use_cassette(path.name):
            _live(build_demo_linear_workspace(), at, run)
    path = CASSETTES / "demo_rejected_key.yaml"
    path.unlink(missing_ok=True)
    with (
        recorder("all").use_cassette(path.name),
        LinearSimulator(build_demo_linear_workspace(), api_key=KEY) as sim,
        contextlib.suppress(AuthError),
    ):
        source_for(sim.url, "lin_api_revoked0000000000000000000000000000000").fetch_sprints()
    clock.reset_clock()


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    yield
    clock.reset_clock()


def _cassette(name: str) -> str:
    path = CASSETTES / f"{name}.yaml"
    if not path.is_file():
        pytest.fail(f"{path} is missing: record it (see this module's docstring)")
    return path.name


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_replay_matches_the_simulator(name: str) -> None:
    at, run = SCENARIOS[name]
    clock.set_clock(lambda: at)
    with recorder("none").use_cassette(_cassette(name)) as cassette:
        replayed = run(source_for(DEFAULT_LINEAR_URL))
        assert cassette.all_played
    assert repr(replayed) == _live(build_demo_linear_workspace(), at, run)


def test_incremental_replay_uses_the_discussion_scan() -> None:
    clock.set_clock(lambda: INCREMENTAL_AT)
    with recorder("none").use_cassette(_cassette("demo_incremental_sync")):
        source = source_for(DEFAULT_LINEAR_URL)
        _, pages = incremental_sync(source)
    operations = {label.split()[-1] for label in source.stats.by_endpoint}
    assert {"DiscussionSince", "IssuesById", "IssuesPage"} <= operations
    keys = [b.issue.key for page in pages for b in page]
    assert keys[0] == "ENG-106"  # only Bob's comment moved: found by the comment scan
    assert "ENG-109" in keys


def test_rejected_key_replays_as_auth_error() -> None:
    with (
        recorder("none").use_cassette(_cassette("demo_rejected_key")),
        pytest.raises(AuthError, match="check LINEAR_API_KEY"),
    ):
        source_for(DEFAULT_LINEAR_URL, "lin_api_other").fetch_sprints()


def test_cassettes_hold_no_credentials() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) == 4
    token_shaped = re.compile(r"lin_(api|oauth)_[A-Za-z0-9]{8,}|Bearer\s+\S+", re.IGNORECASE)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?im)^\s*-?\s*authorization:", text), path.name
        assert not token_shaped.search(text), path.name
        assert "127.0.0.1" not in text, path.name


if __name__ == "__main__":
    record_all()
    print(f"recorded {len(list(CASSETTES.glob('*.yaml')))} cassettes in {CASSETTES}")
