"""Jira JSON → ``tracker.domain`` records. Pure functions: no HTTP, no clock.

Wire facts this relies on (see ../shared/reference/jira-api.md):
- history order is not reliable: sort by (``created``, int(``id``)) (§1.1);
- ``created`` is ``+HHMM`` ISO, or epoch ms from bulkfetch (§1.3); ``parse_time`` takes both;
- text lives in ``fromString``/``toString``; ``from``/``to`` may be ARI tokens (§1.5);
- Sprint items list *every* sprint id, comma-space joined, ``""`` for none (pitfall 7);
- the Sprint field value is Cloud objects or legacy ``Sprint@...[id=N,...]`` strings (§3.1);
- links carry no time: ``Link``/``RemoteIssueLink`` changelog items give it (pitfall 10).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any
from urllib.parse import urlparse

from connectors.jira.fields import FieldRef
from tracker.clock import parse_time
from tracker.domain import (
    Comment,
    EstimateChange,
    Issue,
    Link,
    LinkKind,
    MembershipChange,
    Person,
    Sprint,
    SprintState,
    TextRevision,
)

log = logging.getLogger(__name__)

Json = Mapping[str, Any]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LEGACY_SPRINT_ID = re.compile(r"\bid=(\d+)")
_APPS = (
    ("confluence", "confluence"),
    ("slack", "slack"),
    ("github", "github"),
    ("gitlab", "gitlab"),
    ("bitbucket", "bitbucket"),
    ("docs.google", "google-docs"),
    ("notion", "notion"),
    ("figma", "figma"),
    ("miro", "miro"),
)


def map_sprint(raw: Json, source: str, board_id: int) -> Sprint:
    # activatedDate (DC) is when the sprint really started; startDate is the planned date.
    activated = parse_time(raw.get("activatedDate"))
    planned_start = parse_time(raw.get("startDate"))
    return Sprint(
        source=source,
        id=str(raw["id"]),
        name=str(raw.get("name") or raw["id"]),
        state=SprintState(str(raw.get("state") or "future").lower()),
        started_at=activated or planned_start,
        ended_at=parse_time(raw.get("completeDate")),
        planned_end=parse_time(raw.get("endDate")),
        board=str(board_id),
        start_is_planned=activated is None and planned_start is not None,
    )


def map_person(raw: Any) -> Person | None:
    """Cloud: accountId (email often hidden). Server/DC: key (``JIRAUSER...``), else name."""
    if not isinstance(raw, Mapping):
        return None
    ident = raw.get("accountId") or raw.get("key") or raw.get("name")
    if not ident:
        return None
    return Person(
        id=str(ident),
        name=str(raw.get("displayName") or raw.get("name") or ident),
        email=raw.get("emailAddress") or None,
        is_bot=raw.get("accountType") == "app",
    )


def text_value(value: Any) -> str | None:
    """A v2 text field is wiki markup; an ADF document (v3) is kept as JSON text."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def map_issue(raw: Json, source: str, base_url: str) -> Issue:
    fields = raw.get("fields") or {}
    return Issue(
        source=source,
        key=str(raw["key"]),
        id=str(raw["id"]),
        title=str(fields.get("summary") or ""),
        url=f"{base_url}/browse/{raw['key']}",
        type=str((fields.get("issuetype") or {}).get("name") or ""),
        status=str((fields.get("status") or {}).get("name") or ""),
        labels=tuple(str(label) for label in fields.get("labels") or ()),
        created_at=parse_time(fields.get("created")),
        updated_at=parse_time(fields.get("updated")),
    )


# -- history ---------------------------------------------------------------------------


def sort_histories(histories: Sequence[Json]) -> list[Json]:
    """Oldest first by (created, numeric id); the API's own order is not reliable."""
    return sorted(
        histories, key=lambda h: (parse_time(h.get("created")) or _EPOCH, _int(h.get("id")))
    )


def iter_items(histories: Sequence[Json], field: FieldRef) -> Iterator[tuple[Json, int, Json]]:
    for history in histories:
        for index, item in enumerate(history.get("items") or ()):
            if isinstance(item, Mapping) and field.matches(item):
                yield history, index, item


