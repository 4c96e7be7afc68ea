"""The demo workspaces' answer keys: the verdict each AC change is designed to get.

Jira: ``EXPECTED`` records, for every issue that was in "Payments Sprint 42" (id 42), the
verdict each AC change is designed to get and why, assuming the default policy (3d before,
2d after, burst 10m, markers ``#impact``/``engineering impact``, link patterns incl.
``spike``) and ``DEMO.engineers`` as the roster. ``EXPECTED_OTHER`` does the same, more
briefly, for sprints 41, 43 and the Platform sprint 61 (AC in the description).

Linear: ``LINEAR_EXPECTED`` records, as data, the verdict each AC change in ENG-12 is
designed to get.

The tests hold these (the simulators in ``connectors.sim`` only tell the stories), so a
wrong answer key can never ship inside the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.sim.linear.demo import at


@dataclass(frozen=True, slots=True)
class ExpectedChange:
    """One AC change as the report should show it. ``at`` is the first save (UTC);
    a burst of ``saves`` by one person ends at ``last_at``. ``by`` is the editor's email
    (None: automation, which writes no author). ``evidence``: the kinds that count."""

    at: str
    by: str | None
    verdict: str  # flagged | discussed | cosmetic
    why: str
    evidence: tuple[str, ...] = ()
    saves: int = 1
    last_at: str | None = None
    defined_after_start: bool = False  # the AC were empty or a placeholder before it


@dataclass(frozen=True, slots=True)
class ExpectedIssue:
    scenario: str
    changes: tuple[ExpectedChange, ...] = ()
    added_after_start: bool = False


def _c(
    at: str,
    by: str | None,
    verdict: str,
    why: str,
    *evidence: str,
    saves: int = 1,
    last_at: str | None = None,
    defined: bool = False,
) -> ExpectedChange:
    return ExpectedChange(
        _iso(at), by, verdict, why, evidence, saves, _iso(last_at) if last_at else None, defined
    )


def _iso(stamp: str) -> str:
    seconds = "" if stamp.count(":") == 2 else ":00"
    return f"2026-{stamp.replace(' ', 'T')}{seconds}Z"


P, M, B = "priya@acme.com", "marco@acme.com", "bob@acme.com"
FLAG, DISC, COSM = "flagged", "discussed", "cosmetic"

EXPECTED: dict[str, ExpectedIssue] = {
    "PAY-101": ExpectedIssue(
        "PM edit, PM's own 'minor tweak, should be simple' comment",
        (_c("03-04 10:15", P, FLAG, "only the editor commented; no engineer, marker or link"),),
    ),
    "PAY-102": ExpectedIssue(
        "PM adds two criteria, nobody says a word",
        (_c("03-05 14:30", P, FLAG, "no discussion at all"),),
    ),
    "PAY-103": ExpectedIssue(
        "second PM removes a criterion; only QA comments",
        (_c("03-09 11:00", M, FLAG, "QA is not on the engineer roster"),),
    ),
    "PAY-104": ExpectedIssue(
        "engineer comment 3h before the edit",
        (_c("03-03 14:00", P, DISC, "Alice commented on the impact first", "comment"),),
    ),
    "PAY-105": ExpectedIssue(
        "#impact marker comment by the PM the next morning",
        (_c("03-06 16:45", M, DISC, "a comment carries #impact", "marker"),),
    ),
    "PAY-106": ExpectedIssue(
        "link to 'Spike: idempotency key storage' (PAY-12) the day before",
        (_c("03-10 09:30", P, DISC, "issue link to a spike", "issue_link"),),
    ),
    "PAY-107": ExpectedIssue(
        "Confluence page linked the day after (remote link titled 'Wiki Page')",
        (_c("03-04 15:00", P, DISC, "Confluence remote link in the window", "remote_link"),),
    ),
    "PAY-108": ExpectedIssue(
        "Slack thread linked 5 minutes after",
        (_c("03-11 13:00", P, DISC, "Slack remote link in the window", "remote_link"),),
    ),
    "PAY-109": ExpectedIssue(
        "an engineer edits the AC",
        (_c("03-05 11:20", B, DISC, "the editor is an engineer", "engineer_edit"),),
    ),
    "PAY-110": ExpectedIssue(
        "trailing spaces and blank lines only", (_c("03-06 09:40", P, COSM, "whitespace only"),)
    ),
    "PAY-111": ExpectedIssue(
        "automation re-saves with CRLF, trims a trailing space; no author",
        (_c("03-08 02:00", None, COSM, "line endings and whitespace only"),),
    ),
    "PAY-112": ExpectedIssue(
        "typo fix recieve -> receive", (_c("03-10 17:05", M, COSM, "a typo fix"),)
    ),
    "PAY-113": ExpectedIssue("description edited, AC field untouched: no change"),
    "PAY-114": ExpectedIssue("story points, priority and summary edited: no change"),
    "PAY-115": ExpectedIssue(
        "added to the sprint on 03-06, AC changed on 03-09",
        (_c("03-09 14:10", P, FLAG, "no discussion; baseline is the AC when it joined"),),
        added_after_start=True,
    ),
    "PAY-116": ExpectedIssue(
        "AC changed, then removed from the sprint on 03-10; its 03-12 edit is not sprint 42's",
        (_c("03-05 10:30", P, FLAG, "no discussion"),),
    ),
    "PAY-117": ExpectedIssue(
        "three saves by the PM within 5 minutes: one change",
        (_c("03-11 14:02:10", P, FLAG, "no discussion", saves=3, last_at="03-11 14:06:30"),),
    ),
    "PAY-118": ExpectedIssue(
        "the editor's own comment is the only one",
        (_c("03-09 09:45", M, FLAG, "a comment by the editor is not a discussion"),),
    ),
    "PAY-119": ExpectedIssue(
        "engineer comments 7 days before and 3 days after: outside the window",
        (_c("03-09 15:00", P, FLAG, "Alice's comments fall outside -3d/+2d"),),
    ),
    "PAY-120": ExpectedIssue(
        "AC changed early, then 130 automation saves (Cloud inlines only the last 100/40)",
        (_c("03-03 10:00", P, FLAG, "no discussion; only the full changelog shows it"),),
    ),
    "PAY-121": ExpectedIssue("AC changed on 02-27, before the sprint started: no change"),
    "PAY-122": ExpectedIssue(
        "130 comments; the engineer's reply is comment 115 (second page)",
        (_c("03-12 10:00", P, DISC, "Bob's comment 90 minutes later", "comment"),),
    ),
    "PAY-123": ExpectedIssue(
        "carried over from sprint 41; engineer comment after the edit",
        (_c("03-06 11:00", P, DISC, "Dmitri commented the same day", "comment"),),
    ),
    "PAY-124": ExpectedIssue(
        "carried over to sprint 43; a third engineer commented the evening before",
        (_c("03-10 10:00", M, DISC, "Dmitri commented 17h before", "comment"),),
    ),
    "PAY-125": ExpectedIssue(
        "two changes: the first silent, the second discussed",
        (
            _c("03-03 09:50", P, FLAG, "no discussion within its window"),
            _c("03-12 14:00", P, DISC, "Alice commented an hour later", "comment"),
        ),
    ),
    "PAY-126": ExpectedIssue(
        "numbered Given/When/Then; engineer replies the next morning",
        (_c("03-05 16:00", M, DISC, "Bob commented within 2 days after", "comment"),),
    ),
    "PAY-127": ExpectedIssue(
        "linked to a bug whose title matches no link pattern",
        (_c("03-08 10:30", P, FLAG, "the linked issue is not a spike/design/impact item"),),
    ),
    "PAY-128": ExpectedIssue(
        "AC written for the first time after the start (was empty)",
        (_c("03-04 16:20", P, FLAG, "every criterion added, no discussion", defined=True),),
    ),
    "PAY-129": ExpectedIssue("45 comments, no AC change"),
    "PAY-130": ExpectedIssue(
        "{noformat} example changed; QA comment says 'Engineering impact' the day before",
        (_c("03-13 10:00", M, DISC, "a comment carries 'engineering impact'", "marker"),),
    ),
}

EXPECTED_OTHER: dict[int, dict[str, tuple[ExpectedChange, ...]]] = {
    41: {
        "PAY-82": (_c("02-18 11:00", P, FLAG, "no discussion"),),
        "PAY-83": (_c("02-24 10:00", M, DISC, "#impact comment an hour before", "marker"),),
        "PAY-123": (_c("02-20 10:00", M, DISC, "Dmitri commented an hour later", "comment"),),
    },
    43: {
        "PAY-124": (_c("03-18 10:00", P, FLAG, "no discussion"),),
        "PAY-141": (_c("03-18 11:00", M, FLAG, "no discussion"),),
    },
    61: {
        "PLAT-201": (_c("03-04 11:00", P, FLAG, "criterion added, no discussion"),),
        "PLAT-202": (),  # only the Background section changed
        "PLAT-203": (_c("03-06 10:15", M, DISC, "Dmitri commented 45 minutes before", "comment"),),
        "PLAT-204": (_c("03-05 09:00", P, COSM, "spaces only"),),
        "PLAT-205": (
            _c("03-09 10:00", P, DISC, "Confluence page linked an hour before", "remote_link"),
        ),
        "PLAT-206": (),
        "PLAT-207": (
            _c("03-10 14:00", "alice@acme.com", DISC, "an engineer edited", "engineer_edit"),
        ),
    },
}


# Story points the sprint took on after its start: PAY-107 and PAY-114 re-estimated 3 → 5,
# and PAY-115 joined on 03-06 with 2.
POINTS_ADDED_AFTER_START = 6


def expected_summary(expected: dict[str, ExpectedIssue] | None = None) -> dict[str, float]:
    """The report's ``summary`` block that ``EXPECTED`` implies."""
    issues = EXPECTED if expected is None else expected
    changes = [c for i in issues.values() for c in i.changes]
    counts = {v: sum(c.verdict == v for c in changes) for v in (FLAG, DISC, COSM)}
    touched = sum(any(c.verdict != COSM for c in i.changes) for i in issues.values())
    return {
        "issues": len(issues),
        "issues_with_ac_changes": touched,
        "changes": len(changes),
        "flagged": counts[FLAG],
        "discussed": counts[DISC],
        "cosmetic": counts[COSM],
        "unknown": 0,
        "defined_after_start": sum(c.defined_after_start for c in changes),
        "issues_without_ac": 0,
        "issues_baseline_approximate": 0,
        "points_added_after_start": POINTS_ADDED_AFTER_START if expected is None else 0,
    }


