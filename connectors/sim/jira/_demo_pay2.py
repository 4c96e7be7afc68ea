"""Payments sprint 42, the harder stories: membership changes, a burst of saves, windows,
a 130-history issue, a 130-comment thread and carry-overs."""

from __future__ import annotations

from datetime import timedelta

from connectors.sim.jira._demo_base import Script, ac, t
from connectors.sim.jira._demo_pay import PLANNED


def _pay_115(s: Script) -> None:
    pay = ac("""
        * Apple Pay is offered on Safari and iOS
        * The button follows Apple's guidelines
        """)
    s.story(115, "Apple Pay on checkout", pay, "03-05 15:00", assignee="dmitri", story_points=2)
    s.plan(115, 42, "03-06 09:00")  # joined after the start: its baseline is this moment
    s.work(115, "03-06 10:00", "03-12 10:00", "03-13 09:00")
    s.edit(
        115,
        pay + "\n* Apple Pay is hidden when the merchant's country is not supported",
        "03-09 14:10",
        "priya",
    )


def _pay_116(s: Script) -> None:
    legacy = ac("""
        * The v1 refund endpoint answers 410 after the cut-off date
        * Merchants still calling it get an email 30 days before
        """)
    s.story(116, "Legacy refund endpoint deprecation", legacy, "02-18 14:00", assignee="alice")
    s.plan(116, 42, PLANNED)
    s.work(116, "03-04 09:00")
    s.edit(116, legacy.replace("30 days", "60 days"), "03-05 10:30", "priya")
    s.status(116, "To Do", "03-10 15:55", "alice")
    s.plan(116, None, "03-10 16:00")  # back to the backlog mid-sprint
    s.edit(
        116, legacy.replace("30 days", "90 days"), "03-12 11:00", "priya"
    )  # not sprint 42's any more


def _pay_117(s: Script) -> None:
    icons = ac("""
        * Checkout shows the icons of the enabled payment methods
        * Icons are 24px high
        """)
    s.story(117, "Payment method icons", icons, "02-19 09:00", assignee="bob")
    s.plan(117, 42, PLANNED)
    s.work(117, "03-10 09:00", "03-12 11:00", "03-12 15:00")
    first = icons + "\n* Icons are grey"
    second = icons + "\n* Icons are greyed out when the method is unavailable"
    third = second + "\n* Hovering an icon shows the method's name"
    for text, stamp in (
        (first, "03-11 14:02:10"),
        (second, "03-11 14:04:45"),
        (third, "03-11 14:06:30"),
    ):
        s.edit(117, text, stamp, "priya")  # one editing session, three saves


def tell_membership(s: Script) -> None:
    for story in (
        _pay_115,
        _pay_116,
        _pay_117,
    ):
        story(s)


def _pay_118(s: Script) -> None:
    reasons = ac("""
        * Every refund needs a reason code
        * Codes: duplicate, fraudulent, requested by customer
        """)
    s.story(118, "Refund reason codes", reasons, "02-19 10:00", by="marco", assignee="dmitri")
    s.plan(118, 42, PLANNED)
    s.work(118, "03-05 09:00", "03-11 10:00", "03-11 16:00")
    s.edit(
        118,
        reasons.replace("requested by customer", "requested by customer, goodwill"),
        "03-09 09:45",
        "marco",
    )
    s.say(118, "marco", "03-09 09:50", "Updated the AC after the call with Finance.")


def _pay_119(s: Script) -> None:
    alerts = ac("""
        * On-call is paged when more than 5% of payouts fail in 10 minutes
        * The page links to the payout dashboard
        """)
    s.story(119, "Payout failure alerts", alerts, "02-19 11:00", assignee="alice")
    s.plan(119, 42, PLANNED)
    s.say(119, "alice", "03-02 10:30", "Alert thresholds look fine to me.")
    s.work(119, "03-03 09:00", "03-11 09:00", "03-13 10:00")
    s.edit(
        119,
        alerts.replace("5% of payouts fail in 10 minutes", "2% of payouts fail in 5 minutes"),
        "03-09 15:00",
        "priya",
    )
    s.say(119, "alice", "03-12 16:30", "Deployed the new thresholds.")  # after the 2-day window


