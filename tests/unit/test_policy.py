"""Policy: which evidence counts, the window, the roster, and how verdicts explain themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.ac import ChangeKind
from tracker.domain import Comment, Link, LinkKind, Person
from tracker.findings import EvidenceKind, Verdict
from tracker.policy import (
    ChangeContext,
    Policy,
    find_phrases,
    is_engineer,
    judge_change,
)

T0 = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
PRIYA = Person(id="acc-priya", name="Priya Nair", email="priya@acme.com")
BOB = Person(id="acc-bob", name="Bob Chen", email="bob@acme.com")
ALICE = Person(id="acc-alice", name="Alice Wong", email=None)
SAM = Person(id="acc-sam", name="Sam Doe", email="sam@acme.com")
BOT = Person(id="acc-bot", name="Automation for Jira", is_bot=True)
ROSTER = Policy(engineers=("BOB@acme.com", "Alice Wong"))


def change(
    editor: Person | None = PRIYA, kind: ChangeKind = ChangeKind.SUBSTANTIVE
) -> ChangeContext:
    return ChangeContext("PAY-7", T0, T0 + timedelta(minutes=5), editor, kind)


def comment(
    author: Person | None, at: datetime, body: str = "Looks fine", cid: str = "1"
) -> Comment:
    return Comment("jira", "PAY-7", cid, at, author, body, url=f"https://x/c/{cid}")


def link(
    kind: LinkKind,
    title: str,
    at: datetime | None,
    *,
    target_type: str = "",
    labels: tuple[str, ...] = (),
    lid: str = "l1",
) -> Link:
    return Link(
        "jira", "PAY-7", lid, kind, title, url=f"https://x/{lid}", added_at=at,
        added_by=SAM, target_key="PAY-9", target_type=target_type, target_labels=labels,
    )  # fmt: skip


# --- is_engineer ---------------------------------------------------------------------------


def test_roster_matches_email_id_and_name_case_insensitively() -> None:
    assert is_engineer(BOB, PRIYA, ROSTER)
    assert is_engineer(ALICE, PRIYA, ROSTER)
    assert is_engineer(SAM, PRIYA, Policy(engineers=("ACC-SAM",)))
    assert not is_engineer(SAM, PRIYA, ROSTER)


def test_empty_roster_means_anyone_but_the_editor() -> None:
    assert is_engineer(SAM, PRIYA, Policy())
    assert not is_engineer(PRIYA, PRIYA, Policy())
    same_email = Person(id="other-id", name="P. Nair", email="PRIYA@acme.com")
    assert not is_engineer(same_email, PRIYA, Policy())


def test_bots_and_unknown_authors_are_never_engineers() -> None:
    assert not is_engineer(BOT, PRIYA, Policy())
    assert not is_engineer(BOT, PRIYA, Policy(engineers=("Automation for Jira",)))
    assert not is_engineer(None, PRIYA, Policy())


# --- comments and markers ------------------------------------------------------------------


def test_engineer_comment_after_the_change_counts() -> None:
    j = judge_change(change(), [comment(BOB, T0 + timedelta(hours=3, minutes=5))], [], ROSTER)
    assert j.verdict is Verdict.DISCUSSED
    assert [e.kind for e in j.evidence] == [EvidenceKind.COMMENT]
    assert j.evidence[0].by == "Bob Chen" and j.evidence[0].by_id == "bob@acme.com"
    assert j.reason == "discussed: comment by Bob Chen 3h after the change"


def test_editor_comments_never_count_and_the_reason_says_so() -> None:
    comments = [comment(PRIYA, T0 + timedelta(hours=1), cid="1"), comment(PRIYA, T0, cid="2")]
    j = judge_change(change(), comments, [], Policy())
    assert j.verdict is Verdict.FLAGGED
    assert j.evidence == ()
    assert [c.why_not for c in j.considered] == ["by the editor", "by the editor"]
    assert j.reason == "no engineering discussion: 2 comments looked at, both by the editor"


def test_editor_on_the_roster_commenting_is_an_engineer_edit_not_a_comment() -> None:
    j = judge_change(change(editor=BOB), [comment(BOB, T0)], [], ROSTER)
    assert [e.kind for e in j.evidence] == [EvidenceKind.ENGINEER_EDIT]
    assert j.considered[0].why_not == "by the editor"
    assert j.reason == "discussed: the change was made by an engineer (Bob Chen)"


def test_comment_by_non_engineer_on_a_roster_does_not_count() -> None:
    j = judge_change(change(), [comment(SAM, T0)], [], ROSTER)
    assert j.verdict is Verdict.FLAGGED
    assert j.reason == "no engineering discussion: 1 comment looked at, not by an engineer"


def test_bot_comment_does_not_count_even_with_empty_roster() -> None:
    j = judge_change(change(), [comment(BOT, T0)], [], Policy())
    assert j.verdict is Verdict.FLAGGED
    assert j.considered[0].why_not == "by a bot"


def test_unknown_author_does_not_count_as_engineer() -> None:
    j = judge_change(change(), [comment(None, T0)], [], Policy())
    assert j.considered[0].why_not == "author unknown"


def test_marker_counts_whoever_wrote_it_including_the_editor() -> None:
    body = "Checked with the team: #Impact is two extra days"
    j = judge_change(change(), [comment(PRIYA, T0 - timedelta(days=1), body)], [], ROSTER)
    assert j.verdict is Verdict.DISCUSSED
    assert j.evidence[0].kind is EvidenceKind.MARKER
    assert j.evidence[0].by_editor
    assert j.reason == (
        "discussed: the editor wrote an impact-marker comment 1d before the change; "
        "no engineer took part"
    )


def test_marker_outside_the_window_does_not_count() -> None:
    old = comment(PRIYA, T0 - timedelta(days=4), "engineering impact: none")
    j = judge_change(change(), [old], [], Policy())
    assert j.verdict is Verdict.FLAGGED
    assert j.considered[0].why_not == "outside the window: 4d before the change"


# --- the window ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "counts"),
    [
        (T0 - timedelta(days=3), True),
        (T0 - timedelta(days=3, seconds=1), False),
        (T0 + timedelta(minutes=5) + timedelta(days=2), True),
        (T0 + timedelta(minutes=5) + timedelta(days=2, seconds=1), False),
        (T0 + timedelta(minutes=2), True),  # during the burst
    ],
)
def test_window_edges_are_inclusive(at: datetime, counts: bool) -> None:
    j = judge_change(change(), [comment(BOB, at)], [], Policy())
    assert (j.verdict is Verdict.DISCUSSED) is counts


def test_window_is_configurable() -> None:
    policy = Policy(window_before=timedelta(hours=1), window_after=timedelta(hours=1))
    late = comment(BOB, T0 + timedelta(hours=2))
    j = judge_change(change(), [late], [], policy)
    assert j.considered[0].why_not == "outside the window: 1h 55m after the change"


# --- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "target_type", "labels", "counts"),
    [
        ("Spike: PSP retry behaviour", "Task", (), True),
        ("Evaluate retry behaviour", "Spike", (), True),
        ("Evaluate retry behaviour", "Task", ("design-review",), True),
        ("ADR-12 idempotency keys", "Task", (), True),
        ("Write RFCs for payouts", "Task", (), True),
        ("Update billing address form", "Task", (), False),  # "adr" inside "address"
        ("Fix typo in the footer", "Bug", ("frontend",), False),
        ("Redesign footer", "Task", (), False),  # "design" inside "redesign"
    ],
)
def test_issue_link_counts_when_its_title_type_or_labels_match(
    title: str, target_type: str, labels: tuple[str, ...], counts: bool
) -> None:
    lnk = link(LinkKind.ISSUE_LINK, title, T0, target_type=target_type, labels=labels)
    j = judge_change(change(), [], [lnk], Policy())
    assert (j.verdict is Verdict.DISCUSSED) is counts
    if counts:
        assert j.evidence[0].kind is EvidenceKind.ISSUE_LINK
        assert j.evidence[0].text == f"PAY-9: {title}"
    else:
        assert j.considered[0].why_not.startswith("no link pattern matched")


def test_linear_relation_is_relation_evidence() -> None:
    lnk = link(LinkKind.RELATION, "Impact analysis for payouts", T0 + timedelta(hours=1))
    j = judge_change(change(), [], [lnk], Policy())
    assert j.evidence[0].kind is EvidenceKind.RELATION
    assert j.reason.startswith("discussed: related issue 'PAY-9: Impact analysis for payouts'")


@pytest.mark.parametrize("kind", [LinkKind.REMOTE_LINK, LinkKind.ATTACHMENT])
def test_remote_links_and_attachments_count_when_added_in_the_window(kind: LinkKind) -> None:
    inside = link(kind, "Slack thread", T0 + timedelta(hours=2), lid="in")
    outside = link(kind, "Old Confluence page", T0 - timedelta(days=10), lid="out")
    j = judge_change(change(), [], [outside, inside], Policy())
    assert j.verdict is Verdict.DISCUSSED
    assert [e.url for e in j.evidence] == ["https://x/in"]
    assert j.evidence[0].kind.value == kind.value
    assert j.considered[0].why_not == "outside the window: 10d before the change"


def test_link_with_unknown_time_is_considered_not_counted() -> None:
    lnk = link(LinkKind.REMOTE_LINK, "Design doc", None)
    j = judge_change(change(), [], [lnk], Policy())
    assert j.verdict is Verdict.FLAGGED
    assert j.considered[0].why_not == "time unknown: the link may predate the change"
    assert j.reason == "no engineering discussion: 1 link looked at, time unknown"


# --- engineer edit, cosmetic, reasons --------------------------------------------------------


def test_edit_by_an_engineer_is_evidence_only_with_a_roster() -> None:
    assert judge_change(change(editor=ALICE), [], [], ROSTER).verdict is Verdict.DISCUSSED
    assert judge_change(change(editor=ALICE), [], [], Policy()).verdict is Verdict.FLAGGED
    assert judge_change(change(editor=None), [], [], ROSTER).verdict is Verdict.FLAGGED


def test_cosmetic_change_is_not_judged() -> None:
    j = judge_change(change(kind=ChangeKind.COSMETIC), [comment(BOB, T0)], [], Policy())
    assert j.verdict is Verdict.COSMETIC
    assert j.evidence == () and j.considered == ()
    assert j.reason.startswith("cosmetic: only whitespace, markup")


def test_nothing_to_look_at() -> None:
    j = judge_change(change(), [], [], Policy())
    assert j.reason == "no engineering discussion: no comments or links to look at"


def test_mixed_reasons_are_counted_most_common_first() -> None:
    comments = [
        comment(PRIYA, T0, cid="1"),
        comment(SAM, T0 - timedelta(days=9), cid="2"),
        comment(SAM, T0 - timedelta(days=8), cid="3"),
    ]
    lnk = link(LinkKind.ISSUE_LINK, "Fix typo", T0)
    j = judge_change(change(), comments, [lnk], Policy())
    assert j.reason == (
        "no engineering discussion: 3 comments and 1 link looked at, "
        "2 outside the window, 1 by the editor, 1 no link pattern matched"
    )


def test_discussed_reason_names_the_nearest_evidence_and_counts_the_rest() -> None:
    comments = [
        comment(BOB, T0 - timedelta(days=2), cid="1"),
        comment(SAM, T0 + timedelta(minutes=30), cid="2"),
    ]
    j = judge_change(change(), comments, [], Policy())
    assert j.reason == "discussed: comment by Sam Doe 25m after the change (+1 more)"
    assert [e.by for e in j.evidence] == ["Bob Chen", "Sam Doe"]  # sorted by time


# --- phrases -------------------------------------------------------------------------------


def test_phrases_in_the_window_with_suggestions() -> None:
    comments = [
        comment(
            PRIYA, T0 + timedelta(minutes=1), "Small one. It should be simple to add, right?", "1"
        ),
        comment(PRIYA, T0 + timedelta(minutes=2), "Can we just drop the 2s cap?", "2"),
        comment(PRIYA, T0 + timedelta(minutes=3), "FYI the deadline doesn't change.", "3"),
        comment(PRIYA, T0 - timedelta(days=5), "this is a minor tweak", "4"),
    ]
    phrases = find_phrases(change(), comments, Policy())
    assert [(p.kind, p.quote) for p in phrases] == [
        ("simple", "It should be simple to add, right?"),
        ("just", "Can we just drop the 2s cap?"),
        ("deadline", "FYI the deadline doesn't change."),
    ]
    assert all(p.by == "Priya Nair" for p in phrases)
    assert "how complex" in phrases[0].suggestion
    assert "would it be possible to" in phrases[1].suggestion
    assert "trade-offs" in phrases[2].suggestion


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("should be easy enough", "simple"),
        ("It's a quick change on your side", "simple"),
        ("this is just a minor tweak", "simple"),
        ("could we just reuse the old endpoint", "just"),
        ("we just need to add a flag", "just"),
        ("the date doesn't move", "deadline"),
        ("We still ship by Friday", "deadline"),
        ("the deadline stays the same", "deadline"),
    ],
)
def test_phrase_variants(body: str, kind: str) -> None:
    phrases = find_phrases(change(), [comment(SAM, T0, body)], Policy())
    assert [p.kind for p in phrases] == [kind]


@pytest.mark.parametrize(
    "body",
    [
        "The settings page should be easy to use",
        "Quick update: legal approved",
        "The button is small",
    ],
)
def test_phrase_false_friends_are_not_flagged(body: str) -> None:
    assert find_phrases(change(), [comment(SAM, T0, body)], Policy()) == ()
