"""Jira webhook deliveries → ``PushedEvent`` records (for ``tracker serve``). Pure.

Cloud admin webhooks and Server/DC webhooks send the same envelope: ``webhookEvent``,
``timestamp`` (epoch ms), ``user``, ``issue`` and, for an edit, ``changelog`` with the
history ``id`` and its ``items`` (the same items ``/changelog`` returns later).

Decisions:
- ``jira:issue_updated``: each item of the AC field becomes the revision the sync stores
  for it, with the same id (``<history id>:<item index>``), so the poll that reads the
  same history later stores nothing twice. Server/DC items carry no ``fieldId``: there
  the item is matched by the field's name, as the sync does (``fields.FieldRef``); with
  ``ac_field`` given as an id, such an item is left to the poll, which knows the name.
- ``comment_created``/``comment_updated`` (and an ``issue_updated`` that carries a
  ``comment``, as Server/DC sends for "issue commented"): the comment, as the sync maps it.
- Every other event is left to the poll.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from connectors.jira._mapping import map_comments, map_person
from tracker.clock import parse_time
from tracker.domain import PushedEvent, TextRevision

Json = Mapping[str, Any]
KeyOf = Callable[[str], str | None]
_CUSTOM_ID = re.compile(r"^customfield_\d+$")
_DESCRIPTION = "description"


class JiraWebhookTranslator:
    """Turns one source's Jira deliveries into records; ``ValueError`` on a payload that
    is not a Jira delivery."""

    def __init__(self, source: str, ac_field: str, base_url: str) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        wanted = ac_field.strip()
        self._field_id = _DESCRIPTION if wanted.lower() == _DESCRIPTION else None
        self._field_name = None if _CUSTOM_ID.match(wanted) else wanted.lower()
        if _CUSTOM_ID.match(wanted):
            self._field_id = wanted

    def __call__(self, payload: Json, key_of: KeyOf) -> list[PushedEvent]:
        event = payload.get("webhookEvent")
        if not isinstance(event, str):
            raise ValueError("not a Jira delivery: it needs `webhookEvent`")
        if event not in ("jira:issue_updated", "comment_created", "comment_updated"):
            return []
        issue = payload.get("issue")
        if not isinstance(issue, dict) or not isinstance(issue.get("key"), str):
            raise ValueError(f"Jira {event} delivery without `issue.key`")
        key = issue["key"]
        revisions = self._revisions(payload, key) if event == "jira:issue_updated" else ()
        comment = payload.get("comment")
        comments = (
            map_comments(self.source, key, [comment], self.base_url)
            if isinstance(comment, dict)
            else ()
        )
        if not revisions and not comments:
            return []
        at = revisions[0].at if revisions else comments[0].created_at
        return [PushedEvent(self.source, key, at, revisions=revisions, comments=comments)]

    def _revisions(self, payload: Json, key: str) -> tuple[TextRevision, ...]:
        changelog = payload.get("changelog")
        if not isinstance(changelog, dict) or changelog.get("id") is None:
            return ()
        at = parse_time(payload.get("timestamp"))
        if at is None:
            raise ValueError("Jira jira:issue_updated delivery without `timestamp`")
        author = map_person(payload.get("user"))
        return tuple(
            TextRevision(
                source=self.source,
                issue_key=key,
                id=f"{changelog['id']}:{index}",
                at=at,
                author=author,
                field=str(item.get("fieldId") or self._field_id or item.get("field") or ""),
                from_text=item.get("fromString"),
                to_text=item.get("toString"),
            )
            for index, item in enumerate(changelog.get("items") or ())
            if isinstance(item, dict) and self._is_ac(item)
        )

    def _is_ac(self, item: Json) -> bool:
        field_id = item.get("fieldId")
        if field_id and self._field_id:
            return bool(field_id == self._field_id)
        name = str(item.get("field") or "").strip().lower()
        return self._field_name is not None and name == self._field_name