def _change(
    verdict: str,
    when: datetime,
    by: str,
    evidence: tuple[str, ...] = (),
    added_after_start: bool = False,
) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "at": when,
        "by": by,
        "evidence": evidence,
        "added_after_start": added_after_start,
    }


_PRIYA, _ALICE = "priya@acme.com", "alice@acme.com"
LINEAR_EXPECTED: dict[str, Any] = {
    "sprint": "ENG-12",
    "summary": {
        "issues": 17,
        "issues_with_ac_changes": 10,
        "changes": 12,
        "flagged": 4,
        "discussed": 7,
        "cosmetic": 1,
        "unknown": 0,
        "defined_after_start": 0,
        "issues_without_ac": 1,  # one issue of the cycle has no AC section at all
        "issues_baseline_approximate": 0,
        "points_added_after_start": 3,  # ENG-102 re-estimated 2 → 5
    },
    # issue -> its AC changes in ENG-12, oldest first; [] = in the sprint, no AC change.
    "changes": {
        "ENG-101": [_change("flagged", at(3, 4, 10, 12), _PRIYA)],  # its relation is off-topic
        "ENG-102": [_change("discussed", at(3, 5, 14), _PRIYA, ("comment",))],
        "ENG-103": [_change("discussed", at(3, 9, 11), _PRIYA, ("attachment",))],
        "ENG-104": [],  # only the Context paragraph changed
        "ENG-105": [_change("cosmetic", at(3, 6, 16), _PRIYA)],  # markdown re-serialised
        "ENG-106": [
            _change("discussed", at(3, 11, 10), _PRIYA, ("marker",), True)
        ],  # one comment: by an engineer and with #impact; it counts once, as a marker
        "ENG-107": [_change("discussed", at(3, 6, 11), _ALICE, ("engineer_edit",))],
        "ENG-108": [_change("discussed", at(3, 6, 15), _PRIYA, ("relation",))],
        "ENG-109": [_change("discussed", at(3, 10, 10), _PRIYA, ("remote_link",))],
        "ENG-110": [
            _change("flagged", at(3, 3, 13), _PRIYA),
            _change("discussed", at(3, 12, 10), _PRIYA, ("marker",)),
        ],
        "ENG-111": [_change("flagged", at(3, 9, 14), _PRIYA)],  # 3 saves in 6 min: one change
        "ENG-112": [],  # edited before the cycle started
        "ENG-113": [],
        "ENG-114": [_change("flagged", at(3, 11, 9), _PRIYA)],  # Alice's comment is 6 days older
        "ENG-115": [],  # edited after ENG-12 closed (it rolled over to ENG-13)
        "ENG-116": [],
        "ENG-117": [],  # moved in by the GitHub integration
    },
}
