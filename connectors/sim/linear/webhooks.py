"""What Linear would POST to a webhook for the simulated workspace's changes.

Deliveries are ``EntityWebhookPayload`` documents (``../shared/linear/schema.graphql``):
``action``, ``type``, ``actor``, ``createdAt``, ``data`` (the entity's webhook payload),
``updatedFrom`` (the previous values of what an update changed), ``url``,
``organizationId``, ``webhookId`` and ``webhookTimestamp`` (epoch ms of sending). They are
signed as Linear signs them: ``Linear-Signature`` is the hex HMAC-SHA256 of the raw body
with the webhook's secret; ``Linear-Delivery`` is a fresh id per delivery (a retry
repeats it) and ``Linear-Event`` the entity type.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from connectors.sim.linear.model import Actor, Bot, Comment, Issue, User, latest
from connectors.sim.linear.workspace import LinearWorkspace
from tracker.clock import ensure_utc

_ORGANIZATION = "6a1f0e4e-3b0f-4a57-9d9e-0c1d6e0b5a11"
_WEBHOOK = "0f5c9a2e-7d4b-4c3e-8a61-2b9e1d7c4f30"
_INSTANT = timedelta(microseconds=1)


def _iso(at: datetime) -> str:
    return ensure_utc(at).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _user(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "avatarUrl": None,
        "url": f"https://linear.app/acme/profiles/{user.display_name}",
    }


def _actor(actor: Actor) -> dict[str, Any] | None:
    if isinstance(actor, User):
        return {**_user(actor), "type": "user"}
    if isinstance(actor, Bot):
        return {"id": actor.id, "service": actor.type, "type": "integration"}
    return None


def _envelope(
    kind: str, action: str, data: dict[str, Any], actor: Actor, at: datetime, sent_at: datetime
) -> dict[str, Any]:
    return {
        "action": action,
        "type": kind,
        "actor": _actor(actor),
        "createdAt": _iso(at),
        "data": data,
        "url": data.get("url"),
        "organizationId": _ORGANIZATION,
        "webhookId": _WEBHOOK,
        "webhookTimestamp": int(ensure_utc(sent_at).timestamp() * 1000),
    }


def _issue_data(ws: LinearWorkspace, issue: Issue, at: datetime) -> dict[str, Any]:
    cycle = ws.cycle_of(issue, at)
    state = latest(issue.states, at)
    return {
        "id": issue.id,
        "identifier": issue.identifier,
        "number": float(issue.number),
        "title": issue.title,
        "description": latest(issue.descriptions, at),
        "url": issue.url,
        "createdAt": _iso(issue.created_at),
        "updatedAt": _iso(at),
        "teamId": issue.team.id,
        "team": {"id": issue.team.id, "key": issue.team.key, "name": issue.team.name},
        "cycleId": cycle.id if cycle else None,
        "stateId": state.id,
        "state": {"id": state.id, "name": state.name, "type": state.type, "color": "#bec2c8"},
        "labelIds": [label.id for label in issue.labels],
        "labels": [
            {"id": label.id, "name": label.name, "color": "#5e6ad2"} for label in issue.labels
        ],
        "creatorId": issue.creator.id if issue.creator else None,
        "priority": 0.0,
        "priorityLabel": "No priority",
        "sortOrder": 0.0,
        "prioritySortOrder": 0.0,
        "previousIdentifiers": [],
        "subscriberIds": [],
        "reactionData": {},
    }


def description_update(
    ws: LinearWorkspace, identifier: str, at: datetime, actor: Actor, *, sent_at: datetime
) -> dict[str, Any]:
    """The ``Issue`` ``update`` delivery for the description save made at ``at``."""
    issue = ws.issue(identifier)
    at = ensure_utc(at)
    before_at = at - _INSTANT
    previous_bump = max((b for b in issue.bumps if b < at), default=issue.created_at)
    return _envelope(
        "Issue",
        "update",
        _issue_data(ws, issue, at),
        actor,
        at,
        sent_at,
    ) | {
        "updatedFrom": {
            "description": latest(issue.descriptions, before_at),
            "updatedAt": _iso(previous_bump),
        }
    }


def comment_create(ws: LinearWorkspace, comment_id: str, *, sent_at: datetime) -> dict[str, Any]:
    """The ``Comment`` ``create`` delivery for a comment of the workspace."""
    comment: Comment = next(c for c in ws.comments if c.id == comment_id)
    issue = comment.issue
    data = {
        "id": comment.id,
        "body": comment.body,
        "createdAt": _iso(comment.created_at),
        "updatedAt": _iso(comment.created_at),
        "issueId": issue.id,
        "issue": {
            "id": issue.id,
            "identifier": issue.identifier,
            "title": issue.title,
            "url": issue.url,
            "teamId": issue.team.id,
            "team": {"id": issue.team.id, "key": issue.team.key, "name": issue.team.name},
        },
        "parentId": comment.parent_id,
        "userId": comment.user.id if comment.user else None,
        "user": _user(comment.user) if comment.user else None,
        "reactionData": {},
    }
    actor = comment.user or comment.bot
    return _envelope("Comment", "create", data, actor, comment.created_at, sent_at)


def signed(delivery: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
    """The raw body and the headers Linear sends it with."""
    body = json.dumps(delivery, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    signature = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return body, {
        "Content-Type": "application/json; charset=utf-8",
        "Linear-Delivery": str(uuid.uuid4()),
        "Linear-Event": str(delivery["type"]),
        "Linear-Signature": signature,
        "User-Agent": "Linear-Webhook",
    }
