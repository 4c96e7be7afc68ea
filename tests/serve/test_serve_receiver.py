"""The receiver's contract at its public seam, over real HTTP to a real uvicorn server:
genuine deliveries are stored once; forged, replayed, oversized and malformed ones are
refused with one line and nothing stored; the log never shows a secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.jira.webhook import JiraWebhookTranslator
from connectors.linear.webhook import LinearWebhookTranslator
from tracker import clock
from tracker.cli import run
from tracker.domain import SourceKind
from tracker.errors import ConfigError
from tracker.serve import Endpoint, check_binding, serving
from tracker.store import Store

SECRET = "lin_wh_test_secret_0123456789"
JIRA_SECRET = "jira_test_secret_9876543210"


def _delivery(number: int = 1, *, sent_ms: int | None = None) -> dict[str, Any]:
    now = clock.now()
    at = now - timedelta(seconds=5)
    return {
        "action": "update",
        "type": "Issue",
        "actor": {"id": "u-priya", "name": "Priya Nair", "email": "priya@acme.com", "type": "user"},
        "createdAt": at.isoformat().replace("+00:00", "Z"),
        "data": {
            "id": f"issue-{number}",
            "identifier": f"ENG-{number}",
            "title": "Checkout",
            "description": "## Acceptance Criteria\n- pays by card\n- pays by invoice",
            "updatedAt": at.isoformat().replace("+00:00", "Z"),
            "url": f"https://linear.app/acme/issue/ENG-{number}",
        },
        "updatedFrom": {"description": "## Acceptance Criteria\n- pays by card"},
        "organizationId": "org",
        "webhookId": "hook",
        "webhookTimestamp": sent_ms if sent_ms is not None else int(now.timestamp() * 1000),
    }


def _signed(delivery: Any, secret: str = SECRET, delivery_id: str = "d-1") -> dict[str, Any]:
    body = json.dumps(delivery).encode()
    return {
        "content": body,
        "headers": {
            "Linear-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            "Linear-Delivery": delivery_id,
            "Content-Type": "application/json",
        },
    }


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def base(store: Store) -> Iterator[str]:
    endpoints = [
        Endpoint("eng", SourceKind.LINEAR, SECRET.encode(), LinearWebhookTranslator("eng")),
        Endpoint(
            "acme",
            SourceKind.JIRA,
            JIRA_SECRET.encode(),
            JiraWebhookTranslator("acme", "description", "https://acme.atlassian.net"),
        ),
    ]
    with serving(store, endpoints) as url:
        yield url


def _stored(store: Store) -> int:
    counts = store.counts()
    return sum(
        counts[t] for t in ("revisions", "snapshots", "comments", "links", "webhook_deliveries")
    )


def test_a_signed_issue_update_is_stored_as_an_exact_revision(store: Store, base: str) -> None:
    answer = httpx.post(f"{base}/webhooks/linear/eng", **_signed(_delivery()))
    assert answer.status_code == 200 and answer.json() == {"stored": 1}
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT origin, from_text, to_text FROM revisions").all()
    assert [tuple(r) for r in rows] == [
        (
            "webhook",
            "## Acceptance Criteria\n- pays by card",
            "## Acceptance Criteria\n- pays by card\n- pays by invoice",
        )
    ]
    assert store.counts()["snapshots"] == 2  # the text just before the save, and after it


def test_the_same_delivery_twice_is_stored_once(store: Store, base: str) -> None:
    first = httpx.post(f"{base}/webhooks/linear/eng", **_signed(_delivery()))
    stored = _stored(store)
    again = httpx.post(f"{base}/webhooks/linear/eng", **_signed(_delivery()))
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"stored": 0}
    assert _stored(store) == stored


def test_a_forged_delivery_is_401_and_stores_nothing(store: Store, base: str) -> None:
    forged = httpx.post(f"{base}/webhooks/linear/eng", **_signed(_delivery(), secret="guess"))
    request = _signed(_delivery())
    del request["headers"]["Linear-Signature"]
    unsigned = httpx.post(f"{base}/webhooks/linear/eng", **request)
    tampered = _signed(_delivery())
    tampered["content"] = tampered["content"].replace(b"invoice", b"cheque!")
    changed = httpx.post(f"{base}/webhooks/linear/eng", **tampered)
    assert [r.status_code for r in (forged, unsigned, changed)] == [401, 401, 401]
    assert all(r.text.count("\n") == 1 for r in (forged, unsigned, changed))
    assert _stored(store) == 0


def test_a_replayed_delivery_is_401_and_stores_nothing(store: Store, base: str) -> None:
    stale_ms = int((clock.now() - timedelta(seconds=61)).timestamp() * 1000)
    future_ms = int((clock.now() + timedelta(seconds=90)).timestamp() * 1000)
    old = httpx.post(f"{base}/webhooks/linear/eng", **_signed(_delivery(sent_ms=stale_ms)))
    ahead = httpx.post(f"{base}/webhooks/linear/eng", **_signed(_delivery(sent_ms=future_ms)))
    assert (old.status_code, ahead.status_code) == (401, 401)
    assert "replay" in old.text
    assert _stored(store) == 0


def test_an_oversized_body_is_413_while_reading(store: Store, base: str) -> None:
    huge = _delivery()
    huge["data"]["description"] = "x" * (1024 * 1024)
    declared = httpx.post(f"{base}/webhooks/linear/eng", **_signed(huge))

    def chunks() -> Iterator[bytes]:  # no Content-Length: cut off by counting
        for _ in range(40):
            yield b" " * 65536

    streamed = httpx.post(
        f"{base}/webhooks/linear/eng",
        content=chunks(),
        headers={"Linear-Delivery": "d-2", "Linear-Signature": "0" * 64},
    )
    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert _stored(store) == 0


@pytest.mark.parametrize(
    ("path", "content", "status", "says"),
    [
        ("/webhooks/linear/nope", b"{}", 404, "no 'linear' source named 'nope'"),
        ("/webhooks/gitlab/eng", b"{}", 404, "no 'gitlab' source"),
        ("/webhooks/linear/a%0Aforged%20line", b"{}", 404, "named 'a\\nforged line'"),
        ("/webhooks/linear/eng", b"{not json", 400, "not JSON"),
        ("/webhooks/linear/eng", b"[1, 2]", 400, "not a JSON object"),
    ],
)
def test_bad_requests_get_one_line_and_store_nothing(
    store: Store, base: str, path: str, content: bytes, status: int, says: str
) -> None:
    signature = hmac.new(SECRET.encode(), content, hashlib.sha256).hexdigest()
    answer = httpx.post(
        f"{base}{path}",
        content=content,
        headers={"Linear-Signature": signature, "Linear-Delivery": "d-3"},
    )
    assert answer.status_code == status
    assert says in answer.text and answer.text.count("\n") == 1
    assert "Traceback" not in answer.text
    assert _stored(store) == 0


def test_a_malformed_delivery_is_400(store: Store, base: str) -> None:
    broken = _delivery()
    del broken["data"]["identifier"]
    answer = httpx.post(f"{base}/webhooks/linear/eng", **_signed(broken))
    missing = _signed(_delivery())
    del missing["headers"]["Linear-Delivery"]
    no_id = httpx.post(f"{base}/webhooks/linear/eng", **missing)
    assert (answer.status_code, no_id.status_code) == (400, 400)
    assert "data.identifier" in answer.text and "Linear-Delivery" in no_id.text
    assert _stored(store) == 0


def test_an_unknown_event_type_is_204_and_ignored(store: Store, base: str) -> None:
    project = {**_delivery(), "type": "Project", "data": {"id": "p-1", "name": "Q3"}}
    title_only = {**_delivery(), "updatedFrom": {"title": "Old title"}}
    answers = [
        httpx.post(f"{base}/webhooks/linear/eng", **_signed(project)),
        httpx.post(f"{base}/webhooks/linear/eng", **_signed(title_only, delivery_id="d-9")),
    ]
    assert [a.status_code for a in answers] == [204, 204]
    assert _stored(store) == 0


def test_jira_accepts_the_signature_or_the_query_secret(store: Store, base: str) -> None:
    delivery = {
        "timestamp": int(clock.now().timestamp() * 1000),
        "webhookEvent": "jira:issue_updated",
        "user": {"accountId": "a-1", "displayName": "Priya Nair"},
        "issue": {"id": "10001", "key": "PAY-7", "fields": {}},
        "changelog": {
            "id": "55",
            "items": [
                {"field": "summary", "fieldtype": "jira", "fromString": "a", "toString": "b"},
                {
                    "field": "description",
                    "fieldtype": "jira",
                    "fromString": "h1. AC\n* a",
                    "toString": "h1. AC\n* a\n* b",
                },
            ],
        },
    }
    body = json.dumps(delivery).encode()
    digest = hmac.new(JIRA_SECRET.encode(), body, hashlib.sha256).hexdigest()
    signed = httpx.post(
        f"{base}/webhooks/jira/acme", content=body, headers={"X-Hub-Signature": f"sha256={digest}"}
    )
    by_query = httpx.post(f"{base}/webhooks/jira/acme?secret={JIRA_SECRET}", content=body)
    assert (signed.status_code, by_query.status_code) == (200, 200)
    with store.engine.connect() as conn:
        ids = conn.exec_driver_sql("SELECT revision_id FROM revisions").scalars().all()
    assert ids == ["55:1"]  # the description item, with the id the sync gives it


def test_the_log_never_shows_a_secret(
    store: Store, base: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    httpx.post(f"{base}/webhooks/jira/acme?secret=almost-{JIRA_SECRET}", content=b"{}")
    httpx.post(f"{base}/webhooks/linear/eng", **_signed(_delivery(), secret="x"))
    server_log = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("tracker", "uvicorn"))
    )  # the client's own log (httpx) prints the URL it was given; the server's must not
    assert "refused" in server_log
    assert JIRA_SECRET not in server_log and SECRET not in server_log
    assert "almost" not in server_log


def test_healthz(base: str) -> None:
    answer = httpx.get(f"{base}/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "0.0.0.0"])
def test_a_source_without_a_secret_is_never_served(host: str) -> None:
    open_source = Endpoint("eng", SourceKind.LINEAR, None, LinearWebhookTranslator("eng"))
    with pytest.raises(ConfigError, match="webhook_secret_env"):
        check_binding(host, [open_source])


def test_serve_refuses_to_start_for_a_source_without_a_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tracker.toml").write_text(
        '[[source]]\nname = "eng"\ntype = "linear"\ntoken_env = "LINEAR_API_KEY"\nteams = ["ENG"]\n'
    )
    assert run(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "webhook_secret_env" in err and "0.0.0.0" in err and err.count("\n") == 1


def test_serve_names_a_missing_secret_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tracker.toml").write_text(
        '[[source]]\nname = "eng"\ntype = "linear"\ntoken_env = "LINEAR_API_KEY"\n'
        'teams = ["ENG"]\nwebhook_secret_env = "LINEAR_WEBHOOK_SECRET"\n'
    )
    assert run(["serve"]) == 2
    err = capsys.readouterr().err
    assert "LINEAR_WEBHOOK_SECRET" in err and err.count("\n") == 1


def test_tracker_serve_runs_as_a_command_until_stopped(tmp_path: Path) -> None:
    """The real command in its own process: it creates the database, answers, and stops
    cleanly on SIGTERM (its clock is the real one, so the delivery is stamped now)."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    (tmp_path / "tracker.toml").write_text(
        'database = "sqlite:///served.db"\n[[source]]\nname = "eng"\ntype = "linear"\n'
        'token_env = "LINEAR_API_KEY"\nteams = ["ENG"]\nwebhook_secret_env = "HOOK_SECRET"\n'
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "HOOK_SECRET": SECRET}
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        delivery = _delivery(sent_ms=int(time.time() * 1000))
        answer = httpx.post(f"{base}/webhooks/linear/eng", **_signed(delivery))
        assert answer.status_code == 200, answer.text
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal, as a service manager expects
    assert process.returncode in (0, -signal.SIGTERM), err
    assert "Traceback" not in err and SECRET not in err
    assert (tmp_path / "served.db").is_file()
