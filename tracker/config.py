"""tracker.toml: find it, parse it, validate it, resolve secrets from the environment.

Found at ``--config PATH``, else ``$TRACKER_CONFIG``, else ``./tracker.toml``. A relative
SQLite path in ``database`` is relative to the file's folder. Secrets
never live in the file: a source names the environment variable that holds its token,
and the token is kept as a ``SecretStr`` so it never prints. ``$TRACKER_DATABASE_URL``
overrides ``database``. Every problem is a ``ConfigError`` with one line that says what
to fix (exit 2).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from tracker.clock import parse_duration
from tracker.errors import ConfigError
from tracker.policy import Policy

DEFAULT_PATH = Path("tracker.toml")
DEFAULT_DATABASE = "sqlite:///tracker.db"
DEFAULT_LINEAR_URL = "https://api.linear.app/graphql"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: Any) -> Any:
    """A source's URL must be absolute http(s) with a host: anything else fails later as a
    confusing network error."""
    if isinstance(value, str):
        parts = urlsplit(value.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL such as https://acme.atlassian.net")
        return value.strip()
    return value


class JiraSourceConfig(_Strict):
    name: str
    type: Literal["jira"]
    url: str
    email: str | None = None
    token_env: str
    boards: list[int] = Field(min_length=1)
    ac_field: str = "Acceptance Criteria"
    projects: list[str] = []
    timeout: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=4, ge=0)
    max_wait: float = Field(default=300.0, ge=0)
    sync_timeout: float = Field(default=7200.0, gt=0)
    concurrency: int = 4
    webhook_secret_env: str | None = None
    token: SecretStr | None = Field(default=None, exclude=True)

    _url = field_validator("url", mode="before")(_http_url)


class LinearSourceConfig(_Strict):
    name: str
    type: Literal["linear"]
    url: str = DEFAULT_LINEAR_URL
    token_env: str
    teams: list[str] = Field(min_length=1)
    timeout: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=4, ge=0)
    max_wait: float = Field(default=300.0, ge=0)
    sync_timeout: float = Field(default=7200.0, gt=0)
    webhook_secret_env: str | None = None
    token: SecretStr | None = Field(default=None, exclude=True)

    _url = field_validator("url", mode="before")(_http_url)


SourceConfig = Annotated[JiraSourceConfig | LinearSourceConfig, Field(discriminator="type")]


# The [policy] keys that take a duration ("3d", "10m"): those whose default is one.
_DURATIONS = frozenset(f.name for f in fields(Policy) if isinstance(f.default, timedelta))


class NotifyConfig(_Strict):
    """``[notify]``: where nudges go. The webhook URL is a secret, so the
    file names the environment variable that holds it."""

    slack_webhook_env: str | None = None
    comment: bool = False
    lead: str | None = None
    digest: bool = False
    delay: timedelta = timedelta(0)

    @field_validator("delay", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_duration(value)
        return value


class Config(_Strict):
    database: str = DEFAULT_DATABASE
    source: list[SourceConfig] = []
    policy: Policy = Policy()
    notify: NotifyConfig = NotifyConfig()
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("policy", mode="before")
    @classmethod
    def _durations(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: parse_duration(v) if k in _DURATIONS and isinstance(v, str) else v
                for k, v in value.items()
            }
        return value

    def sources(
        self, names: list[str] | None = None
    ) -> list[JiraSourceConfig | LinearSourceConfig]:
        if not names:
            return list(self.source)
        known = {s.name: s for s in self.source}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(
                f"no source named {unknown[0]!r}; known: {', '.join(known) or 'none'}"
            )
        return [known[n] for n in names]


def find_config_path(explicit: Path | None, env: Mapping[str, str]) -> Path:
    if explicit is not None:
        return explicit
    if env.get("TRACKER_CONFIG"):
        return Path(env["TRACKER_CONFIG"])
    return DEFAULT_PATH


def load_config(
    explicit: Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    require_tokens: bool = True,
) -> Config:
    """Read, validate and resolve a config; raise ConfigError with one line on any problem."""
    env = os.environ if env is None else env
    path = find_config_path(explicit, env)
    if not path.is_file():
        raise ConfigError(
            f"no config file at {path}: run `tracker init` to write one, "
            "or pass --config PATH / set TRACKER_CONFIG"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}): fix the file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return parse_config(raw, env, path=path, require_tokens=require_tokens)


def parse_config(
    raw: dict[str, Any],
    env: Mapping[str, str],
    *,
    path: Path | None = None,
    require_tokens: bool = True,
) -> Config:
    where = str(path) if path else "config"
    _refuse_secrets(raw, where)
    try:
        config = Config.model_validate({**raw, "path": path})
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_first_problem(exc)}") from exc
    names = [s.name for s in config.source]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ConfigError(
            f"{where}: two sources are named {sorted(duplicates)[0]!r}; names must differ"
        )
    sources = [_with_token(s, env, where, require_tokens) for s in config.source]
    database = env.get("TRACKER_DATABASE_URL") or _beside(config.database, path)
    return config.model_copy(update={"source": sources, "database": database})


# Query parameters that carry a credential in the URLs people paste (never needed by tracker).
_SECRET_PARAMS = frozenset(
    {"token", "access_token", "api_key", "apikey", "key", "password", "secret", "auth", "jwt"}
)


def _refuse_secrets(raw: Mapping[str, Any], where: str) -> None:
    """A secret written into the file is an error that never repeats it: a ``token`` key,
    or credentials inside a source's ``url`` (which would be stored with every issue's
    link and shown in every error)."""
    sources = raw.get("source")
    for index, source in enumerate(sources if isinstance(sources, list) else []):
        if not isinstance(source, Mapping):
            continue
        name = source.get("name") if isinstance(source.get("name"), str) else f"source[{index}]"
        env = source.get("token_env") if isinstance(source.get("token_env"), str) else None
        if "token" in source:
            raise ConfigError(
                f"{where}: source {name!r} has a `token` key: secrets never live in the file; "
                f"remove it and export the token in the variable that `token_env` names"
                + (f" ({env})" if env else ' (e.g. token_env = "JIRA_API_TOKEN")')
            )
        url = source.get("url")
        if isinstance(url, str) and url_has_credentials(url):
            raise ConfigError(
                f"{where}: source {name!r} has credentials inside its `url`: remove them "
                "(keep only scheme, host and path) and put the token in the variable that "
                "`token_env` names"
            )


def url_has_credentials(url: str) -> bool:
    """``https://user:secret@host`` or ``?token=…``: a URL that carries a secret."""
    try:
        parts = urlsplit(url.strip())
        params = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return False
    return "@" in parts.netloc or any(k.lower() in _SECRET_PARAMS for k, _ in params)


