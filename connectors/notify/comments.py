"""A nudge as a comment on the issue itself: Jira (ADF on Cloud's v3, wiki markup on
Server/DC's v2) and Linear (``commentCreate``, markdown).

The comment is addressed to the editor and mentions the engineering lead where the
tracker can mention someone (Jira Cloud: an ADF ``mention`` node by account id; Server/DC:
``[~username]``, the username looked up from the stored user key); elsewhere (Linear, Slack,
a person never seen) it names them. Text from the issue is escaped for the
markup it lands in, so a criterion cannot smuggle a mention or a link into it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from connectors.notify._http import Poster, Refused
from tracker.config import JiraSourceConfig, LinearSourceConfig
from tracker.domain import Person
from tracker.errors import NotifyError
from tracker.notify.compose import compose
from tracker.notify.model import Link, Mention, Message, Nudge, Paragraph, Span
from tracker.ports import Sent

# -- Jira ----------------------------------------------------------------------------------


def render_adf(message: Message) -> dict[str, Any]:
    """Atlassian Document Format (Jira Cloud REST v3)."""
    content: list[dict[str, Any]] = []
    for block in message.blocks:
        if isinstance(block, Paragraph):
            content.append({"type": "paragraph", "content": _adf_inline(block.spans)})
        else:
            items = [
                {"type": "listItem", "content": [{"type": "paragraph", "content": _adf_inline(i)}]}
                for i in block.items
            ]
            content.append({"type": "bulletList", "content": items})
    return {"type": "doc", "version": 1, "content": content}


def _adf_inline(spans: tuple[Span, ...]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for span in spans:
        if isinstance(span, Mention):
            person = span.person
            if person.id and not person.is_bot:
                nodes.append(
                    {"type": "mention", "attrs": {"id": person.id, "text": f"@{person.name}"}}
                )
            else:
                nodes.append({"type": "text", "text": f"@{person.name}"})
        elif isinstance(span, Link):
            nodes.append(
                {
                    "type": "text",
                    "text": span.text,
                    "marks": [{"type": "link", "attrs": {"href": span.url}}],
                }
            )
        elif span.text:
            node: dict[str, Any] = {"type": "text", "text": span.text}
            if span.bold or span.code:
                node["marks"] = [{"type": "strong" if span.bold else "code"}]
            nodes.append(node)
    return nodes


# Wiki markup that could turn a criterion into a mention, link, macro or image; hyphens
# stay (keys and the nudge's mark contain them, and `-x-` only strikes text through).
_WIKI_SPECIAL = re.compile(r"([\[\]{}|*_~^+!\\])")


def wiki_escape(text: str) -> str:
    return _WIKI_SPECIAL.sub(r"\\\1", text)


def render_wiki(message: Message) -> str:
    """Jira wiki markup (Server/DC REST v2)."""
    out: list[str] = []
    for block in message.blocks:
        if isinstance(block, Paragraph):
            out.append(_wiki_inline(block.spans))
        else:
            out.append("\n".join(f"* {_wiki_inline(i)}" for i in block.items))
    return "\n\n".join(out)


def _wiki_inline(spans: tuple[Span, ...]) -> str:
    parts = []
    for span in spans:
        if isinstance(span, Mention):
            person = span.person
            # A user key of the JIRAUSER form is not a username: name such a person.
            if person.id and not person.id.startswith("JIRAUSER") and not person.is_bot:
                parts.append(f"[~{person.id}]")
            else:
                parts.append(f"@{wiki_escape(person.name)}")
        elif isinstance(span, Link):
            parts.append(f"[{wiki_escape(span.text)}|{span.url}]")
        elif span.code:
            parts.append("{{" + wiki_escape(span.text) + "}}")
        elif span.bold and span.text.strip():
            parts.append(f"*{wiki_escape(span.text)}*")
        else:
            parts.append(wiki_escape(span.text))
    return "".join(parts)


class JiraCommenter:
    """Comments on one Jira site; Cloud or Server/DC is read from ``serverInfo`` once."""

    def __init__(self, config: JiraSourceConfig, poster: Poster | None = None) -> None:
        self.config = config
        self.url = config.url.rstrip("/")
        self._poster = poster or Poster(timeout=config.timeout, max_retries=config.max_retries)
        self._cloud: bool | None = None
        self._usernames: dict[str, str | None] = {}

    def _headers(self) -> dict[str, str]:
        token = self.config.token
        if token is None:
            raise NotifyError(
                f"source {self.config.name!r}: ${self.config.token_env} is not set: "
                f"export {self.config.token_env}=<token> to comment on its issues"
            )
        secret = token.get_secret_value()
        if self.config.email:
            raw = base64.b64encode(f"{self.config.email}:{secret}".encode()).decode()
            return {"Authorization": f"Basic {raw}", "Accept": "application/json"}
        return {"Authorization": f"Bearer {secret}", "Accept": "application/json"}

    def cloud(self) -> bool:
        if self._cloud is None:
            # Sent with the credentials where there are any: a site may refuse anonymous calls.
            headers = self._headers() if self.config.token is not None else None
            answer = self._poster.request(
                "GET",
                f"{self.url}/rest/api/2/serverInfo",
                what=f"Jira at {self.url}",
                headers=headers,
            )
            if isinstance(answer, Refused):
                raise NotifyError(
                    f"Jira at {self.url} did not answer serverInfo (HTTP {answer.status}): check `url`"
                )
            self._cloud = str(answer.json().get("deploymentType", "")).lower() == "cloud"
        return self._cloud

    def request(self, nudge: Nudge) -> tuple[str, Any]:
        """(path, body) of the comment: v3 with ADF on Cloud, v2 with wiki markup on DC."""
        key = nudge.issue.key
        if self.cloud():
            return f"/rest/api/3/issue/{key}/comment", {"body": render_adf(compose(nudge))}
        named = replace(nudge, editor=self._username(nudge.editor), lead=self._username(nudge.lead))
        return f"/rest/api/2/issue/{key}/comment", {"body": render_wiki(compose(named))}

    def _username(self, person: Person | None) -> Person | None:
        """On Server/DC a person is stored by user key (``JIRAUSER10100`` since Jira 8),
        but ``[~username]`` needs the username: look it up once per person."""
        if person is None or not person.id.startswith("JIRAUSER") or self.config.token is None:
            return person
        if person.id not in self._usernames:
            answer = self._poster.request(
                "GET",
                f"{self.url}/rest/api/2/user?key={quote(person.id)}",
                what=f"Jira user {person.id}",
                headers=self._headers(),
            )
            found = None if isinstance(answer, Refused) else answer.json().get("name")
            self._usernames[person.id] = str(found) if found else None
        username = self._usernames[person.id]
        return replace(person, id=username) if username else person

    def post(self, nudge: Nudge) -> Sent:
        path, body = self.request(nudge)
        answer = self._poster.request(
            "POST",
            self.url + path,
            what=f"Jira comment on {nudge.issue.key}",
            json=body,
            headers=self._headers(),
        )
        if isinstance(answer, Refused):
            raise NotifyError(
                f"Jira refused the comment on {nudge.issue.key} (HTTP {answer.status}"
                f"{': ' + answer.detail if answer.detail else ''}): {_jira_fix(answer.status, self.config.token_env)}"
            )
        return Sent(remote_id=str(answer.json().get("id") or "") or None)

    def close(self) -> None:
        self._poster.close()


def _jira_fix(status: int, token_env: str) -> str:
    if status == 401:
        return f"Jira rejected the token: check {token_env}"
    if status in (403, 404):
        return "the token's user needs the Browse projects and Add comments permissions in the issue's project"
    return "Jira did not accept the comment's shape; run `tracker notify` to see it and report it"


# -- Linear --------------------------------------------------------------------------------

COMMENT_CREATE = """\
mutation NudgeComment($input: CommentCreateInput!) {
  commentCreate(input: $input) {
    success
    comment { id url }
  }
}
"""
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(message: Message) -> str:
    out: list[str] = []
    for block in message.blocks:
        if isinstance(block, Paragraph):
            out.append(_md_inline(block.spans))
        else:
            out.append("\n".join(f"- {_md_inline(i)}" for i in block.items))
    return "\n\n".join(out)


def _md_inline(spans: tuple[Span, ...]) -> str:
    parts = []
    for span in spans:
        if isinstance(span, Mention):
            parts.append(f"@{md_escape(span.person.name)}")
        elif isinstance(span, Link):
            parts.append(f"[{md_escape(span.text)}]({span.url})")
        elif span.code:
            parts.append(f"`{span.text.replace('`', '')}`")
        elif span.bold and span.text.strip():
            parts.append(f"**{md_escape(span.text)}**")
        else:
            parts.append(md_escape(span.text))
    return "".join(parts)


def comment_id(nudge: Nudge) -> str:
    """The comment's id, derived from the change: Linear takes a client-chosen UUID v4
    (``CommentCreateInput.id``), so the bytes are a hash and the version bits say 4."""
    digest = hashlib.sha256(f"tracker:{nudge.mark}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


class LinearCommenter:
    """``commentCreate`` on one Linear workspace. The comment's id is derived from the
    change, so a retry after a lost answer cannot post a second comment."""

    def __init__(self, config: LinearSourceConfig, poster: Poster | None = None) -> None:
        self.config = config
        self._poster = poster or Poster(timeout=config.timeout, max_retries=config.max_retries)

    def request(self, nudge: Nudge) -> tuple[str, Any]:
        variables = {
            "input": {
                "id": comment_id(nudge),
                "issueId": nudge.issue.id or nudge.issue.key,
                "body": render_markdown(compose(nudge)),
            }
        }
        return "", {
            "query": COMMENT_CREATE,
            "operationName": "NudgeComment",
            "variables": variables,
        }

    def post(self, nudge: Nudge) -> Sent:
        # Imported here: the GraphQL client module is only needed when sending.
        from connectors.linear.client import authorization_header

        token = self.config.token
        if token is None:
            raise NotifyError(
                f"source {self.config.name!r}: ${self.config.token_env} is not set: "
                f"export {self.config.token_env}=<API key> to comment on its issues"
            )
        _, body = self.request(nudge)
        headers = {"Authorization": authorization_header(token.get_secret_value())}
        what = f"Linear comment on {nudge.issue.key}"
        answer = self._poster.request(
            "POST", self.config.url, what=what, json=body, headers=headers
        )
        if isinstance(answer, Refused):
            raise NotifyError(
                f"Linear refused the comment on {nudge.issue.key} (HTTP {answer.status}: {answer.detail}): {_linear_fix(answer.detail)}"
            )
        payload = answer.json()
        errors = payload.get("errors") or []
        if errors:
            detail = "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict))
            if "already exists" in detail.lower():
                # Our own earlier attempt landed (the id is ours): it is delivered.
                return Sent(remote_id=body["variables"]["input"]["id"])
            raise NotifyError(
                f"Linear refused the comment on {nudge.issue.key} ({detail[:200]}): {_linear_fix(detail)}"
            )
        created = (payload.get("data") or {}).get("commentCreate") or {}
        if not created.get("success"):
            raise NotifyError(
                f"Linear did not create the comment on {nudge.issue.key}: try again later"
            )
        return Sent(remote_id=str((created.get("comment") or {}).get("id") or "") or None)

    def close(self) -> None:
        self._poster.close()


def _linear_fix(detail: str) -> str:
    lowered = detail.lower()
    if "auth" in lowered:
        return "Linear rejected the API key: check the source's token_env"
    if "rate limit" in lowered:
        # Linear answers a spent budget with HTTP 400 and RATELIMITED, not 429.
        return "Linear's hourly budget is spent: nothing was recorded, the next run sends it"
    return (
        "the API key needs write access (a personal key of a member of the issue's team, "
        "or OAuth with `comments:create`)"
    )


# -- one channel for every source ------------------------------------------------------------


class CommentChannel:
    """``comment``: the nudge as a comment on its issue, through its source's commenter."""

    name = "comment"

    def __init__(self, commenters: dict[str, JiraCommenter | LinearCommenter]) -> None:
        self._by_source = commenters

    def _for(self, nudge: Nudge) -> JiraCommenter | LinearCommenter:
        found = self._by_source.get(nudge.issue.source)
        if found is None:
            raise NotifyError(
                f"no source named {nudge.issue.source!r} in the config: it cannot comment"
            )
        return found

    def describe(self, nudge: Nudge) -> str:
        found = self._for(nudge)
        kind = "Jira" if isinstance(found, JiraCommenter) else "Linear"
        return f"a {kind} comment on {nudge.issue.key}"

    def preview(self, nudge: Nudge) -> dict[str, Any]:
        found = self._for(nudge)
        path, body = found.request(nudge)
        url = found.url + path if isinstance(found, JiraCommenter) else found.config.url
        return {"method": "POST", "url": url, "body": body}

    def send(self, nudge: Nudge) -> Sent:
        return self._for(nudge).post(nudge)

    def close(self) -> None:
        for commenter in self._by_source.values():
            commenter.close()
