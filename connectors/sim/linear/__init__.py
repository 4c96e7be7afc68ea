"""The Linear simulator: Linear's GraphQL wire format on loopback, over a timeline workspace.

``LinearSimulator`` serves a ``LinearWorkspace`` as of ``ws.now``; the demo workspace comes
from ``build_demo_linear_workspace`` and is meant to be synced at ``demo_poll_times()``.
"""

from connectors.sim.linear.demo import (
    LINEAR_DEMO,
    LinearDemo,
    build_demo_linear_workspace,
    demo_poll_times,
)
from connectors.sim.linear.model import Bot, User
from connectors.sim.linear.server import LinearSimulator
from connectors.sim.linear.workspace import LinearWorkspace

__all__ = [
    "LINEAR_DEMO",
    "Bot",
    "LinearDemo",
    "LinearSimulator",
    "LinearWorkspace",
    "User",
    "build_demo_linear_workspace",
    "demo_poll_times",
]
