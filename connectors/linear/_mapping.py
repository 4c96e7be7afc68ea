"""Linear GraphQL JSON → ``tracker.domain`` records. Pure functions, no I/O.

Decisions made here (the connector translates; it never judges):
- A text edit is an ``IssueHistory`` entry with ``updatedDescription: true``. Linear keeps no
  old text, so the edit carries only who and when; sync pairs it with description snapshots.
  Who: the entry's ``actor`` (entries are grouped per actor), else the first of
  ``descriptionUpdatedBy``, else the ``botActor``. When: ``createdAt``, the start of the
  grouping window (an entry's ``updatedAt`` can move later as more saves are grouped in).
- Memberships come from ``fromCycleId``/``toCycleId``. An entry with no human ``actor`` (a
  ``botActor``, or nobody: Linear's own cycle roll-over) is ``automated``. When no entry
  explains the current cycle, the issue was created in it (``by`` its creator) or joined it
  at ``addedToCycleAt`` by someone the API does not name.
- Links pasted into comment bodies are ``LinkKind.REMOTE_LINK`` (a URL to an outside
  discussion, like a Jira remote link), added when the comment was created, by its author.
  Only known discussion hosts count (Slack, Notion, Confluence, Google Docs, Figma, GitHub,
  GitLab, Miro, Loom); a URL that is already an attachment of the issue is not repeated.
  URLs in the description itself are not extracted: they arrive with the very edit they
  would have to justify, and no API says when they were added.
- Relations are read in both directions; an inverse ``blocks`` is ``blocked by``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from tracker.clock import parse_time
from tracker.domain import (
    Comment,
    EstimateChange,
    Issue,
    IssueBundle,
    Link,
    LinkKind,
    MembershipChange,
    Person,
    Sprint,
    SprintState,
    TextEdit,
)

Node = Mapping[str, Any]

TEXT_FIELD = "description"
_INVERSE = {"blocks": "blocked by", "duplicate": "duplicated by"}
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")
_HOST_APPS: tuple[tuple[str, str], ...] = (
    ("slack.com", "slack"),
    ("notion.so", "notion"),
    ("notion.site", "notion"),
    ("docs.google.com", "google_docs"),
    ("drive.google.com", "google_docs"),
    ("figma.com", "figma"),
    ("github.com", "github"),
    ("gitlab.com", "gitlab"),
    ("miro.com", "miro"),
    ("loom.com", "loom"),
)


def map_sprint(source: str, node: Node) -> Sprint:
    number = int(node["number"])  # a Float on the wire: 12.0
    team_key = (node.get("team") or {}).get("key", "")
    return Sprint(
        source=source,
        id=node["id"],
        key=f"{team_key}-{number}",
        name=node.get("name") or f"Cycle {number}",
        state=_cycle_state(node),
        started_at=parse_time(node.get("startsAt")),
        ended_at=parse_time(node.get("completedAt")),
        planned_end=parse_time(node.get("endsAt")),
        board=team_key,
    )


def _cycle_state(node: Node) -> SprintState:
    if node.get("completedAt") or node.get("isPast"):
        return SprintState.CLOSED
    if node.get("isActive"):
        return SprintState.ACTIVE
    return SprintState.FUTURE


def person_from_user(user: Node | None) -> Person | None:
    if not user:
        return None
    return Person(
        id=user["id"],
        name=user.get("name") or user.get("displayName") or user["id"],
        email=user.get("email") or None,
    )


def person_from_bot(bot: Node | None) -> Person | None:
    if not bot:
        return None
    label = bot.get("name") or bot.get("type") or "bot"
    return Person(id=f"bot:{bot.get('id') or bot.get('type') or label}", name=label, is_bot=True)


def person_from_external(user: Node | None) -> Person | None:
    if not user:
        return None
    return Person(
        id=f"external:{user['id']}",
        name=user.get("name") or user["id"],
        email=user.get("email") or None,
    )


def map_issue_bundle(source: str, node: Node) -> IssueBundle:
    """One issue node with every nested connection already drained into ``nodes``."""
    key = node["identifier"]
    history = sorted(_nodes(node, "history"), key=lambda e: (e["createdAt"], e["id"]))
    comments = tuple(map_comment(source, key, c) for c in _nodes(node, "comments"))
    attachments = [map_attachment(source, key, a) for a in _nodes(node, "attachments")]
    cycle = node.get("cycle") or {}
    return IssueBundle(
        issue=map_issue(source, node),
        text_field=TEXT_FIELD,
        current_text=node.get("description"),
        text_edits=tuple(map_text_edits(source, key, history)),
        estimates=tuple(map_estimates(source, key, history)),
        memberships=tuple(map_memberships(source, node, history)),
        sprint_ids=(cycle["id"],) if cycle.get("id") else (),
        comments=tuple(sorted(comments, key=lambda c: (c.created_at, c.id))),
        links=(
            *attachments,
            *(map_relation(source, key, r, inverse=False) for r in _nodes(node, "relations")),
            *(map_relation(source, key, r, inverse=True) for r in _nodes(node, "inverseRelations")),
            *extract_comment_links(source, key, comments, {a.url for a in attachments}),
        ),
    )


def map_issue(source: str, node: Node) -> Issue:
    return Issue(
        source=source,
        key=node["identifier"],
        id=node["id"],
        title=node.get("title") or "",
        url=node.get("url") or "",
        status=(node.get("state") or {}).get("name", ""),
        labels=tuple(label["name"] for label in _nodes(node, "labels")),
        created_at=parse_time(node.get("createdAt")),
        updated_at=parse_time(node.get("updatedAt")),
        estimate=_points(node.get("estimate")),
    )


def _points(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def map_estimates(source: str, key: str, history: Iterable[Node]) -> Iterable[EstimateChange]:
    """Entries whose ``fromEstimate``/``toEstimate`` differ; every other entry carries
    null for both."""
    for entry in history:
        before, after = _points(entry.get("fromEstimate")), _points(entry.get("toEstimate"))
        if before == after:
            continue
        at = parse_time(entry["createdAt"])
        assert at is not None  # createdAt is DateTime! in the schema
        author = person_from_user(entry.get("actor")) or person_from_bot(entry.get("botActor"))
        yield EstimateChange(source, key, entry["id"], at, author, before, after)


def map_text_edits(source: str, key: str, history: Iterable[Node]) -> Iterable[TextEdit]:
    for entry in history:
        if not entry.get("updatedDescription"):
            continue
        editors = entry.get("descriptionUpdatedBy") or []
        author = (
            person_from_user(entry.get("actor"))
            or person_from_user(editors[0] if editors else None)
            or person_from_bot(entry.get("botActor"))
        )
        at = parse_time(entry["createdAt"])
        assert at is not None  # createdAt is DateTime! in the schema
        yield TextEdit(source=source, issue_key=key, id=entry["id"], at=at, author=author)


def map_memberships(source: str, node: Node, history: Sequence[Node]) -> Iterable[MembershipChange]:
    key = node["identifier"]
    explained: set[str] = set()
    for entry in history:
        at = parse_time(entry["createdAt"])
        assert at is not None
        automated = entry.get("botActor") is not None or entry.get("actor") is None
        by = person_from_user(entry.get("actor")) or person_from_bot(entry.get("botActor"))
        for field, added in (("fromCycleId", False), ("toCycleId", True)):
            cycle_id = entry.get(field)
            if not cycle_id:
                continue
            if added:
                explained.add(cycle_id)
            yield MembershipChange(
                source=source,
                issue_key=key,
                sprint_id=cycle_id,
                at=at,
                added=added,
                by=by,
                automated=automated,
                id=f"{entry['id']}:{'to' if added else 'from'}",
            )
    current = (node.get("cycle") or {}).get("id")
    if current and current not in explained:
        yield _unexplained_join(source, node, current)


def _unexplained_join(source: str, node: Node, cycle_id: str) -> MembershipChange:
    created = parse_time(node.get("createdAt"))
    joined = parse_time(node.get("addedToCycleAt")) or created
    assert joined is not None
    in_cycle_from_creation = joined == created
    return MembershipChange(
        source=source,
        issue_key=node["identifier"],
        sprint_id=cycle_id,
        at=joined,
        added=True,
        by=person_from_user(node.get("creator")) if in_cycle_from_creation else None,
        id=f"{'created-in' if in_cycle_from_creation else 'added-to'}:{cycle_id}",
    )


def map_comment(source: str, key: str, node: Node) -> Comment:
    created = parse_time(node["createdAt"])
    assert created is not None
    return Comment(
        source=source,
        issue_key=key,
        id=node["id"],
        created_at=created,
        author=person_from_user(node.get("user"))
        or person_from_bot(node.get("botActor"))
        or person_from_external(node.get("externalUser")),
        body=node.get("body") or "",
        updated_at=parse_time(node.get("updatedAt")),
        url=node.get("url"),
        parent_id=node.get("parentId") or (node.get("parent") or {}).get("id"),
    )


def map_attachment(source: str, key: str, node: Node) -> Link:
    url = node.get("url") or ""
    return Link(
        source=source,
        issue_key=key,
        id=f"attachment:{node['id']}",
        kind=LinkKind.ATTACHMENT,
        title=node.get("title") or url,
        url=url or None,
        relationship=node.get("subtitle") or "",
        added_at=parse_time(node.get("createdAt")),
        added_by=person_from_user(node.get("creator")),
        app=_attachment_app(node.get("sourceType"), url),
    )


def _attachment_app(source_type: str | None, url: str) -> str:
    kind = (source_type or "").strip().lower()
    for prefix in ("github", "gitlab", "slack", "figma", "notion"):
        if kind.startswith(prefix):
            return prefix
    if kind and kind not in ("unknown", "api", "url"):
        return kind
    return app_for_url(url) or "link"


def app_for_url(url: str) -> str | None:
    """The discussion app a URL points at, or None for hosts that are not one."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for domain, app in _HOST_APPS:
        if host == domain or host.endswith("." + domain):
            return app
    if host.endswith(".atlassian.net") and parts.path.startswith("/wiki"):
        return "confluence"
    if host.startswith("confluence."):
        return "confluence"
    return None


