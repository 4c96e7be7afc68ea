"""Payments Sprint 42: one story per verdict the tracker must reach (see ``tests/demo_answers.py``).

Sprint 42 was planned on Friday 27 February, started Monday 2 March 09:12 UTC (planned
09:00) and completed Monday 16 March 15:40 UTC. Each function tells one issue's story in
time order; the AC lives in the "Acceptance Criteria" custom field as wiki markup.
"""

from __future__ import annotations

from connectors.sim.jira._demo_base import Script, ac, t

PLANNED = "02-27 10:30"

REFUND = ac("""
    h3. Refund rules
    * A refund goes back to the original payment method
    * Partial refunds are allowed up to the captured amount
    * The customer gets an email receipt within 5 minutes
    """)


def _pay_101(s: Script) -> None:
    s.story(101, "Refund to the original payment method", REFUND, "02-10 09:00", assignee="alice")
    s.plan(101, 42, PLANNED)
    s.work(101, "03-02 11:00")
    s.edit(
        101,
        REFUND.replace("captured amount", "captured amount minus processing fees")
        + "\n* Refunds over 500 EUR need a second approver",
        "03-04 10:15",
        "priya",
    )
    s.say(
        101,
        "priya",
        "03-04 10:18",
        "Minor tweak to the AC - should be simple, no need to re-estimate.",
    )
    s.status(101, "Done", "03-13 16:00")


def _pay_102(s: Script) -> None:
    settle = ac("""
        h3. Settlement report export
        # Finance can download the settlement report as CSV
        # One row per payout, with the payout id and amount
        """)
    # 3 points, and the scope grows on 03-05 with no re-estimate.
    s.story(
        102, "Settlement report CSV export", settle, "02-11 10:00", assignee="bob", story_points=3
    )
    s.plan(102, 42, PLANNED)
    s.work(102, "03-03 09:30", "03-10 15:00", "03-11 10:00")
    s.edit(
        102,
        settle
        + "\n# Include the settlement currency column\n# The export runs nightly at 02:00 UTC",
        "03-05 14:30",
        "priya",
    )


def _pay_103(s: Script) -> None:
    declines = ac("""
        * A declined card shows the issuer's reason in plain language
        * Insufficient funds suggests another payment method
        * Suspected fraud shows a generic message only
        * The decline code is logged for support
        """)
    s.story(
        103, "Card decline error messages", declines, "02-12 11:00", by="marco", assignee="dmitri"
    )
    s.plan(103, 42, PLANNED)
    s.work(103, "03-04 10:00", "03-11 12:00", "03-12 09:00")
    s.edit(
        103,
        declines.replace("\n* The decline code is logged for support", ""),
        "03-09 11:00",
        "marco",
    )
    s.say(103, "grace", "03-09 15:20", "I'll update the test cases for the decline messages.")


def tell_flagged(s: Script) -> None:
    for story in (
        _pay_101,
        _pay_102,
        _pay_103,
    ):
        story(s)


def _pay_104(s: Script) -> None:
    webhooks = ac("""
        h3. Payout webhooks
        * A failed payout webhook is retried 5 times
        * Retries back off exponentially starting at 1 minute
        """)
    s.story(104, "Webhook retries for failed payouts", webhooks, "02-12 14:00", assignee="alice")
    s.plan(104, 42, PLANNED)
    s.work(104, "03-02 13:00", "03-09 10:00", "03-10 11:00")
    s.say(
        104,
        "alice",
        "03-03 11:05",
        "If retries go to 8 we need a schema change for the attempt counter, about 2 extra days.",
    )
    s.edit(
        104,
        webhooks.replace("5 times", "8 times")
        + "\n* After the last retry the merchant gets an email",
        "03-03 14:00",
        "priya",
    )


def _pay_105(s: Script) -> None:
    tds = ac("""
        Given a card that requires 3-D Secure
        When the customer pays
        Then the issuer's challenge is shown in a modal
        """)
    s.story(105, "3-D Secure challenge flow", tds, "02-13 09:00", by="marco", assignee="bob")
    s.plan(105, 42, PLANNED)
    s.work(105, "03-03 10:00", "03-12 14:00", "03-13 11:00")
    s.edit(
        105,
        tds + "\n\nGiven the challenge times out after 5 minutes\nWhen the customer returns\n"
        "Then the payment is marked as abandoned",
        "03-06 16:45",
        "marco",
    )
    s.say(
        105,
        "priya",
        "03-07 09:10",
        "#impact reviewed with Bob in stand-up: +1 day, still fits the sprint.",
    )


def _pay_106(s: Script) -> None:
    idem = ac("""
        * Refund requests carry an idempotency key
        * A repeated key returns the first response
        """)
    s.story(106, "Idempotency keys on the refund API", idem, "02-13 10:00", assignee="dmitri")
    s.plan(106, 42, PLANNED)
    s.work(106, "03-02 10:00")
    s.ws.add_issue_link(s.key(106), s.key(12), "Relates", t("03-09 10:00"), "priya")
    s.edit(106, idem + "\n* Keys expire after 24 hours", "03-10 09:30", "priya")


def _pay_107(s: Script) -> None:
    charge = ac("""
        h3. Chargeback notifications
        * Merchants are emailed when a chargeback is opened
        * The email links to the dispute page
        """)
    s.story(
        107, "Chargeback notifications", charge, "02-13 15:00", assignee="alice", story_points=3
    )
    s.plan(107, 42, PLANNED)
    s.work(107, "03-03 09:00", "03-09 16:00", "03-10 09:00")
    s.edit(
        107,
        charge + "\n* Merchants can opt in to a webhook instead of the email",
        "03-04 15:00",
        "priya",
    )
    s.ws.add_remote_link(
        s.key(107),
        "https://acme.atlassian.net/wiki/spaces/PAY/pages/4411/Chargeback+notifications",
        "Chargeback notifications: engineering impact",
        "confluence",
        t("03-05 10:20"),
        "alice",
    )
    # Alice re-estimates the day after the webhook option was added.
    s.ws.set_field(s.key(107), "story_points", 5, "alice", s.when(107, "03-05 10:25"))