# sqlite:///relative/path (three slashes, then no fourth) with an optional driver and query.
_RELATIVE_SQLITE = re.compile(r"^(sqlite(?:\+\w+)?:///)(?!/)([^?]+)(\?.*)?$")


def _beside(database: str, config_path: Path | None) -> str:
    """A relative SQLite path in the file is relative to the file's folder, not to the
    current directory: a cron job without ``cd`` must find the same database."""
    found = _RELATIVE_SQLITE.match(database)
    if config_path is None or found is None:
        return database
    prefix, relative, query = found.groups()
    if relative == ":memory:" or relative.startswith("~"):
        return database
    absolute = (config_path.resolve().parent / relative).as_posix()
    return f"{prefix}{absolute}{query or ''}"


def _with_token(
    source: JiraSourceConfig | LinearSourceConfig,
    env: Mapping[str, str],
    where: str,
    required: bool,
) -> JiraSourceConfig | LinearSourceConfig:
    value = env.get(source.token_env, "").strip()
    if not value:
        if required:
            raise ConfigError(
                f"source {source.name!r}: environment variable {source.token_env} is not set; "
                f"export {source.token_env}=<token> ({where} names it in token_env)"
            )
        return source
    return source.model_copy(update={"token": SecretStr(value)})


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = _readable_location(err["loc"])
    # unexpected_keyword_argument: an unknown key of [policy], which is a dataclass
    if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        return f"unknown key {loc!r}: remove it or check its spelling"
    if err["type"] == "missing":
        return f"missing key {loc!r}"
    return f"{loc}: {err['msg'].removeprefix('Value error, ')}"


def _readable_location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts[-1] = f"{parts[-1]}[{p}]" if parts else f"[{p}]"
        elif p in ("jira", "linear") and parts and parts[-1].startswith("source"):
            continue  # pydantic's discriminator tag, not a key the user wrote
        else:
            parts.append(p)
    return ".".join(parts)


_TEMPLATE_SOURCES = """\
# tracker.toml: where tracker reads from and how it judges AC changes.
# Secrets never live here: each source names the environment variable holding its token.

database = "sqlite:///tracker.db"        # any SQLAlchemy URL, e.g. postgresql+psycopg://tracker@db/tracker
                                         # $TRACKER_DATABASE_URL overrides it

[[source]]
name = "acme-jira"
type = "jira"
url = "https://acme.atlassian.net"       # Cloud or Server/Data Center; detected from serverInfo
email = "pm@acme.com"                    # Cloud basic auth; leave out for a Server/DC personal access token
token_env = "JIRA_API_TOKEN"
boards = [7]                             # sprints are read from these boards
ac_field = "Acceptance Criteria"         # a custom field's name or id, or "description" (a section of it)
# timeout = 30                           # seconds for a whole answer, on every source
# max_wait = 300                         # the longest rate-limit wait; a server asking more fails the source
# sync_timeout = 7200                    # seconds one source's sync may take before it stops

# [[source]]
# name = "acme-linear"
# type = "linear"
# url = "https://api.linear.app/graphql" # the default
# token_env = "LINEAR_API_KEY"
# teams = ["ENG"]                        # team keys

"""

# What `tracker init` writes under [policy], key by key; the values are Policy's defaults.
_POLICY_COMMENTS = {
    "engineers": "emails, account ids or display names; empty: anyone but the editor",
    "window_before": "how long before an AC change a discussion still counts",
    "window_after": "... and after it",
    "link_patterns": "a linked issue counts when its title, type or a label matches",
    "markers": "a comment containing one counts, whoever wrote it",
    "burst": "saves by one person within this time are one change",
    "grace": "AC edits this soon after the start belong to planning",
}


def _template_policy(policy: Policy) -> str:
    lines = ["[policy]"]
    for key, comment in _POLICY_COMMENTS.items():
        setting = f"{key} = {_toml_value(getattr(policy, key))}"
        lines.append(f"{setting:<39}  # {comment}")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, timedelta):
        return f'"{_duration_text(value)}"'
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def _duration_text(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if not seconds:
        return "0h"  # how the README writes a zero grace
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


_TEMPLATE_NOTIFY = """
# [notify]                               # `tracker notify`: nudges for flagged changes
# slack_webhook_env = "SLACK_WEBHOOK_URL" # a Slack incoming webhook; the URL lives in the environment
# comment = false                        # also ask on the issue itself (a Jira / Linear comment)
# lead = "alice@acme.com"                # the engineering lead to mention; default: the first of [policy] engineers
# digest = false                         # one Slack message per sprint and day instead of one per change
# delay = "0h"                           # nudge only changes still flagged this long after their last save
"""

TEMPLATE = _TEMPLATE_SOURCES + _template_policy(Policy()) + _TEMPLATE_NOTIFY