def map_relation(source: str, key: str, node: Node, *, inverse: bool) -> Link:
    other = (node.get("issue") if inverse else node.get("relatedIssue")) or {}
    kind = node.get("type") or "related"
    return Link(
        source=source,
        issue_key=key,
        id=f"relation:{node['id']}",
        kind=LinkKind.RELATION,
        title=other.get("title") or "",
        url=other.get("url"),
        relationship=_INVERSE.get(kind, kind) if inverse else kind,
        added_at=parse_time(node.get("createdAt")),
        target_key=other.get("identifier"),
        target_labels=tuple(label["name"] for label in _nodes(other, "labels")),
    )


def extract_comment_links(
    source: str, key: str, comments: Iterable[Comment], known_urls: set[str | None]
) -> Iterable[Link]:
    for comment in comments:
        for index, (title, url) in enumerate(find_discussion_urls(comment.body)):
            if url in known_urls:
                continue
            yield Link(
                source=source,
                issue_key=key,
                id=f"comment-link:{comment.id}:{index}",
                kind=LinkKind.REMOTE_LINK,
                title=title,
                url=url,
                relationship="linked in a comment",
                added_at=comment.created_at,
                added_by=comment.author,
                app=app_for_url(url) or "link",
            )


def find_discussion_urls(text: str) -> list[tuple[str, str]]:
    """``(title, url)`` for each link to a discussion host in markdown ``text``, in order."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for match in _MARKDOWN_LINK.finditer(text):
        found.append((match.group(1), match.group(2)))
        seen.add(match.group(2))
    for match in _BARE_URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?*_")
        if url not in seen:
            found.append((url, url))
            seen.add(url)
    return [(title, url) for title, url in found if app_for_url(url)]


def _nodes(node: Node, field: str) -> list[Node]:
    connection = node.get(field) or {}
    nodes: list[Node] = connection.get("nodes") or []
    return nodes
