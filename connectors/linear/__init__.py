"""Linear connector: cycles and issues over Linear's GraphQL API (httpx).

Linear's history records *that* a description changed, never the old text, so this
connector returns each issue's current description on every poll (sync snapshots it) and
takes who/when from ``IssueHistory``. See ``source.py`` for the poll, ``queries.py`` for the
documents and why they are shaped so, ``client.py`` for limits and errors.
"""

from connectors.linear.source import LinearSource

__all__ = ["LinearSource"]
