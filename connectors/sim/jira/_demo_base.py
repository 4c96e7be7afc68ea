"""The sample site's cast and calendar, and a small script API to tell each story.

Everything is fixed in 2026 and UTC; the simulator renders it in the requesting user's
zone. Issues are created, planned, edited and discussed through the workspace's
mutation API, so the changelog is exactly what Jira would have written.
"""

from __future__ import annotations

import textwrap
import uuid
import zlib
from datetime import UTC, datetime, timedelta

from connectors.sim.jira.model import Board, JiraWorkspace, Sprint, User

_NS = uuid.UUID("6f1d0c52-8c1e-4f55-9a3b-7b0f3f0f2e11")

# (username, display name, email, role, Cloud email visible)
PEOPLE: tuple[tuple[str, str, str, str, bool], ...] = (
    ("priya", "Priya Nair", "priya@acme.com", "pm", True),
    ("marco", "Marco Rossi", "marco@acme.com", "pm", True),
    ("alice", "Alice Moreau", "alice@acme.com", "engineer", True),
    ("bob", "Bob Chen", "bob@acme.com", "engineer", False),  # hidden on Cloud: match by name
    ("dmitri", "Dmitri Volkov", "dmitri@acme.com", "engineer", True),
    ("grace", "Grace Okafor", "grace@acme.com", "qa", True),
    ("automation", "Automation for Jira", "automation@acme.com", "bot", False),
    ("demo", "Tracker Demo", "demo@example.com", "api", True),
)
TIME_ZONES = {
    "priya": "Europe/London",
    "marco": "Europe/Rome",
    "alice": "Europe/Paris",
    "bob": "America/Toronto",
    "dmitri": "Europe/Berlin",
    "grace": "Africa/Lagos",
}


def t(stamp: str | datetime) -> datetime:
    """``"03-04 10:15"`` or ``"2026-02-27 16:00:05"`` -> aware UTC datetime (year 2026)."""
    if isinstance(stamp, datetime):
        return stamp
    text = stamp if stamp.startswith("20") else f"2026-{stamp}"
    fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.strptime(text, fmt).replace(tzinfo=UTC)


def ac(text: str) -> str:
    """Wiki-markup AC from an indented triple-quoted block."""
    return textwrap.dedent(text).strip("\n")


def add_people(ws: JiraWorkspace) -> None:
    for number, (username, name, email, role, visible) in enumerate(PEOPLE):
        account = str(uuid.uuid5(_NS, email))
        account_id = f"557058:{account}" if role == "bot" else f"712020:{account}"
        ws.add_user(
            User(
                account_id=account_id,
                username=username,
                user_key=f"JIRAUSER{10100 + number}",
                display_name=name,
                email=email,
                time_zone=TIME_ZONES.get(username, "Europe/London"),
                account_type="app" if role == "bot" else "atlassian",
                email_visible=visible,
            )
        )


def _sprints() -> tuple[Sprint, ...]:
    goal42 = "Refunds to the original payment method; settlement reports"
    return (
        Sprint(41, "Payments Sprint 41", 7, "closed", t("02-16 09:00"), t("03-02 09:00"),
               t("02-16 09:07:12"), t("03-02 08:41:55"), t("02-12 15:00"), "Payout schedules"),
        # The demo sprint: planned start 09:00, actually started twelve minutes later.
        Sprint(42, "Payments Sprint 42", 7, "closed", t("03-02 09:00"), t("03-16 09:00"),
               t("03-02 09:12:37") + timedelta(milliseconds=412), t("03-16 15:40:12"),
               t("02-20 10:00"), goal42),
        Sprint(43, "Payments Sprint 43", 7, "active", t("03-16 16:00"), t("03-30 16:00"),
               t("03-16 16:04:51"), None, t("03-05 11:00"), "Multi-currency payouts"),
        Sprint(44, "Payments Sprint 44", 7, "future", None, None, None, None, t("03-12 09:00")),
        # Sprint names may contain "," and "=": never split the Sprint field on names.
        Sprint(61, "PLAT 61 - Hardening, part 1", 9, "closed", t("03-02 08:00"), t("03-13 17:00"),
               t("03-02 08:03:20"), t("03-13 16:55:02"), t("02-25 09:00"), "Rate limiting"),
        Sprint(62, "PLAT 62 - Hardening, part 2", 9, "active", t("03-16 08:00"), t("03-27 17:00"),
               t("03-16 08:02:45"), None, t("03-12 09:00"), ""),
    )  # fmt: skip


def add_calendar(ws: JiraWorkspace) -> None:
    ws.add_project("PAY", "Payments", 10000)
    ws.add_project("PLAT", "Platform", 10200)
    ws.add_board(Board(7, "Payments", "PAY"))
    ws.add_board(Board(9, "Platform", "PLAT"))
    for sprint in _sprints():
        ws.add_sprint(sprint)


class Script:
    """Terse story-telling over the workspace's mutation API."""

    def __init__(self, ws: JiraWorkspace, project: str = "PAY") -> None:
        self.ws = ws
        self.project = project

    def key(self, number: int) -> str:
        return f"{self.project}-{number}"

    def when(self, number: int, stamp: str | datetime) -> datetime:
        """``t(stamp)`` plus a fixed, made-up millisecond part: real Jira times have one."""
        at = t(stamp)
        if at.microsecond:
            return at
        salt = zlib.crc32(f"{self.key(number)} {at.isoformat()}".encode())
        return at + timedelta(milliseconds=salt % 1000)

    def story(
        self,
        number: int,
        summary: str,
        text: str | None,
        created: str,
        *,
        by: str = "priya",
        assignee: str | None = None,
        **values: object,
    ) -> str:
        field = "description" if self.project == "PLAT" else "ac"
        values.setdefault(field, text)
        if field == "ac":
            values.setdefault(
                "description", f"As a merchant I want {summary[0].lower()}{summary[1:]}."
            )
        issue = self.ws.create_issue(
            self.project, summary, t(created), by, number=number, assignee=assignee, **values
        )
        return issue.key

    def plan(
        self, number: int, sprint: int | None, at: str | datetime, by: str | None = "priya"
    ) -> None:
        self.ws.move_to_sprint(self.key(number), sprint, self.when(number, at), by)

    def edit(self, number: int, text: str | None, at: str | datetime, by: str | None) -> None:
        field = "description" if self.project == "PLAT" else "ac"
        self.ws.edit_field(self.key(number), field, text, by, self.when(number, at))

    def say(self, number: int, by: str, at: str | datetime, body: str) -> None:
        self.ws.add_comment(self.key(number), by, body, self.when(number, at))

    def status(self, number: int, status: str, at: str | datetime, by: str | None = None) -> None:
        issue = self.ws.issues[self.key(number)]
        who = by or (issue.values.get("assignee") or "priya")
        self.ws.set_field(self.key(number), "status", status, who, self.when(number, at))

    def work(
        self, number: int, start: str | datetime, review: str | None = None, done: str | None = None
    ) -> None:
        """The usual walk across the board, by the assignee."""
        self.status(number, "In Progress", start)
        if review:
            self.status(number, "In Review", review)
        if done:
            self.status(number, "Done", done)

    def carry_over(
        self, numbers: list[int], to_sprint: int, at: str | datetime, by: str = "priya"
    ) -> None:
        """Completing a sprint moves its unfinished issues on: "42" -> "42, 43"."""
        for number in numbers:
            self.plan(number, to_sprint, at, by)