def _pay_108(s: Script) -> None:
    sched = ac("""
        * Merchants choose daily, weekly or monthly payouts
        * Changes apply from the next payout
        """)
    s.story(108, "Payout schedule settings", sched, "02-16 10:00", assignee="bob")
    s.plan(108, 42, PLANNED)
    s.work(108, "03-04 09:00")
    s.edit(
        108,
        sched.replace("daily, weekly or monthly", "daily, weekly, bi-weekly or monthly"),
        "03-11 13:00",
        "priya",
    )
    s.ws.add_remote_link(
        s.key(108),
        "https://acme.slack.com/archives/C04PAYENG/p1773234300123456",
        "Slack thread: bi-weekly payouts",
        "slack",
        t("03-11 13:05"),
        "priya",
    )


def _pay_109(s: Script) -> None:
    rounding = ac("""
        h3. Rounding
        * Invoice totals are rounded to 2 decimals
        * Line items are rounded before the total is computed
        """)
    s.story(109, "Currency rounding in invoices", rounding, "02-16 11:00", assignee="bob")
    s.plan(109, 42, PLANNED)
    s.work(109, "03-03 14:00", "03-06 10:00", "03-06 15:00")
    s.edit(
        109,
        rounding.replace(
            "rounded to 2 decimals", "rounded half-even to 2 decimals (banker's rounding)"
        ),
        "03-05 11:20",
        "bob",
    )


def tell_discussed(s: Script) -> None:
    for story in (
        _pay_104,
        _pay_105,
        _pay_106,
        _pay_107,
        _pay_108,
        _pay_109,
    ):
        story(s)


def _pay_110(s: Script) -> None:
    cards = ac("""
        * Saved cards are listed newest first
        * Each card shows brand, last four digits and expiry
        * An expired card is greyed out
        """)
    s.story(110, "Saved cards list", cards, "02-17 09:00", assignee="dmitri")
    s.plan(110, 42, PLANNED)
    s.work(110, "03-05 09:00", "03-09 09:00", "03-09 17:00")
    s.edit(110, cards.replace("newest first", "newest first  ") + "\n\n", "03-06 09:40", "priya")


def _pay_111(s: Script) -> None:
    receipt = ac("""
        h3. Receipt PDF
        * The logo sits top left
        * Amounts are right aligned
        {noformat}
        Total: 1,234.50 EUR
        {noformat}
        """).replace("top left", "top left ")  # a trailing space, as editors leave them
    s.story(111, "Receipt PDF layout", receipt, "02-17 10:00", assignee="alice")
    s.plan(111, 42, PLANNED)
    s.work(111, "03-04 11:00", "03-06 11:00", "03-09 10:00")
    # An automation rule re-saves the field: CRLF line endings, trailing blank trimmed.
    s.edit(111, receipt.replace(" \n", "\n").replace("\n", "\r\n"), "03-08 02:00", None)


def _pay_112(s: Script) -> None:
    status = ac("""
        * The customer can see the refund status without logging in
        * They recieve an email when the refund is paid out
        """)
    s.story(112, "Refund status page", status, "02-17 11:00", by="marco", assignee="dmitri")
    s.plan(112, 42, PLANNED)
    s.work(112, "03-02 14:00", "03-10 12:00", "03-11 09:30")
    s.edit(112, status.replace("recieve", "receive"), "03-10 17:05", "marco")


def _pay_113(s: Script) -> None:
    onboarding = ac("""
        * The checklist shows KYC, bank account and tax details
        * Completed steps are ticked
        """)
    s.story(113, "Merchant onboarding checklist", onboarding, "02-18 09:00", assignee="alice")
    s.plan(113, 42, PLANNED)
    s.work(113, "03-05 10:00")
    s.ws.edit_field(
        s.key(113),
        "description",
        "As a merchant I want a merchant onboarding checklist.\n\n"
        "Background: support gets 40 tickets a week about missing onboarding steps.",
        "priya",
        t("03-05 12:00"),
    )


def _pay_114(s: Script) -> None:
    evidence = ac("""
        * Merchants can upload PDF, PNG or JPG evidence up to 10 MB
        * The upload is attached to the dispute
        """)
    s.story(
        114, "Dispute evidence upload", evidence, "02-18 10:00", assignee="bob", story_points=3.0
    )
    s.plan(114, 42, PLANNED)
    s.work(114, "03-03 11:00")
    s.ws.set_field(s.key(114), "story_points", 5.0, "bob", t("03-04 09:15"))
    s.ws.set_field(s.key(114), "priority", "High", "priya", t("03-06 10:00"))
    s.ws.set_field(
        s.key(114), "summary", "Dispute evidence upload (PDF and images)", "priya", t("03-06 10:01")
    )


def _pay_121(s: Script) -> None:
    numbering = ac("""
        * Invoice numbers are sequential per merchant
        * Numbers never repeat
        """)
    s.story(121, "Invoice numbering", numbering, "02-20 09:00", assignee="bob")
    s.plan(121, 42, PLANNED)
    s.edit(121, numbering + "\n* A prefix can be configured per merchant", "02-27 16:00", "priya")
    s.work(121, "03-09 09:00", "03-12 10:00", "03-12 16:00")


def tell_cosmetic_and_silent(s: Script) -> None:
    for story in (
        _pay_110,
        _pay_111,
        _pay_112,
        _pay_113,
        _pay_114,
        _pay_121,
    ):
        story(s)
