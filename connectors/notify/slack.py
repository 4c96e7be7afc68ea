"""Slack incoming webhook: a nudge as Block Kit, within Slack's limits.

Limits (Slack's Block Kit reference): a section's text at most 3,000 characters, at
most 50 blocks a message. A long diff is cut at a line and ends with a link to the
issue. Everything that came from Jira or Linear is mrkdwn-escaped (``&``, ``<``, ``>``),
so no issue title or criterion can ping ``@channel`` (``<!channel>``) or forge a link
(``<https://evil|PAY-1>``); only links tracker builds itself are links.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from connectors.notify._http import Poster, Refused
from tracker.domain import Sprint
from tracker.errors import NotifyError
from tracker.notify.compose import QUESTION_ELSEWHERE, compose, diff_items, when_text
from tracker.notify.model import Link, Mention, Message, Nudge, Paragraph, Span
from tracker.ports import Sent

SECTION_MAX = 3000
BLOCKS_MAX = 50
CONTEXT_MAX = 2000  # a context element's text


def escape(text: str) -> str:
    """Slack's three control characters (the only escaping mrkdwn needs)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str, text: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return escape(text)
    return f"<{escape(url)}|{escape(text).replace('|', '¦')}>"


def mrkdwn(spans: tuple[Span, ...]) -> str:
    out = []
    for span in spans:
        if isinstance(span, Mention):
            # Slack member ids are unknown here: name the person, never ping by guess.
            out.append(f"*{escape(span.person.name)}*")
        elif isinstance(span, Link):
            out.append(_link(span.url, span.text))
        elif span.code:
            out.append(f"`{escape(span.text)}`")
        elif span.bold:
            out.append(f"*{escape(span.text)}*")
        else:
            out.append(escape(span.text))
    return "".join(out)


def _section(text: str, url: str | None) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text, url)}}


def fit(text: str, url: str | None, limit: int = SECTION_MAX) -> str:
    """``text`` within ``limit`` characters: cut at a line, then a link to the rest."""
    if len(text) <= limit:
        return text
    tail = f"\n… the rest is on {_link(url, 'the issue')}" if url else "\n…"
    room = limit - len(tail)
    cut = text.rfind("\n", 0, room)
    return text[: cut if cut > 0 else room] + tail


def render_blocks(message: Message) -> dict[str, Any]:
    """The webhook payload for one nudge."""
    texts: list[str] = []
    for block in message.blocks:
        if isinstance(block, Paragraph):
            texts.append(mrkdwn(block.spans))
            continue
        lines = "\n".join(f"• {mrkdwn(item)}" for item in block.items)
        if texts and texts[-1].endswith(":*"):  # a list's heading reads best with it
            lines = texts.pop() + "\n" + lines
        texts.append(lines)
    blocks = [_section(text, message.url) for text in texts]
    # The last paragraph is the footer: quieter, as context.
    if blocks:
        footer = blocks.pop()["text"]["text"]
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": footer[:CONTEXT_MAX]}]}
        )
    return {"text": escape(message.title), "blocks": blocks[:BLOCKS_MAX]}


def render_digest(sprint: Sprint, nudges: tuple[Nudge, ...]) -> dict[str, Any]:
    """One message for a sprint's due nudges: a heading, one section per change (as many
    as fit in 50 blocks, then a count), and the question once."""
    count = len(nudges)
    title = f"{count} AC change{'s' if count != 1 else ''} in {sprint.name} flagged: no engineering discussion yet"
    blocks: list[dict[str, Any]] = [_section(f"*{escape(title)}*", None)]
    room = BLOCKS_MAX - 4  # the heading, the count of the rest, the question, the footer
    for nudge in nudges[:room]:
        who = nudge.editor.name if nudge.editor else "someone"
        head = f"{_link(nudge.issue.url, nudge.issue.key)} {escape(nudge.issue.title)}: {escape(who)}, {escape(when_text(nudge))}"
        items = "\n".join(f"• {mrkdwn(i)}" for i in diff_items(nudge.diff, nudge.issue.url))
        blocks.append(_section(f"{head}\n{items}", nudge.issue.url))
    if count > room:
        blocks.append(
            _section(
                f"… and {count - room} more: `tracker report --sprint {escape(sprint.key or sprint.id)}`",
                None,
            )
        )
    blocks.append(_section(escape(QUESTION_ELSEWHERE), None))
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "Asked by tracker: a daily digest of flagged changes"}
            ],
        }
    )
    return {"text": escape(title), "blocks": blocks}


class SlackChannel:
    """Posts to a Slack incoming webhook (the URL is the secret; it is never printed)."""

    name = "slack"

    def __init__(
        self, webhook: SecretStr | None, env_name: str, poster: Poster | None = None
    ) -> None:
        self._webhook = webhook
        self._env = env_name
        self._poster = poster or Poster()

    def describe(self, nudge: Nudge) -> str:
        return f"Slack (the webhook in ${self._env})"

    def preview(self, nudge: Nudge) -> dict[str, Any]:
        return render_blocks(compose(nudge, on_issue=False))

    def send(self, nudge: Nudge) -> Sent:
        return self._post(render_blocks(compose(nudge, on_issue=False)))

    def preview_digest(self, sprint: Sprint, nudges: tuple[Nudge, ...]) -> dict[str, Any]:
        return render_digest(sprint, nudges)

    def send_digest(self, sprint: Sprint, nudges: tuple[Nudge, ...]) -> Sent:
        return self._post(render_digest(sprint, nudges))

    def _post(self, payload: dict[str, Any]) -> Sent:
        if self._webhook is None:
            raise NotifyError(
                f"Slack: ${self._env} is not set: export {self._env}=<the incoming webhook URL>"
            )
        answer = self._poster.request(
            "POST", self._webhook.get_secret_value(), what="Slack", json=payload
        )
        if isinstance(answer, Refused):
            raise NotifyError(
                f"Slack refused the nudge (HTTP {answer.status} {answer.detail}): {_fix(answer)}"
            )
        return Sent()

    def close(self) -> None:
        self._poster.close()


def _fix(refused: Refused) -> str:
    if refused.status in (403, 404, 410):
        return (
            "the webhook was revoked or its channel is gone: create a new incoming webhook "
            "in Slack and put its URL in the variable `slack_webhook_env` names"
        )
    return "Slack did not accept the message's shape; run `tracker notify` to see it and report it"
