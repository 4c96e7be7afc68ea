"""What every endpoint handler gets (``Ctx``) and returns (``Reply`` or ``ApiError``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors.sim.jira.fields import Flavour
from connectors.sim.jira.handlers._render import View


@dataclass(slots=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """An error response in Jira's own shape."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.reply = Reply(status, body, headers or {})


def error(status: int, *messages: str, errors: dict[str, str] | None = None) -> ApiError:
    """Jira's ``ErrorCollection``: ``{"errorMessages": [...], "errors": {...}}``."""
    return ApiError(status, {"errorMessages": list(messages), "errors": errors or {}})


def not_found_uri(url: str) -> ApiError:
    """What Jersey answers for a path it has no resource for (e.g. Cloud-only paths on DC)."""
    return ApiError(404, {"message": f"null for uri: {url}", "status-code": 404})


@dataclass(slots=True)
class Ctx:
    view: View
    url: str  # the full request URL, as Jira quotes it back in "null for uri"
    query: dict[str, list[str]]
    body: Any = None
    path: dict[str, str] = field(default_factory=dict)

    @property
    def flavour(self) -> Flavour:
        return self.view.flavour

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def int_arg(self, name: str, default: int, *, maximum: int | None = None) -> int:
        return clamp_int(self.arg(name), name, default, maximum)


def clamp_int(raw: Any, name: str, default: int, maximum: int | None) -> int:
    """Jira silently lowers a ``maxResults`` above its cap; garbage is a 400."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise error(
            400, f"The value '{raw}' is not a valid number for the parameter '{name}'."
        ) from exc
    if value < 0:
        raise error(400, f"The '{name}' parameter must not be negative.")
    return min(value, maximum) if maximum is not None else value


def encode_token(offset: int, scope: str) -> str:
    raw = json.dumps({"o": offset, "s": scope}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, scope: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["s"] != scope:
            raise ValueError("token for another query")
        return int(data["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise error(400, "The provided next page token is invalid or expired.") from exc


Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str  # "/rest/api/2/issue/{key}"
    handler: Handler
    only: Flavour | None = None  # Cloud-only endpoints answer 404 on Server/DC
