"""The one error tree of tracker. The CLI maps it to exit codes; users never see a traceback.

    TrackerError
    ├── ConfigError        exit 2: no config file, malformed TOML, unknown key, missing token
    │   ├── UsageError     exit 2: unknown or ambiguous sprint, bad option value
    │   └── StoreNotReady  exit 2: a read command found no database, or an older schema
    ├── SourceError        exit 1: a tracker could not be read
    │   ├── AuthError          rejected credentials (401/403)
    │   ├── RateLimited        still rate limited after waiting as told
    │   └── UpstreamError      unreachable URL, 404, 5xx after retries, GraphQL errors
    ├── StoreError         exit 1: the database could not be opened, migrated or written
    │   └── SyncBusy           another sync of the same source holds the lock
    ├── NotifyError        exit 1: a nudge channel refused or failed (the others still go)
    └── FlaggedChanges     exit 3: ``--fail-on-flagged`` and the report has flagged changes

Every message is one line that says what to do. Connectors wrap library exceptions with
``raise ... from exc`` so the cause is kept for ``--verbose`` logs.
"""

from __future__ import annotations


class TrackerError(Exception):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(TrackerError):
    exit_code = 2


class UsageError(ConfigError):
    """Bad command-line input: an unknown or ambiguous sprint, an unknown source name."""


class StoreNotReady(ConfigError):
    """A read command needs a database that ``tracker sync`` (or ``tracker migrate``)
    must create or upgrade first; the message names the command to run."""


class SourceError(TrackerError):
    exit_code = 1


class AuthError(SourceError):
    pass


class RateLimited(SourceError):
    pass


class UpstreamError(SourceError):
    pass


class StoreError(TrackerError):
    exit_code = 1


class SyncBusy(StoreError):
    pass


class NotifyError(TrackerError):
    exit_code = 1


class FlaggedChanges(TrackerError):
    exit_code = 3
