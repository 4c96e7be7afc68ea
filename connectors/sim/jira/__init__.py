"""A Jira simulator (Cloud and Server/DC flavours) and the bundled sample workspace.

>>> ws = build_demo_workspace()
>>> with JiraSimulator(ws, flavour="cloud") as sim:  # doctest: +SKIP
...     sim.url, sim.requests
"""

from connectors.sim.jira.demo import DEMO, build_demo_workspace
from connectors.sim.jira.jql import JqlError, parse_jql
from connectors.sim.jira.model import JiraWorkspace
from connectors.sim.jira.server import JiraSimulator

__all__ = [
    "DEMO",
    "JiraSimulator",
    "JiraWorkspace",
    "JqlError",
    "build_demo_workspace",
    "parse_jql",
]
