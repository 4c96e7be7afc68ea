"""The demo Linear workspace: team ENG, cycle ENG-12 (2–16 March 2026) and its story.

Linear keeps no old description text, so the demo can only be *experienced through polls*:
the workspace is a timeline and the simulator serves it as of ``ws.now``. ``tracker demo``
should drive it like a nightly cron job would::

    ws = build_demo_linear_workspace()
    with LinearSimulator(ws, api_key=LINEAR_DEMO.api_key) as sim:
        for moment in LINEAR_DEMO.poll_times:         # == demo_poll_times()
            tracker.clock.set_clock(lambda: moment)   # sync's run time
            ws.advance_to(moment)                     # what the simulated Linear shows
            sync(source configured with url=sim.url, teams=["ENG"])
        report(sprint="ENG-12")

The first poll is five minutes after ENG-12 started (the baseline); then one poll every night
at 23:00 UTC until the day after the cycle closed. Two AC edits of one issue that must show
as two changes are on different days; saves within a few minutes are one change.

The verdict each AC change in ENG-12 is designed to get is the tests' answer key
(``tests/demo_answers.py``), not part of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.sim.linear import _demo_texts as txt
from connectors.sim.linear.workspace import LinearWorkspace


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


CYCLE_START = at(3, 2)
CYCLE_END = at(3, 16)


def demo_poll_times() -> list[datetime]:
    """The moments to sync at: the cycle start (+5 min), then nightly until it has closed."""
    nights = [at(3, day, 23) for day in range(2, 18)]
    return [CYCLE_START + timedelta(minutes=5), *nights]


@dataclass(frozen=True)
class LinearDemo:
    """What a demo driver or a test needs to know about the demo workspace."""

    api_key: str = "lin_api_demo0000000000000000000000000000000000"
    team_key: str = "ENG"
    team_name: str = "Engineering"
    cycle_keys: tuple[str, ...] = ("ENG-11", "ENG-12", "ENG-13")
    demo_cycle_key: str = "ENG-12"
    engineers: tuple[str, ...] = ("alice@acme.com", "bob@acme.com")
    pm: str = "priya@acme.com"
    started_at: datetime = CYCLE_START
    ended_at: datetime = CYCLE_END
    poll_times: tuple[datetime, ...] = tuple(demo_poll_times())


LINEAR_DEMO = LinearDemo()


def build_demo_linear_workspace() -> LinearWorkspace:
    """The demo workspace, deterministic (same ids every time), ``now`` at the last poll."""
    ws = LinearWorkspace(url_key="acme", now=demo_poll_times()[-1])
    priya = ws.add_user("Priya Nair", "priya", "priya@acme.com")
    alice = ws.add_user("Alice Moreau", "alice", "alice@acme.com")
    bob = ws.add_user("Bob Chen", "bob", "bob@acme.com")
    dana = ws.add_user("Dana Kim", "dana", "dana@acme.com")
    github = ws.add_bot("GitHub", "github")
    ws.viewer = priya
    eng = ws.add_team("ENG", "Engineering")
    ws.add_cycle(eng, 11, at(2, 16), at(3, 2), completed_at=at(3, 2))
    ws.add_cycle(eng, 12, CYCLE_START, CYCLE_END, completed_at=CYCLE_END)
    ws.add_cycle(eng, 13, CYCLE_END, at(3, 30))

    def issue(
        number: int,
        title: str,
        text: str | None,
        created: datetime,
        cycle: str | None,
        labels: tuple[str, ...] = (),
    ) -> str:
        target = ws.cycle(cycle) if cycle else None
        ws.add_issue(
            eng, number, title, text, creator=priya, at=created, cycle=target, labels=labels
        )
        return f"ENG-{number}"

    # Planned into ENG-12 before it started (created in it, or moved in at planning).
    issue(101, "Save cards at checkout", txt.SAVED_CARDS_V1, at(2, 20), "ENG-12", ("payments",))
    issue(102, "Partial refunds", txt.REFUNDS_V1, at(2, 20, 10), "ENG-12", ("payments",))
    issue(103, "Invoice PDF export", txt.INVOICE_V1, at(2, 21), None, ("billing",))
    ws.move_to_cycle("ENG-103", "ENG-12", priya, at(2, 27, 15))
    issue(104, "More search filters", txt.SEARCH_V1, at(2, 21, 11), "ENG-12")
    issue(105, "Notification preferences", txt.NOTIFY_V1, at(2, 22), "ENG-12")
    issue(106, "Rate limits per API key", txt.API_LIMITS_V1, at(2, 20, 12), None, ("api",))
    issue(107, "Webhook retries", txt.WEBHOOKS_V1, at(2, 10), "ENG-11", ("api",))
    issue(108, "Bulk export of transactions", txt.BULK_V1, at(2, 23), "ENG-12", ("reporting",))
    issue(109, "Audit log for admin actions", txt.AUDIT_V1, at(2, 23, 10), "ENG-12")
    issue(110, "Team invites", txt.INVITES_V1, at(2, 24), "ENG-12")
    issue(111, "Session timeout", txt.SESSION_V1, at(2, 24, 10), "ENG-12", ("security",))
    issue(112, "Dark mode for the dashboard", txt.DARK_V1, at(2, 25), "ENG-12")
    issue(113, "CSV import of customers", txt.CSV_IMPORT, at(2, 25, 10), "ENG-12")
    issue(114, "2FA recovery codes", txt.RECOVERY_V1, at(2, 26), "ENG-12", ("security",))
    issue(115, "Mobile deep links", txt.DEEP_LINKS_V1, at(2, 26, 10), "ENG-12")
    issue(116, "Update onboarding copy", txt.ONBOARDING, at(2, 26, 11), "ENG-12")
    issue(117, "Fix flaky payment webhook test", txt.FLAKY_TEST, at(2, 25, 12), None)
    issue(120, "Spike: bulk export throughput", txt.SPIKE, at(3, 4, 9), None, ("spike",))

    ws.add_relation("ENG-101", "ENG-116", "blocks", at(2, 26, 12), priya)
    # Estimated at planning; ENG-102 is re-estimated after its AC change, ENG-101 is not.
    ws.set_estimate("ENG-101", 3, bob, at(2, 27, 11))
    ws.set_estimate("ENG-102", 2, alice, at(2, 27, 11, 5))
    ws.edit_description("ENG-112", txt.DARK_V2, priya, at(2, 27, 16))
    # Linear's roll-over at ENG-11's close: no actor, no bot.
    ws.move_to_cycle("ENG-107", "ENG-12", None, CYCLE_START)
    _cycle_story(ws, priya, alice, bob, dana, github)
    # Roll-over of unfinished work at ENG-12's close, then one edit after it.
    ws.move_to_cycle("ENG-115", "ENG-13", None, CYCLE_END)
    ws.edit_description("ENG-115", txt.DEEP_LINKS_V2, priya, at(3, 17, 10))
    return ws


def _cycle_story(
    ws: LinearWorkspace, priya: Any, alice: Any, bob: Any, dana: Any, github: Any
) -> None:
    ws.edit_description("ENG-110", txt.INVITES_V2, priya, at(3, 3, 13))
    ws.edit_description("ENG-101", txt.SAVED_CARDS_V2, priya, at(3, 4, 10, 12))
    ws.edit_description("ENG-104", txt.SEARCH_V2, priya, at(3, 4, 9))
    ws.move_to_cycle("ENG-106", "ENG-12", bob, at(3, 4, 11))
    ws.add_comment(
        "ENG-102", "Alice, Bob: heads-up, finance wants fees kept on refunds.", priya, at(3, 5, 13)
    )
    ws.edit_description("ENG-102", txt.REFUNDS_V2, priya, at(3, 5, 14))
    ws.set_estimate("ENG-102", 5, alice, at(3, 5, 16))
    alice_comment = ws.add_comment(
        "ENG-102",
        "This changes the ledger write path: fees are booked separately, so +2 days.",
        alice,
        at(3, 5, 15, 30),
    )
    ws.add_comment(
        "ENG-102", "OK, let's take the two days.", priya, at(3, 5, 16), parent_id=alice_comment
    )
    ws.add_comment(
        "ENG-114", "Recovery codes must be hashed at rest, like passwords.", alice, at(3, 5, 10)
    )
    ws.add_relation("ENG-120", "ENG-108", "related", at(3, 5, 10), bob)
    ws.move_to_cycle("ENG-117", "ENG-12", github, at(3, 5, 8))
    ws.edit_description("ENG-107", txt.WEBHOOKS_V2, alice, at(3, 6, 11))
    ws.edit_description("ENG-108", txt.BULK_V2, priya, at(3, 6, 15))
    ws.edit_description("ENG-105", txt.NOTIFY_V2, priya, at(3, 6, 16))
    ws.add_attachment(
        "ENG-103",
        "https://acme.slack.com/archives/C0BILLING/p1773046800000100",
        "Thread in #eng-billing",
        at(3, 9, 10),
        creator=priya,
        source_type="slack",
        subtitle="Bob: VAT lines need a new column in the ledger export",
    )
    ws.edit_description("ENG-103", txt.INVOICE_V2, priya, at(3, 9, 11))
    ws.edit_description("ENG-111", txt.SESSION_V2, priya, at(3, 9, 14))
    ws.edit_description("ENG-111", txt.SESSION_V3, priya, at(3, 9, 14, 2))
    ws.edit_description(
        "ENG-111", txt.SESSION_V3.replace("15 minutes", "15 minutes "), priya, at(3, 9, 14, 6)
    )
    ws.add_comment("ENG-111", "Updated the timeout per legal's request.", priya, at(3, 9, 14, 10))
    ws.add_comment(
        "ENG-109",
        "Notes from the call with the team: "
        "https://acme.slack.com/archives/C0ENG/p1773136800000200 "
        "(we agreed the export is cheap).",
        priya,
        at(3, 10, 9, 30),
    )
    ws.edit_description("ENG-109", txt.AUDIT_V2, priya, at(3, 10, 10))
    ws.add_comment(
        "ENG-106",
        "#impact: per-plan limits need a plan lookup on every request; fine if we cache it.",
        bob,
        at(3, 10, 16),
    )
    ws.edit_description("ENG-106", txt.API_LIMITS_V2, priya, at(3, 11, 10))
    ws.edit_description("ENG-114", txt.RECOVERY_V2, priya, at(3, 11, 9))
    ws.add_comment(
        "ENG-110", "Checked with eng: engineering impact is small. #impact", dana, at(3, 12, 9)
    )
    ws.edit_description("ENG-110", txt.INVITES_V3, priya, at(3, 12, 10))
    ws.set_state("ENG-113", "Done", at(3, 12, 12))
