"""Nudge channels: a Slack incoming webhook and a comment on the issue (Jira, Linear).

Each implements ``tracker.ports.Channel``: ``preview`` is exactly the body that
``send`` posts, and ``send`` returns only once the far end accepted it.
"""

from connectors.notify.comments import CommentChannel, JiraCommenter, LinearCommenter
from connectors.notify.slack import SlackChannel

__all__ = ["CommentChannel", "JiraCommenter", "LinearCommenter", "SlackChannel"]
