"""The bundled sample workspace behind ``tracker demo``, the end-to-end tests and the
benchmarks, and what the tracker is expected to conclude about it.

``build_demo_workspace()`` returns a fresh, deterministic copy each call. ``DEMO`` holds
the facts a demo config needs. The verdict each AC change is designed to get, and why,
is the tests' answer key (``tests/demo_answers.py``), not part of the package.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.sim.jira._demo_base import PEOPLE, Script, add_calendar, add_people
from connectors.sim.jira._demo_pay import tell_cosmetic_and_silent, tell_discussed, tell_flagged
from connectors.sim.jira._demo_pay2 import tell_membership, tell_threads, tell_windows
from connectors.sim.jira._demo_pay3 import tell_backlog, tell_more, tell_sprint41, tell_sprint43
from connectors.sim.jira._demo_plat import tell_platform
from connectors.sim.jira.fields import BY_KEY, Flavour
from connectors.sim.jira.model import JiraWorkspace


@dataclass(frozen=True, slots=True)
class DemoPerson:
    name: str
    email: str
    username: str
    role: str  # pm | engineer | qa | bot | api


@dataclass(frozen=True, slots=True)
class DemoFacts:
    email: str
    token: str
    username: str  # Server/DC basic auth works with it too
    pay_board: int
    plat_board: int
    projects: tuple[str, ...]
    ac_field: str
    sprint_ids: tuple[int, ...]
    demo_sprint: int
    demo_sprint_name: str
    plat_sprint_ids: tuple[int, ...]
    plat_demo_sprint: int
    people: tuple[DemoPerson, ...]
    engineers: tuple[str, ...]  # the policy roster, as a tracker.toml would list it

    @property
    def boards(self) -> tuple[int, ...]:
        return (self.pay_board, self.plat_board)

    def ac_field_id(self, flavour: Flavour) -> str:
        return BY_KEY["ac"].id_for(flavour)

    def sprint_field_id(self, flavour: Flavour) -> str:
        return BY_KEY["sprint"].id_for(flavour)

    def role(self, role: str) -> tuple[DemoPerson, ...]:
        return tuple(p for p in self.people if p.role == role)


DEMO = DemoFacts(
    email="demo@example.com",
    token="demo-token",  # noqa: S106 - the simulator's own, not a secret
    username="demo",
    pay_board=7,
    plat_board=9,
    projects=("PAY", "PLAT"),
    ac_field="Acceptance Criteria",
    sprint_ids=(41, 42, 43, 44),
    demo_sprint=42,
    demo_sprint_name="Payments Sprint 42",
    plat_sprint_ids=(61, 62),
    plat_demo_sprint=61,
    people=tuple(DemoPerson(name, email, user, role) for user, name, email, role, _ in PEOPLE),
    # Bob's email is hidden on Cloud, so the roster names him as a person would.
    engineers=("alice@acme.com", "Bob Chen", "dmitri@acme.com"),
)


def build_demo_workspace() -> JiraWorkspace:
    """A fresh sample site: PAY (board 7, sprints 41-44) and PLAT (board 9, sprints 61-62)."""
    ws = JiraWorkspace()
    add_people(ws)
    add_calendar(ws)
    pay = Script(ws, "PAY")
    for tell in (
        tell_backlog,
        tell_sprint41,
        tell_flagged,
        tell_discussed,
        tell_cosmetic_and_silent,
        tell_membership,
        tell_windows,
        tell_threads,
        tell_more,
        tell_sprint43,
    ):
        tell(pay)
    tell_platform(Script(ws, "PLAT"))
    return ws