def warn_nameless_items(issue_key: str, histories: Sequence[Json]) -> int:
    """Changelog items that name no field (null ``field`` and ``fieldId``, or no item at
    all) cannot be told apart from an AC edit: skipped, but never silently."""
    nameless = sum(
        1
        for history in histories
        for item in history.get("items") or ()
        if not isinstance(item, Mapping) or not (item.get("fieldId") or item.get("field"))
    )
    if nameless:
        log.warning(
            "%s: %d changelog item(s) name no field (null `field` and `fieldId`): skipped; "
            "if this issue's AC history looks incomplete, check its history in Jira",
            issue_key,
            nameless,
        )
    return nameless


def iter_named_items(histories: Sequence[Json], name: str) -> Iterator[tuple[Json, Json]]:
    """System items without a stable fieldId (``Link``, ``RemoteIssueLink``): match by name."""
    wanted = name.lower()
    for history in histories:
        for item in history.get("items") or ():
            if isinstance(item, Mapping) and str(item.get("field") or "").lower() == wanted:
                yield history, item


def map_revisions(
    source: str, issue_key: str, histories: Sequence[Json], field: FieldRef
) -> tuple[TextRevision, ...]:
    warn_nameless_items(issue_key, histories)
    revisions = [
        TextRevision(
            source=source,
            issue_key=issue_key,
            id=f"{history['id']}:{index}",
            at=_at(history),
            author=map_person(history.get("author")),
            field=field.id,
            from_text=item.get("fromString"),
            to_text=item.get("toString"),
        )
        for history, index, item in iter_items(histories, field)
    ]
    for before, after in pairwise(revisions):
        if _norm(before.to_text) != _norm(after.from_text):
            log.warning(
                "%s: %s history has a gap between revisions %s and %s (text differs): "
                "some history may be missing",
                issue_key,
                field.name,
                before.id,
                after.id,
            )
    return tuple(revisions)


