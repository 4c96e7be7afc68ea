"""What a Jira site would POST to a webhook for the simulated workspace's changes.

The envelope Cloud admin webhooks and Server/DC webhooks share: ``timestamp`` (epoch ms),
``webhookEvent``, ``issue_event_type_name``, ``user``, ``issue`` and, for an edit,
``changelog`` (``id`` and ``items``, rendered exactly as ``/changelog`` renders that history
for the simulator's flavour: Server/DC items carry no ``fieldId``). Cloud names each delivery
in ``X-Atlassian-Webhook-Identifier`` and, with a secret, signs it in ``X-Hub-Signature``
(``sha256=`` and the hex HMAC-SHA256 of the raw body).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

from connectors.sim.jira.handlers._render import (
    View,
    render_comment,
    render_item,
    render_user,
)
from connectors.sim.jira.model import Comment, History, Issue
from connectors.sim.jira.server import JiraSimulator


def _view(sim: JiraSimulator) -> View:
    # The viewer only sets the time zone of rendered times; the site's admin sends hooks.
    return View(sim.workspace, sim.flavour, sim.url, sim._viewer)


def _issue(view: View, issue: Issue) -> dict[str, Any]:
    return {
        "id": str(issue.id),
        "self": view.api(f"issue/{issue.id}"),
        "key": issue.key,
        "fields": {"summary": issue.values.get("summary")},
    }


def issue_updated(sim: JiraSimulator, key: str, history: History) -> dict[str, Any]:
    """The ``jira:issue_updated`` delivery for one history of ``key``."""
    view = _view(sim)
    issue = sim.workspace._get(key)
    delivery: dict[str, Any] = {
        "timestamp": int(history.created.timestamp() * 1000),
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "issue": _issue(view, issue),
        "changelog": {
            "id": str(history.id),
            "items": [render_item(view, item) for item in history.items],
        },
    }
    if history.author is not None:
        delivery["user"] = render_user(view, history.author)
    return delivery


def comment_created(sim: JiraSimulator, key: str, comment: Comment) -> dict[str, Any]:
    """The ``comment_created`` delivery for a comment of ``key``."""
    view = _view(sim)
    issue = sim.workspace._get(key)
    return {
        "timestamp": int(comment.created.timestamp() * 1000),
        "webhookEvent": "comment_created",
        "comment": render_comment(view, issue, comment),
        "issue": _issue(view, issue),
    }


def signed(delivery: dict[str, Any], secret: str | None) -> tuple[bytes, dict[str, str]]:
    """The raw body and the headers a Cloud admin webhook sends it with."""
    body = json.dumps(delivery, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Atlassian-Webhook-Identifier": str(uuid.uuid4()),
        "User-Agent": "Atlassian Webhook HTTP Client",
    }
    if secret is not None:
        digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers["X-Hub-Signature"] = f"sha256={digest}"
    return body, headers
