"""Linear webhook deliveries → ``PushedEvent`` records (for ``tracker serve``). Pure.

A delivery is an ``EntityWebhookPayload``: ``type`` (``Issue``, ``Comment``,
``Attachment``, ``IssueRelation``, ...), ``action`` (``create``/``update``/``remove``),
``actor``, ``data`` (the entity as a webhook payload) and, on an update, ``updatedFrom``
with the previous values of every property that changed.

Decisions:
- An ``Issue`` update whose ``updatedFrom`` has ``description`` is one exact save: the old
  text is ``updatedFrom.description`` (null when there was none), the new one
  ``data.description``, at ``data.updatedAt``, by the delivery's ``actor``. Its revision id
  is ``webhook:<time>``, so a retried delivery stores nothing new.
- Comments, attachments and relations become the same records, with the same ids, as the
  poll makes of them (``_mapping``); fields a delivery lacks (a comment's url, a related
  issue's title) are filled by the next poll. Attachment and relation deliveries name the
  issue by id only: ``key_of`` finds its key among the stored issues, and a delivery for an
  issue the store has not seen yet is left to the poll.
- A removal is left to the poll, which is the source of truth; so is every other type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from connectors.linear._mapping import (
    TEXT_FIELD,
    extract_comment_links,
    map_attachment,
    map_comment,
    map_relation,
    person_from_bot,
    person_from_user,
)
from tracker.clock import parse_time
from tracker.domain import Person, PushedEvent, TextRevision

Node = Mapping[str, Any]
KeyOf = Callable[[str], str | None]


class LinearWebhookTranslator:
    """Turns one source's Linear deliveries into records; ``ValueError`` on a payload
    that is not a Linear delivery."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __call__(self, payload: Node, key_of: KeyOf) -> list[PushedEvent]:
        kind, action = payload.get("type"), payload.get("action")
        data = payload.get("data")
        if not isinstance(kind, str) or not isinstance(action, str) or not isinstance(data, dict):
            raise ValueError("not a Linear delivery: it needs `type`, `action` and `data`")
        if action not in ("create", "update"):
            return []
        if kind == "Issue":
            return self._issue(payload, data) if action == "update" else []
        if kind == "Comment":
            return self._comment(data, key_of)
        if kind == "Attachment":
            return self._attachment(data, key_of)
        if kind == "IssueRelation" and action == "create":
            return self._relation(data, key_of)
        return []

    def _issue(self, payload: Node, data: Node) -> list[PushedEvent]:
        before = payload.get("updatedFrom")
        if not isinstance(before, dict) or TEXT_FIELD not in before:
            return []
        key = _text(data, "identifier")
        at = parse_time(data.get("updatedAt") or payload.get("createdAt"))
        if at is None:
            raise ValueError("Linear Issue delivery without `data.updatedAt`")
        revision = TextRevision(
            source=self.source,
            issue_key=key,
            id=f"webhook:{at.isoformat()}",
            at=at,
            author=actor_person(payload.get("actor")),
            field=TEXT_FIELD,
            from_text=before.get(TEXT_FIELD),
            to_text=data.get(TEXT_FIELD),
        )
        return [PushedEvent(self.source, key, at, revisions=(revision,), keeps_snapshots=True)]

    def _comment(self, data: Node, key_of: KeyOf) -> list[PushedEvent]:
        issue = data.get("issue") or {}
        if not issue and not data.get("issueId"):
            return []  # a comment on a project update or a document, not on an issue
        key = issue.get("identifier") or key_of(str(data.get("issueId")))
        if not key:
            return []
        comment = map_comment(self.source, key, data)
        links = tuple(extract_comment_links(self.source, key, [comment], set()))
        at = comment.created_at
        return [PushedEvent(self.source, key, at, comments=(comment,), links=links)]

    def _attachment(self, data: Node, key_of: KeyOf) -> list[PushedEvent]:
        key = key_of(_text(data, "issueId"))
        if key is None:
            return []
        link = map_attachment(self.source, key, data)
        return [PushedEvent(self.source, key, link.added_at or _at(data), links=(link,))]

    def _relation(self, data: Node, key_of: KeyOf) -> list[PushedEvent]:
        """Both ends of a relation carry it, as the poll stores it: ``relations`` on the
        issue, ``inverseRelations`` on the related one."""
        ends = (
            (data.get("issue") or {"id": data.get("issueId")}),
            (data.get("relatedIssue") or {"id": data.get("relatedIssueId")}),
        )
        keys = [end.get("identifier") or key_of(str(end.get("id") or "")) for end in ends]
        found = []
        for mine, other, inverse in ((0, 1, False), (1, 0, True)):
            key = keys[mine]
            if not key:
                continue
            node = {
                **data,
                ("issue" if inverse else "relatedIssue"): _end(ends[other], keys[other]),
            }
            link = map_relation(self.source, key, node, inverse=inverse)
            found.append(PushedEvent(self.source, key, link.added_at or _at(data), links=(link,)))
        return found


def actor_person(actor: Any) -> Person | None:
    """The delivery's ``actor``: a user (``type: "user"``), else an integration or OAuth
    app, named as the poll names a bot."""
    if not isinstance(actor, dict) or not actor.get("id"):
        return None
    if actor.get("type", "user") == "user" and actor.get("name"):
        return person_from_user(actor)
    return person_from_bot({"id": actor["id"], "name": actor.get("name") or actor.get("service")})


def _end(node: Node, key: str | None) -> dict[str, Any]:
    return {**node, "identifier": key} if key else dict(node)


def _text(data: Node, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"Linear delivery without `data.{name}`")
    return value


def _at(data: Node) -> datetime:
    at = parse_time(data.get("createdAt") or data.get("updatedAt"))
    if at is None:
        raise ValueError("Linear delivery without `data.createdAt`")
    return at