def parse_points(value: Any) -> float | None:
    """A story-points value: a number in ``fields``, a string such as ``"3"`` or
    ``"0.5"`` in the changelog's ``fromString``/``toString``; None when empty or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


def map_estimates(
    source: str, issue_key: str, histories: Sequence[Json], field: FieldRef | None
) -> tuple[EstimateChange, ...]:
    """Every change of the story points, oldest first."""
    if field is None:
        return ()
    return tuple(
        EstimateChange(
            source=source,
            issue_key=issue_key,
            id=f"{history['id']}:{index}",
            at=_at(history),
            author=map_person(history.get("author")),
            from_value=parse_points(item.get("fromString")),
            to_value=parse_points(item.get("toString")),
        )
        for history, index, item in iter_items(histories, field)
    )


def parse_id_list(value: Any) -> set[str]:
    """``"76, 79"`` → {"76", "79"}; ``""`` and null mean no sprint."""
    if value is None:
        return set()
    return {part.strip() for part in str(value).split(",") if part.strip()}


def parse_sprint_ids(value: Any) -> tuple[str, ...]:
    """The Sprint field now: Cloud objects, or legacy ``...Sprint@1f[id=5820,...]`` strings."""
    found: list[str] = []
    for entry in value or ():
        if isinstance(entry, Mapping) and entry.get("id") is not None:
            found.append(str(entry["id"]))
        elif isinstance(entry, str) and (match := _LEGACY_SPRINT_ID.search(entry)):
            found.append(match.group(1))
        elif isinstance(entry, int):
            found.append(str(entry))
    return tuple(dict.fromkeys(found))


def map_memberships(
    source: str,
    issue_key: str,
    histories: Sequence[Json],
    field: FieldRef,
    current: Sequence[str],
    created_at: datetime | None,
) -> tuple[MembershipChange, ...]:
    items = list(iter_items(histories, field))
    # The changelog has no entry for values set at creation: sprints in the first item's
    # `from` (or now, if none ever changed) were there since the issue was created.
    at_creation = parse_id_list(items[0][2].get("from")) if items else set(current)
    changes: list[MembershipChange] = []
    added_ever = set(at_creation)
    for history, index, item in items:
        before, after = parse_id_list(item.get("from")), parse_id_list(item.get("to"))
        changes += _sprint_moves(source, issue_key, history, index, before, after)
        added_ever |= after - before
    at_creation |= set(current) - added_ever
    if created_at is None:
        return tuple(changes)
    initial = [
        MembershipChange(source, issue_key, s, created_at, True, id=f"created:{s}")
        for s in sorted(at_creation, key=_int)
    ]
    return tuple(initial + changes)


def _sprint_moves(
    source: str, issue_key: str, history: Json, index: int, before: set[str], after: set[str]
) -> list[MembershipChange]:
    person = map_person(history.get("author"))
    moves = [(s, True) for s in sorted(after - before, key=_int)]
    moves += [(s, False) for s in sorted(before - after, key=_int)]
    return [
        MembershipChange(
            source=source,
            issue_key=issue_key,
            sprint_id=sprint_id,
            at=_at(history),
            added=added,
            by=person,
            automated=person is None or person.is_bot,
            id=f"{history['id']}:{index}:{sprint_id}",
        )
        for sprint_id, added in moves
    ]


# -- comments and links ------------------------------------------------------------------


def map_comments(
    source: str, issue_key: str, comments: Sequence[Json], base_url: str
) -> tuple[Comment, ...]:
    mapped = []
    for raw in comments:
        created = parse_time(raw.get("created"))
        if created is None:
            continue
        mapped.append(
            Comment(
                source=source,
                issue_key=issue_key,
                id=str(raw["id"]),
                created_at=created,
                author=map_person(raw.get("author")),
                body=text_value(raw.get("body")) or "",
                updated_at=parse_time(raw.get("updated")),
                url=f"{base_url}/browse/{issue_key}?focusedCommentId={raw['id']}",
            )
        )
    return tuple(mapped)


def map_issue_links(
    source: str, issue_key: str, raw_links: Sequence[Json], histories: Sequence[Json], base_url: str
) -> tuple[Link, ...]:
    # A `Link` item's `to` is the other issue's key; the last one that added it dates the link.
    added = {str(item.get("to")): h for h, item in iter_named_items(histories, "Link")}
    links = []
    for raw in raw_links:
        outward = raw.get("outwardIssue")
        other = outward or raw.get("inwardIssue") or {}
        if not other.get("key"):
            continue
        kind = raw.get("type") or {}
        fields = other.get("fields") or {}
        history = added.get(str(other["key"]))
        links.append(
            Link(
                source=source,
                issue_key=issue_key,
                id=str(raw.get("id") or other["key"]),
                kind=LinkKind.ISSUE_LINK,
                title=str(fields.get("summary") or other["key"]),
                url=f"{base_url}/browse/{other['key']}",
                relationship=str(kind.get("outward" if outward else "inward") or ""),
                added_at=_at(history) if history else None,
                added_by=map_person(history.get("author")) if history else None,
                target_key=str(other["key"]),
                target_type=str((fields.get("issuetype") or {}).get("name") or ""),
                target_labels=tuple(str(x) for x in fields.get("labels") or ()),
            )
        )
    return tuple(links)


def map_remote_links(
    source: str, issue_key: str, raw_links: Sequence[Json], histories: Sequence[Json]
) -> tuple[Link, ...]:
    # A `RemoteIssueLink` item's `to` is the remote link's id.
    added = {str(item.get("to")): h for h, item in iter_named_items(histories, "RemoteIssueLink")}
    links = []
    for raw in raw_links:
        obj = raw.get("object") or {}
        history = added.get(str(raw.get("id")))
        links.append(
            Link(
                source=source,
                issue_key=issue_key,
                id=str(raw.get("id")),
                kind=LinkKind.REMOTE_LINK,
                title=str(obj.get("title") or obj.get("url") or ""),
                url=obj.get("url"),
                relationship=str(raw.get("relationship") or ""),
                added_at=_at(history) if history else None,
                added_by=map_person(history.get("author")) if history else None,
                app=remote_app(raw),
            )
        )
    return tuple(links)


def remote_app(raw: Json) -> str:
    application = raw.get("application") or {}
    named = f"{application.get('type') or ''} {application.get('name') or ''}".lower()
    url = str((raw.get("object") or {}).get("url") or "")
    host = (urlparse(url).hostname or "").lower()
    for needle, app in _APPS:
        if needle in named or needle in host:
            return app
    if host.endswith(".atlassian.net") and "/wiki/" in url:
        return "confluence"
    return host


def has_remote_link_items(histories: Sequence[Json]) -> bool:
    return any(True for _ in iter_named_items(histories, "RemoteIssueLink"))


def _at(history: Json) -> datetime:
    at = parse_time(history.get("created"))
    if at is None:
        raise ValueError(f"history {history.get('id')} has no created time")
    return at


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _norm(text: str | None) -> str:
    return "\n".join(
        line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")
    ).strip()
