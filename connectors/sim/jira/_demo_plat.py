"""Platform (board 9): a team that keeps its AC in the description, under an
"h3. Acceptance Criteria" heading (``ac_field = "description"``). Sprint 61 ran from
2 March 08:03 to 13 March 16:55 UTC; its name contains a comma on purpose."""

from __future__ import annotations

from connectors.sim.jira._demo_base import Script, ac, t

PLANNED = "02-27 15:00"


def _doc(background: str, criteria: str, notes: str = "") -> str:
    parts = [f"h3. Background\n{background}", f"h3. Acceptance Criteria\n{ac(criteria)}"]
    if notes:
        parts.append(f"h3. Notes\n{notes}")
    return "\n\n".join(parts)


RATE = ac("""
    * Each API key is limited to 100 requests per second
    * Requests over the limit get HTTP 429 with Retry-After
    """)
AUDIT = ac("""
    * Every admin action is logged with actor and time
    * Logs are kept for 1 year
    """)
HEALTH = ac("""
    * GET /health answers 200 when the database is reachable
    * The check takes less than 50 ms
    """)
TLS = ac("""
    * Only TLS 1.2 and 1.3 are accepted
    * Weak cipher suites are disabled
    """)


def _plat_201(s: Script) -> None:
    s.story(
        201,
        "Per-key API rate limits",
        _doc("Abuse from a few keys slows everyone down.", RATE),
        "02-20 09:00",
        assignee="alice",
    )
    s.plan(201, 61, PLANNED)
    s.work(201, "03-02 10:00")
    s.edit(
        201,
        _doc(
            "Abuse from a few keys slows everyone down.",
            RATE + "\n* Limits can be raised per merchant by support",
        ),
        "03-04 11:00",
        "priya",
    )


def _plat_202(s: Script) -> None:
    s.story(
        202,
        "Admin audit log",
        _doc("Compliance asked for an audit trail.", AUDIT),
        "02-20 10:00",
        by="marco",
        assignee="bob",
    )
    s.plan(202, 61, PLANNED)
    s.work(202, "03-03 10:00", "03-09 10:00", "03-10 10:00")
    s.edit(
        202,
        _doc("Compliance (SOC 2) asked for an audit trail of admin actions.", AUDIT),
        "03-05 15:00",
        "marco",
    )  # only the background changed: not an AC change


def _plat_203(s: Script) -> None:
    s.story(
        203,
        "TLS hardening",
        _doc("The pen test flagged old protocols.", TLS),
        "02-20 11:00",
        assignee="dmitri",
    )
    s.plan(203, 61, PLANNED)
    s.work(203, "03-02 11:00", "03-06 11:00", "03-09 09:00")
    s.say(
        203,
        "dmitri",
        "03-06 09:30",
        "Dropping TLS 1.2 breaks two partner integrations; let's keep it for now.",
    )
    s.edit(
        203,
        _doc(
            "The pen test flagged old protocols.",
            TLS.replace(
                "Weak cipher suites are disabled",
                "Weak cipher suites are disabled, CBC suites included",
            ),
        ),
        "03-06 10:15",
        "marco",
    )


def _plat_204(s: Script) -> None:
    s.story(
        204,
        "Health check endpoint",
        _doc("Load balancers need a cheap probe.", HEALTH),
        "02-21 09:00",
        assignee="alice",
    )
    s.plan(204, 61, PLANNED)
    s.work(204, "03-03 09:00", "03-04 09:00", "03-04 15:00")
    spaced = HEALTH.replace("reachable", "reachable  ").replace("* The check", "*  The check")
    s.edit(
        204, _doc("Load balancers need a cheap probe.", spaced), "03-05 09:00", "priya"
    )  # spaces only


def _plat_205(s: Script) -> None:
    backups = """
        * Databases are backed up every 6 hours
        * A restore is tested monthly
        """
    s.story(
        205,
        "Backup policy",
        _doc("We lost a day of data in January.", backups, "Owner: SRE."),
        "02-21 10:00",
        assignee="bob",
    )
    s.plan(205, 61, PLANNED)
    s.work(205, "03-04 10:00")
    s.ws.add_remote_link(
        s.key(205),
        "https://acme.atlassian.net/wiki/spaces/PLAT/pages/812/Backup+design",
        "Backup design",
        "confluence",
        t("03-09 09:00"),
        "bob",
    )
    s.edit(
        205,
        _doc(
            "We lost a day of data in January; the new RPO is 1 hour.",
            backups.replace("every 6 hours", "every hour"),
            "Owner: SRE.",
        ),
        "03-09 10:00",
        "priya",
    )


def _plat_206(s: Script) -> None:
    s.story(
        206,
        "Dependency upgrades",
        _doc(
            "Quarterly hygiene.",
            """
        * All services run on Python 3.12
        * No dependency is more than one major version behind
        """,
        ),
        "02-21 11:00",
        assignee="dmitri",
    )
    s.plan(206, 61, PLANNED)
    s.work(206, "03-02 09:00", "03-05 09:00", "03-06 09:00")


def _plat_207(s: Script) -> None:
    flags = ac("""
        h3. Background
        Feature flags live in three places today.

        h3. Acceptance criteria
        * Flags are read from one service
        * A flag change takes effect within 30 seconds
        """)
    s.story(207, "Feature flag service", flags, "02-22 09:00", assignee="alice")
    s.plan(207, 61, PLANNED)
    s.work(207, "03-03 11:00")
    s.edit(207, flags.replace("within 30 seconds", "within 10 seconds"), "03-10 14:00", "alice")
    s.carry_over([201, 205, 207], 62, "03-13 16:55:02")


def tell_platform(s: Script) -> None:
    for story in (
        _plat_201,
        _plat_202,
        _plat_203,
        _plat_204,
        _plat_205,
        _plat_206,
        _plat_207,
    ):
        story(s)
