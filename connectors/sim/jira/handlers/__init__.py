"""The simulator's endpoints, one module per API area; ``ROUTES`` is the whole table."""

from __future__ import annotations

from connectors.sim.jira.handlers import agile, changelog, comments, core, search
from connectors.sim.jira.handlers._base import ApiError, Ctx, Reply, Route

ROUTES: tuple[Route, ...] = (
    *core.ROUTES,
    *comments.ROUTES,
    *search.ROUTES,
    *changelog.ROUTES,
    *agile.ROUTES,
)

__all__ = ["ROUTES", "ApiError", "Ctx", "Reply", "Route"]