def _pay_120(s: Script) -> None:
    fraud = ac("""
        h3. Fraud score
        * Payments scoring above 80 are held for review
        * Held payments are released or refunded within 24 hours
        """)
    s.story(120, "Fraud score threshold tuning", fraud, "02-19 14:00", assignee="dmitri")
    s.plan(120, 42, PLANNED)
    s.edit(120, fraud.replace("above 80", "above 70"), "03-03 10:00", "priya")
    s.work(120, "03-03 11:00")
    # A busy issue: 130 automation saves push the AC change out of every inlined changelog.
    at = t("03-03 12:00")
    for n in range(130):
        s.ws.set_field(
            s.key(120),
            "rank" if n % 2 else "labels",
            "x" if n % 2 else ["fraud", f"batch-{n}"],
            None,
            at + timedelta(hours=2 * n),
        )


def tell_windows(s: Script) -> None:
    for story in (
        _pay_118,
        _pay_119,
        _pay_120,
    ):
        story(s)


def _pay_122(s: Script) -> None:
    audit = ac("""
        * Every refund writes an audit entry with amount and reason
        * Audit entries cannot be edited
        """)
    s.story(122, "Refund audit log", audit, "02-20 10:00", assignee="alice")
    s.plan(122, 42, PLANNED)
    s.work(122, "03-02 15:00")
    voices = ("priya", "grace", "marco", "alice", "automation", "bob", "dmitri")
    start = t("02-20 11:00")
    for n in range(110):  # a long, old thread: all of it before the change's window
        s.say(
            122,
            voices[n % len(voices)],
            start + timedelta(hours=3 * n),
            f"Audit log thread, note {n + 1}.",
        )
    for n, who in enumerate(("grace", "priya", "automation", "grace")):
        s.say(122, who, f"03-1{n % 3} 09:0{n}", f"Status check {n + 1}: still in progress.")
    s.edit(122, audit + "\n* The audit entry records who issued the refund", "03-12 10:00", "priya")
    s.say(122, "bob", "03-12 11:30", "Adding the actor to the audit entry is fine, +0.5d.")
    for n in range(15):
        s.say(
            122,
            voices[n % len(voices)],
            t("03-14 12:00") + timedelta(hours=n),
            f"Wrap-up note {n + 1}.",
        )


def _pay_123(s: Script) -> None:
    capture = ac("""
        * A payment can be captured in several parts
        * The sum of the captures never exceeds the authorised amount
        """)
    s.story(
        123,
        "Partial capture for split shipments",
        capture,
        "02-13 12:00",
        by="marco",
        assignee="dmitri",
    )
    s.plan(123, 41, "02-13 12:30", "marco")
    s.work(123, "02-17 09:00")
    s.edit(123, capture + "\n* Each capture sends its own receipt", "02-20 10:00", "marco")
    s.say(123, "dmitri", "02-20 11:00", "One receipt per capture is a small change in the mailer.")
    s.carry_over([123], 42, "03-02 08:41:55")
    s.edit(
        123,
        capture
        + "\n* Each capture sends its own receipt\n* Captures older than 7 days are rejected",
        "03-06 11:00",
        "priya",
    )
    s.say(123, "dmitri", "03-06 13:30", "Fine, the age check is on the same code path.")


def _pay_124(s: Script) -> None:
    fx = ac("""
        * Merchants can receive payouts in EUR, GBP and USD
        * The payout currency is set per bank account
        """)
    s.story(124, "Multi-currency payouts", fx, "02-20 14:00", by="marco", assignee="alice")
    s.plan(124, 42, PLANNED)
    s.work(124, "03-05 09:00")
    s.say(124, "dmitri", "03-09 17:00", "Multi-currency needs FX rates from treasury: +3 days.")
    s.edit(124, fx.replace("EUR, GBP and USD", "EUR, GBP, USD and CHF"), "03-10 10:00", "marco")


def tell_threads(s: Script) -> None:
    for story in (
        _pay_122,
        _pay_123,
        _pay_124,
    ):
        story(s)
