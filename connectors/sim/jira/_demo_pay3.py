"""Payments: the rest of sprint 42 (late criteria, numbered scenarios, non-matching
links, first-time AC, long threads, {noformat}), sprints 41, 43 and 44, and the backlog."""

from __future__ import annotations

from datetime import timedelta

from connectors.sim.jira._demo_base import Script, ac, t
from connectors.sim.jira._demo_pay import PLANNED


def tell_backlog(s: Script) -> None:
    s.story(
        12,
        "Spike: idempotency key storage",
        "* Compare Redis and Postgres for key storage",
        "02-05 10:00",
        assignee="dmitri",
        issuetype="Spike",
        labels=["spike"],
    )
    s.story(
        20,
        "Receipt font too small on mobile",
        "* The receipt is readable at 320px",
        "02-06 10:00",
        by="grace",
        issuetype="Bug",
    )


def _pay_125(s: Script) -> None:
    limits = ac("""
        * Each merchant has a daily refund limit
        * Refunds above the limit are rejected with a clear error
        """)
    s.story(125, "Refund limits per merchant", limits, "02-23 09:00", assignee="bob")
    s.plan(125, 42, PLANNED)
    s.work(125, "03-03 08:30")
    second = limits + "\n* Support can raise the limit for 24 hours"
    s.edit(125, second, "03-03 09:50", "priya")
    s.edit(
        125,
        second.replace("daily refund limit", "daily and monthly refund limit"),
        "03-12 14:00",
        "priya",
    )
    s.say(
        125,
        "alice",
        "03-12 15:00",
        "A monthly limit needs a new aggregate table, about a day of work.",
    )


def _pay_126(s: Script) -> None:
    sepa = ac("""
        # Given a customer with a German IBAN
        # When they sign the SEPA mandate online
        # Then the mandate reference is shown on the confirmation page
        """)
    s.story(126, "SEPA direct debit mandate", sepa, "02-23 10:00", by="marco", assignee="dmitri")
    s.plan(126, 42, PLANNED)
    s.work(126, "03-04 09:00", "03-11 09:00", "03-12 11:00")
    s.edit(
        126,
        sepa.replace(
            "shown on the confirmation page", "shown on the confirmation page and emailed"
        ),
        "03-05 16:00",
        "marco",
    )
    s.say(
        126,
        "bob",
        "03-06 10:00",
        "Emailing the mandate reuses the receipt mailer, no extra effort.",
    )


def _pay_127(s: Script) -> None:
    brand = ac("""
        * Receipt emails use the merchant's logo and colour
        * The footer shows the merchant's support address
        """)
    s.story(127, "Receipt email branding", brand, "02-23 11:00", assignee="alice")
    s.plan(127, 42, PLANNED)
    s.work(127, "03-05 11:00")
    s.ws.add_issue_link(s.key(127), s.key(20), "Relates", t("03-08 10:00"), "priya")
    s.edit(127, brand + "\n* The receipt font is at least 14px", "03-08 10:30", "priya")


def _pay_128(s: Script) -> None:
    s.story(128, "Payout CSV for accountants", None, "02-24 09:00", assignee="bob")
    s.plan(128, 42, PLANNED)
    s.work(128, "03-09 09:00")
    s.edit(
        128,
        ac("""
        * The CSV has one row per payout
        * Columns: date, amount, currency, fees, net
        """),
        "03-04 16:20",
        "priya",
    )  # the AC was empty when the sprint started


def _pay_129(s: Script) -> None:
    s.story(
        129,
        "Retry button on failed payments",
        "* A failed payment shows a Retry button",
        "02-24 10:00",
        assignee="dmitri",
    )
    s.plan(129, 42, PLANNED)
    s.work(129, "03-02 10:00", "03-05 10:00", "03-05 17:00")
    for n in range(45):
        s.say(
            129,
            ("grace", "dmitri", "priya")[n % 3],
            t("03-02 10:00") + timedelta(hours=4 * n),
            f"Retry button QA round {n + 1}.",
        )


def _pay_130(s: Script) -> None:
    search = ac("""
        h3. Refund search
        * Filter by status, amount range and date
        {noformat}
        GET /refunds?status=paid&min=10&max=100
        {noformat}
        """)
    s.story(
        130, "Admin: refund search filters", search, "02-24 11:00", by="marco", assignee="alice"
    )
    s.plan(130, 42, PLANNED)
    s.work(130, "03-09 10:00")
    s.say(
        130,
        "grace",
        "03-12 09:00",
        "Engineering impact: Alice says the merchant filter needs an index, +1d.",
    )
    s.edit(
        130,
        search.replace(
            "status, amount range and date", "status, amount range, date and merchant"
        ).replace("max=100", "max=100&merchant=m_42"),
        "03-13 10:00",
        "marco",
    )


def tell_more(s: Script) -> None:
    for story in (
        _pay_125,
        _pay_126,
        _pay_127,
        _pay_128,
        _pay_129,
        _pay_130,
    ):
        story(s)


def tell_sprint41(s: Script) -> None:
    for number, summary, who in (
        (81, "Weekly payout schedule", "alice"),
        (82, "Payout holiday calendar", "bob"),
        (83, "Payout email summary", "dmitri"),
        (84, "Payout API pagination", "alice"),
    ):
        s.story(
            number,
            summary,
            f"* {summary} works for every merchant\n* It is documented",
            "02-10 12:00",
            assignee=who,
        )
        s.plan(number, 41, "02-13 12:00")
        s.work(number, "02-17 10:00", "02-25 10:00", "02-26 10:00")
    s.edit(
        82,
        "* Payout holiday calendar works for every merchant\n* It is documented\n"
        "* Bank holidays of the merchant's country are skipped",
        "02-18 11:00",
        "priya",
    )
    s.say(83, "alice", "02-24 09:00", "#impact: weekly digests need a new job, +1d.")
    s.edit(
        83,
        "* Payout email summary works for every merchant\n* It is documented\n"
        "* Weekly digest option",
        "02-24 10:00",
        "marco",
    )


def tell_sprint43(s: Script) -> None:
    s.carry_over([124], 43, "03-16 15:40:12")  # unfinished when sprint 42 was completed
    s.edit(
        124,
        "* Merchants can receive payouts in EUR, GBP, USD, CHF and SEK\n"
        "* The payout currency is set per bank account",
        "03-18 10:00",
        "priya",
    )  # sprint 43's
    for number, summary in (
        (141, "Payout currency picker"),
        (142, "FX rate display"),
        (143, "Treasury FX feed"),
    ):
        s.story(
            number,
            summary,
            f"* {summary} is available to EU merchants",
            "03-12 09:00",
            assignee="bob",
        )
        s.plan(number, 43, "03-13 10:00")
    s.edit(
        141, "* Payout currency picker is available to EU and UK merchants", "03-18 11:00", "marco"
    )
    s.story(
        146,
        "Payout reconciliation report",
        "* Daily reconciliation per bank account",
        "03-12 10:00",
    )
    s.plan(146, 44, "03-13 11:00")
