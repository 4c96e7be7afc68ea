"""Is a delivery genuine? Signatures and the replay window, checked on the raw body.

- Linear signs every delivery: ``Linear-Signature`` is the hex HMAC-SHA256 of the raw body
  keyed with the webhook's signing secret, and the body's ``webhookTimestamp`` (epoch ms)
  says when it was sent; one older or newer than ``REPLAY_WINDOW`` is a replay (or a clock
  that is far off) and is refused.
- Jira Cloud admin webhooks with a secret send ``X-Hub-Signature: sha256=<hex HMAC-SHA256>``;
  older Server/DC sites cannot sign, so the secret may instead be the ``secret`` query
  parameter of the webhook URL.
Every comparison is constant-time (``hmac.compare_digest``), so a forger learns nothing
from how long a refusal took.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from tracker.clock import parse_time

REPLAY_WINDOW = timedelta(seconds=60)


def hex_signature(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def linear_signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return hmac.compare_digest(hex_signature(secret, body), header.strip().lower())


def jira_signature_ok(
    secret: bytes, body: bytes, header: str | None, query_secret: str | None
) -> bool:
    if header:
        method, _, digest = header.strip().partition("=")
        if method.lower() != "sha256":
            return False
        return hmac.compare_digest(hex_signature(secret, body), digest.strip().lower())
    if query_secret is not None:
        return hmac.compare_digest(secret, query_secret.encode("utf-8"))
    return False


def replay_problem(timestamp: object, now: datetime) -> str | None:
    """Why a Linear ``webhookTimestamp`` is refused, or None when it is fresh."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        return "the delivery has no numeric webhookTimestamp"
    sent = parse_time(int(timestamp))
    assert sent is not None
    skew = abs((now - sent).total_seconds())
    if skew > REPLAY_WINDOW.total_seconds():
        return f"webhookTimestamp is {skew:.0f} s from now (over 60 s): a replay, or a clock off"
    return None
