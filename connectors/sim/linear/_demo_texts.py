"""Markdown descriptions of the demo workspace's issues, every version of each.

Kept apart from ``demo.py`` so the timeline there reads as a timeline. The AC sections use
the forms teams write: checkboxes, numbered lists, plain bullets and Given/When/Then.
"""

from __future__ import annotations


def doc(context: str, criteria: str, notes: str = "") -> str:
    text = f"## Context\n\n{context}\n\n## Acceptance Criteria\n\n{criteria}\n"
    return f"{text}\n## Notes\n\n{notes}\n" if notes else text


SAVED_CARDS_V1 = doc(
    "Returning customers re-enter their card on every purchase; 38% abandon at that step.",
    '- [ ] A customer can tick "Save this card" at checkout\n'
    "- [ ] Saved cards are offered first on the next checkout\n"
    "- [ ] Only the last four digits and the expiry are shown",
)
SAVED_CARDS_V2 = SAVED_CARDS_V1.replace(
    "are shown\n", "are shown\n- [ ] Saved cards can be deleted from the account page\n"
)

REFUNDS_V1 = doc(
    "Support issues refunds by hand in the PSP dashboard today.",
    "1. An agent can refund part of a captured payment\n"
    "2. Refunds are allowed up to the captured amount\n"
    "3. The customer gets a refund e-mail with the amount",
)
REFUNDS_V2 = REFUNDS_V1.replace(
    "up to the captured amount\n", "up to the captured amount minus processing fees\n"
)

INVOICE_V1 = doc(
    "Finance teams need invoices they can file without reformatting.",
    "- [ ] Each invoice can be downloaded as a PDF\n"
    "- [ ] The PDF shows the company's legal name and address\n"
    "- [ ] Downloads are logged in the audit trail",
)
INVOICE_V2 = INVOICE_V1.replace(
    "legal name and address\n",
    "legal name and address\n- [ ] The PDF includes the VAT breakdown per line\n",
)

SEARCH_V1 = doc(
    "Users filter transactions by date only.",
    "- Filter by status (paid, refunded, failed)\n"
    "- Filter by amount range\n"
    "- Filters combine with AND",
)
SEARCH_V2 = SEARCH_V1.replace(
    "Users filter transactions by date only.",
    "Users filter transactions by date only. Support gets ~40 tickets a week asking for more.",
)

NOTIFY_V1 = doc(
    "Users cannot opt out of marketing e-mail without contacting support.",
    "* A user can turn each notification type on or off\n"
    "* **Security** notifications cannot be turned off\n"
    "* Changes apply within one minute",
)
# What Linear's ProseMirror→markdown serialiser does when someone touches the document:
# bullets, emphasis markers and spacing change, the words do not.
NOTIFY_V2 = doc(
    "Users cannot opt out of marketing e-mail without contacting support.",
    "- A user can turn each notification type on or off\n"
    "- __Security__ notifications cannot be turned off\n"
    "- Changes apply within  one minute",
)

API_LIMITS_V1 = doc(
    "A single API key can currently starve the shared workers.",
    "- [ ] Each API key is limited to 100 requests per second\n"
    "- [ ] Over the limit, the API answers 429 with Retry-After\n"
    "- [ ] Limits are shown in the developer dashboard",
)
API_LIMITS_V2 = API_LIMITS_V1.replace(
    "developer dashboard\n", "developer dashboard\n- [ ] Limits are configurable per plan\n"
)

WEBHOOKS_V1 = doc(
    "Merchants miss events when their endpoint is briefly down.",
    "1. Failed deliveries are retried with exponential backoff\n"
    "2. Retries stop after 24 hours\n"
    "3. Merchants can see each delivery attempt",
)
WEBHOOKS_V2 = WEBHOOKS_V1.replace("Retries stop after 24 hours", "Retries stop after 72 hours")

BULK_V1 = doc(
    "Large merchants export transactions for reconciliation every month.",
    "- [ ] An admin can export transactions as CSV\n"
    "- [ ] Exports of up to 10,000 rows finish within a minute\n"
    "- [ ] The export is e-mailed as a link when ready",
)
BULK_V2 = BULK_V1.replace("up to 10,000 rows", "up to 100,000 rows")

AUDIT_V1 = doc(
    "Admins cannot tell who changed a payout setting.",
    "- [ ] Every admin action is recorded with who, what and when\n"
    "- [ ] Admins can filter the log by user and date",
)
AUDIT_V2 = AUDIT_V1.replace(
    "by user and date\n", "by user and date\n- [ ] The log can be exported as CSV\n"
)

INVITES_V1 = doc(
    "Team owners invite colleagues by sharing their own password (really).",
    "- [ ] An owner can invite a colleague by e-mail\n- [ ] The invitee picks a role on sign-up",
)
INVITES_V2 = INVITES_V1.replace(
    "role on sign-up\n", "role on sign-up\n- [ ] Invites expire after 7 days\n"
)
INVITES_V3 = INVITES_V2.replace("expire after 7 days", "expire after 72 hours")

SESSION_V1 = doc(
    "Sessions never expire, which fails the security review.",
    "- Idle sessions end after 30 minutes\n- A warning shows 2 minutes before the end",
)
SESSION_V2 = SESSION_V1.replace("after 30 minutes", "after 15 minutes")
SESSION_V3 = SESSION_V2.replace("2 minutes before", "1 minute before")

DARK_V1 = doc(
    "Night-shift support agents asked for a dark theme.",
    "- [ ] The dashboard follows the system colour scheme\n- [ ] Charts stay readable in dark mode",
)
DARK_V2 = DARK_V1.replace("readable in dark mode", "readable in dark mode (WCAG AA contrast)")

CSV_IMPORT = doc(
    "Merchants migrating from other PSPs bring customer lists as CSV.",
    "- [ ] Customers can be imported from a CSV file\n"
    "- [ ] Rows with errors are listed, not dropped",
)

RECOVERY_V1 = doc(
    "Users who lose their phone are locked out for good.",
    "Given a user has turned on 2FA\n"
    "When they open the security settings\n"
    "Then 10 recovery codes are shown once\n\n"
    "Given a user signs in with a recovery code\n"
    "When the code is valid\n"
    "Then the code cannot be used again",
)
RECOVERY_V2 = RECOVERY_V1.replace(
    "Then 10 recovery codes are shown once",
    "Then 8 recovery codes are shown once and can be downloaded",
)

DEEP_LINKS_V1 = doc(
    "Links in our e-mails open the mobile web page, not the app.",
    "- [ ] Links to receipts open the app when it is installed\n"
    "- [ ] Otherwise they open the web page",
)
DEEP_LINKS_V2 = DEEP_LINKS_V1.replace("open the web page", "open the app store page")

ONBOARDING = (
    "## Context\n\nMarketing rewrote the onboarding copy; it needs to land in the app.\n\n"
    "Copy deck: see the attached document.\n"
)

FLAKY_TEST = doc(
    "The payment webhook test fails about once a day on main.",
    "- [ ] The test passes 100 times in a row in CI",
)

SPIKE = (
    "## Goal\n\nFind out how many rows the export worker can stream per minute, and what "
    "100,000-row exports would need.\n\n## Findings\n\n(to be written)\n"
)
