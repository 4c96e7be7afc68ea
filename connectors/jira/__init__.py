"""Jira connector (Cloud and Server/Data Center) built on the `jira` library."""

from connectors.jira.source import JiraSource

__all__ = ["JiraSource"]
