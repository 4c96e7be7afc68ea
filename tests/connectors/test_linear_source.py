"""LinearSource against the Linear simulator: sprints, doctor checks, and polls with edits
made between them, which is the only way Linear's lost-old-text history can be observed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice, pairwise
from typing import Any

import pytest
from demo_answers import LINEAR_EXPECTED as EXPECTED
from pydantic import SecretStr

from connectors.linear import LinearSource, queries
from connectors.linear.source import issue_page_sizes
from connectors.sim.linear import (
    LINEAR_DEMO,
    LinearSimulator,
    LinearWorkspace,
    build_demo_linear_workspace,
    demo_poll_times,
)
from tracker import clock
from tracker.config import LinearSourceConfig
from tracker.domain import IssueBundle, LinkKind, SprintState
from tracker.ports import Source

KEY = LINEAR_DEMO.api_key
OVERLAP = timedelta(minutes=10)


def source_for(url: str, *, token: str = KEY, teams: tuple[str, ...] = ("ENG",)) -> LinearSource:
    config = LinearSourceConfig(name="acme-linear", type="linear", url=url, token_env="LINEAR_API_KEY",
                                teams=list(teams), token=SecretStr(token))  # fmt: skip
    return LinearSource(config, sleep=lambda _: None)


@pytest.fixture
def demo() -> Iterator[tuple[LinearWorkspace, LinearSimulator, LinearSource]]:
    ws = build_demo_linear_workspace()
    clock.set_clock(lambda: ws.now)
    with LinearSimulator(ws, api_key=KEY) as sim:
        source = source_for(sim.url)
        yield ws, sim, source
        source.close()
    clock.reset_clock()


def flatten(pages: Iterator[list[IssueBundle]]) -> list[IssueBundle]:
    return [bundle for page in pages for bundle in page]


def test_it_is_a_source(demo: Any) -> None:
    assert isinstance(demo[2], Source)


def test_sprints_are_the_team_cycles(demo: Any) -> None:
    _, _, source = demo
    sprints = source.fetch_sprints()
    assert [(s.key, s.name, s.state, s.board) for s in sprints] == [
        ("ENG-11", "Cycle 11", SprintState.CLOSED, "ENG"),
        ("ENG-12", "Cycle 12", SprintState.CLOSED, "ENG"),
        ("ENG-13", "Cycle 13", SprintState.ACTIVE, "ENG"),
    ]
    eng12 = sprints[1]
    assert eng12.started_at == LINEAR_DEMO.started_at
    assert eng12.ended_at == eng12.planned_end == LINEAR_DEMO.ended_at


def test_doctor_checks(demo: Any) -> None:
    ws, sim, source = demo
    assert [(c.what, c.ok) for c in source.check()][1:] == [
        ("key's reach", True),
        ("Linear team ENG", True),
    ]
    (bad_key,) = source_for(sim.url, token="lin_api_nope").check()
    assert not bad_key.ok and "check LINEAR_API_KEY" in bad_key.detail
    assert "LINEAR_API_KEY" in bad_key.fix and "lin_api_nope" not in bad_key.detail + bad_key.fix
    unknown = source_for(sim.url, teams=("ENG", "OPS")).check()
    assert [(c.what, c.ok) for c in unknown[2:]] == [
        ("Linear team ENG", True),
        ("Linear team OPS", False),
    ]
    ws.teams[0].cycles_enabled = False
    assert "cycles are turned off" in source.check()[2].detail


def test_full_sync_of_the_demo(demo: Any) -> None:
    _, sim, source = demo
    sprints = source.fetch_sprints()
    pages = list(source.fetch_issues(sprints, None))
    bundles = [b for page in pages for b in page]
    stamps = [b.issue.updated_at for b in bundles]
    assert len(pages) == 1 and stamps == sorted(stamps)  # 18 issues, ascending
    assert {b.issue.key for b in bundles} == set(EXPECTED["changes"]) | {"ENG-120"}
    assert sim.requests == {"Cycles": 1, "IssuesPage": 1}
    assert source.stats.total == 2 and source.stats.complexity == sim.complexity
    assert source.stats.complexity < 6_200 + 200


def test_issue_details_in_the_demo(demo: Any) -> None:
    _, _, source = demo
    sprints = {s.key: s.id for s in source.fetch_sprints()}
    found = {b.issue.key: b for b in flatten(source.fetch_issues(source.fetch_sprints(), None))}
    rolled = [m for m in found["ENG-107"].memberships if m.sprint_id == sprints["ENG-12"]]
    assert [(m.added, m.automated, m.by) for m in rolled] == [(True, True, None)]
    (by_bot,) = [m for m in found["ENG-117"].memberships if m.added]
    assert by_bot.automated and by_bot.by is not None and by_bot.by.is_bot
    (by_bob,) = [m for m in found["ENG-106"].memberships if m.added]
    assert not by_bob.automated and by_bob.by is not None and by_bob.by.email == "bob@acme.com"
    (spike,) = [link for link in found["ENG-108"].links if link.kind is LinkKind.RELATION]
    assert (spike.target_key, spike.target_labels) == ("ENG-120", ("spike",))
    (slack,) = [link for link in found["ENG-103"].links if link.kind is LinkKind.ATTACHMENT]
    assert slack.app == "slack" and slack.added_by is not None
    (pasted,) = [link for link in found["ENG-109"].links if link.kind is LinkKind.REMOTE_LINK]
    assert pasted.app == "slack" and pasted.added_at == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    reply = [c for c in found["ENG-102"].comments if c.parent_id]
    assert len(reply) == 1 and reply[0].author is not None
    assert [e.author.name for e in found["ENG-107"].text_edits if e.author] == ["Alice Moreau"]


def test_two_polls_with_edits_between(demo: Any) -> None:
    ws, sim, source = demo
    first = ws.now
    sprints = source.fetch_sprints()
    before = {b.issue.key: b for b in flatten(source.fetch_issues(sprints, None))}
    alice = ws.users[1]
    bob = ws.users[2]
    edit_at = first + timedelta(hours=10)
    ws.edit_description(
        "ENG-113", "## Acceptance Criteria\n\n- [ ] New criterion\n", alice, edit_at
    )
    ws.add_comment("ENG-116", "Copy is final, shipping it.", bob, edit_at)  # no updatedAt bump
    ws.add_attachment("ENG-104", "https://github.com/acme/app/pull/42", "PR #42", edit_at,
                      creator=bob, source_type="github")  # fmt: skip
    ws.add_relation("ENG-101", "ENG-120", "related", edit_at, bob)
    ws.move_to_cycle("ENG-112", "ENG-13", alice, edit_at)
    ws.advance_to(first + timedelta(hours=12))
    sim.requests.clear()

    pages = list(source.fetch_issues(sprints, first - OVERLAP))
    after = {b.issue.key: b for page in pages for b in page}
    assert set(after) == {"ENG-113", "ENG-116", "ENG-104", "ENG-101", "ENG-120", "ENG-112"}
    stamps = [b.issue.updated_at for page in pages for b in page]
    assert stamps == sorted(stamps)
    assert [b.issue.key for b in pages[0]] == ["ENG-116", "ENG-104"]  # found via discussion
    # ENG-101 now has two relations, one more than a page inlines: one follow-up for it.
    assert sim.requests == {"DiscussionSince": 1, "IssuesById": 1,
                            "IssuesPage": 1, "IssueRelationsPage": 1}  # fmt: skip

    assert after["ENG-113"].current_text != before["ENG-113"].current_text
    (edit,) = after["ENG-113"].text_edits
    assert edit.at == edit_at and edit.author is not None and edit.author.name == "Alice Moreau"
    assert [c.body for c in after["ENG-116"].comments] == ["Copy is final, shipping it."]
    assert any(link.app == "github" for link in after["ENG-104"].links)
    assert {link.target_key for link in after["ENG-101"].links} == {"ENG-116", "ENG-120"}
    moved = after["ENG-112"].memberships[-2:]
    assert [(m.added, m.at) for m in moved] == [(False, edit_at), (True, edit_at)]


def test_demo_experienced_through_polls() -> None:
    """Syncing at demo_poll_times() observes every AC change EXPECTED designs, each at the first
    poll after it, with a text edit that says who made it."""
    ws = build_demo_linear_workspace()
    changes_seen: dict[str, list[datetime]] = {}
    with LinearSimulator(ws, api_key=KEY) as sim:
        source = source_for(sim.url)
        texts: dict[str, str | None] = {}
        previous: datetime | None = None
        for moment in demo_poll_times():
            ws.advance_to(moment)
            sprints = source.fetch_sprints()
            since = previous - OVERLAP if previous else None
            for bundle in flatten(source.fetch_issues(sprints, since)):
                key = bundle.issue.key
                if key in texts and texts[key] != bundle.current_text:
                    changes_seen.setdefault(key, []).append(moment)
                    assert any(previous and previous < e.at <= moment for e in bundle.text_edits)
                texts[key] = bundle.current_text
            previous = moment
        source.close()
    polls = demo_poll_times()
    extra = {"ENG-104": 1, "ENG-115": 1}  # an edit outside the AC; an edit after the close
    for key, designed in EXPECTED["changes"].items():
        wanted = [next(p for p in polls if p > c["at"]) for c in designed]
        assert set(wanted) <= set(changes_seen.get(key, [])), key
        assert len(changes_seen.get(key, [])) == len(wanted) + extra.get(key, 0), key


def test_nested_connections_are_drained() -> None:
    now = datetime(2026, 3, 10, tzinfo=UTC)
    ws = LinearWorkspace(now=now)
    team = ws.add_team("ENG", "Engineering")
    cycle = ws.add_cycle(team, 1, now - timedelta(days=5), now + timedelta(days=9))
    a, b = ws.add_user("A", "a", "a@x.io"), ws.add_user("B", "b", "b@x.io")
    ws.add_issue(team, 1, "Big", "text", creator=a, at=now - timedelta(days=6), cycle=cycle)
    ws.add_issue(team, 2, "Other", None, creator=a, at=now - timedelta(days=6))
    for n in range(30):
        at = now - timedelta(days=4) + timedelta(hours=n)
        ws.edit_description("ENG-1", f"text {n}", a if n % 2 else b, at)
        ws.add_comment("ENG-1", f"comment {n}", b, at)
    for n in range(12):
        at = now - timedelta(days=2) + timedelta(minutes=n)
        ws.add_attachment("ENG-1", f"https://github.com/x/y/pull/{n}", f"PR {n}", at, creator=a)
        ws.add_relation("ENG-1", "ENG-2", "related", at)
        ws.add_relation("ENG-2", "ENG-1", "blocks", at)
    with LinearSimulator(ws, api_key=KEY) as sim:
        source = source_for(sim.url)
        sprints = source.fetch_sprints()
        bundles = {b.issue.key: b for b in flatten(source.fetch_issues(sprints, None))}
        requests = dict(sim.requests)
    big = bundles["ENG-1"]
    assert len(big.text_edits) == 30 and len(big.comments) == 30
    kinds = [link.kind for link in big.links]
    assert kinds.count(LinkKind.ATTACHMENT) == 12 and kinds.count(LinkKind.RELATION) == 24
    assert requests["IssueHistoryPage"] >= 1 and requests["IssueCommentsPage"] == 1
    assert requests["IssueAttachmentsPage"] == 1
    # Both issues hold 12 relations each way (ENG-1 related→ENG-2, ENG-2 blocks→ENG-1).
    assert requests["IssueRelationsPage"] == requests["IssueInverseRelationsPage"] == 2
    assert "ENG-2" in bundles  # a backlog issue is kept: it may join a cycle later


def test_issues_outside_the_sprints_are_left_out(demo: Any) -> None:
    _, sim, source = demo
    eng11 = [s for s in source.fetch_sprints() if s.key == "ENG-11"]
    keys = {b.issue.key for b in flatten(source.fetch_issues(eng11, None))}
    assert "ENG-107" in keys  # was in ENG-11 before the roll-over
    assert "ENG-101" not in keys and "ENG-120" in keys  # ENG-120 is in no cycle: kept
    sim.requests.clear()
    assert list(source.fetch_issues([], None)) == [] and not sim.requests


def test_page_size_constants_are_what_is_sent(demo: Any) -> None:
    ws, sim, source = demo
    sprints = source.fetch_sprints()
    list(source.fetch_issues(sprints, None))
    assert sim.requests["IssuesPage"] == 1  # 18 issues, 50 a page
    sim.requests.clear()
    list(source.fetch_issues(sprints, ws.now - timedelta(days=30)))  # all 18 changed since
    assert sim.requests["IssuesPage"] == 2  # 10, then 20


def test_incremental_pages_start_small_and_double() -> None:
    assert list(islice(issue_page_sizes(incremental=False), 3)) == [queries.ISSUE_PAGE] * 3
    ramp = list(islice(issue_page_sizes(incremental=True), 6))
    assert ramp[0] == queries.INCREMENTAL_PAGE < queries.ISSUE_PAGE
    assert ramp == sorted(ramp) and ramp[-1] == queries.ISSUE_PAGE
    assert all(b in (2 * a, queries.ISSUE_PAGE) for a, b in pairwise(ramp))


def test_labels_beyond_a_page_are_read_on_both_ends_of_a_relation() -> None:
    now = datetime(2026, 3, 10, tzinfo=UTC)
    ws = LinearWorkspace(now=now)
    team = ws.add_team("ENG", "Engineering")
    cycle = ws.add_cycle(team, 1, now - timedelta(days=5), now + timedelta(days=9))
    a = ws.add_user("A", "a", "a@x.io")
    many = tuple(f"label-{n}" for n in range(queries.LABEL_PAGE + 2))
    at = now - timedelta(days=6)
    ws.add_issue(team, 1, "Labelled", "text", creator=a, at=at, cycle=cycle, labels=many)
    ws.add_issue(team, 2, "Plain", "text", creator=a, at=at, cycle=cycle)
    ws.add_relation("ENG-2", "ENG-1", "related", now - timedelta(days=1))
    with LinearSimulator(ws, api_key=KEY) as sim:
        source = source_for(sim.url)
        bundles = {
            b.issue.key: b for b in flatten(source.fetch_issues(source.fetch_sprints(), None))
        }
        requests = dict(sim.requests)
    assert set(bundles["ENG-1"].issue.labels) == set(many)
    (relation,) = [link for link in bundles["ENG-2"].links if link.kind is LinkKind.RELATION]
    assert relation.target_key == "ENG-1" and set(relation.target_labels) == set(many)
    # One for ENG-1's own labels, one for them at the far end of ENG-2's relation.
    assert requests["IssueLabelsPage"] == 2
