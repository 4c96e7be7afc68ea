"""JiraSource against the Jira simulator, both flavours: sync, history, evidence, counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from demo_answers import EXPECTED
from pydantic import SecretStr

from connectors.jira import JiraSource
from connectors.sim.jira import DEMO, JiraSimulator, JiraWorkspace, build_demo_workspace
from connectors.sim.jira.model import Board as SimBoard
from connectors.sim.jira.model import Sprint as SimSprint
from connectors.sim.jira.model import User as SimUser
from tracker.config import JiraSourceConfig
from tracker.domain import IssueBundle, LinkKind, Sprint, SprintState
from tracker.ports import Source

FLAVOURS = ["cloud", "server"]
# A full sync of the demo boards (7 and 9): serverInfo, field, 2 boards for their projects,
# 2 sprint pages, 1 search page; Cloud adds 2 bulk changelog pages (the judged fields of
# every issue, then everything of those whose AC changed after a start), 2 comment pages
# (130 comments, more than the 20 the search inlines) and 2 remote-link reads.
FULL_SYNC_REQUESTS = {"cloud": 13, "server": 9}
# Nothing changed since: serverInfo, field, 2 boards, 2 sprint pages, 1 empty search page.
NO_CHANGE_REQUESTS = {"cloud": 7, "server": 7}


def make_config(url: str, flavour: str, **overrides: object) -> JiraSourceConfig:
    values: dict[str, object] = {
        "name": "acme", "type": "jira", "url": url, "token_env": "JIRA_API_TOKEN",
        "email": DEMO.email if flavour == "cloud" else None,
        "boards": list(DEMO.boards), "token": SecretStr(DEMO.token), "max_retries": 3,
    }  # fmt: skip
    values.update(overrides)
    return JiraSourceConfig.model_validate(values)


def make_source(sim: JiraSimulator, **overrides: object) -> tuple[JiraSource, list[float]]:
    slept: list[float] = []
    config = make_config(sim.url, sim.flavour, **overrides)
    # The source writes JQL periods ("-90m") that the server reads against its own clock.
    return JiraSource(config, clock=sim.now, sleep=slept.append), slept


@pytest.fixture(scope="module", params=FLAVOURS)
def sim(request: pytest.FixtureRequest) -> Iterator[JiraSimulator]:
    with JiraSimulator(build_demo_workspace(), flavour=request.param) as running:
        yield running


@pytest.fixture(scope="module")
def synced(sim: JiraSimulator) -> tuple[list[Sprint], list[list[IssueBundle]], JiraSource]:
    source, _ = make_source(sim)
    sprints = source.fetch_sprints()
    pages = list(source.fetch_issues(sprints, None))
    source.close()
    return sprints, pages, source


def minute(at: datetime | None) -> datetime | None:
    """The demo's scripted minute (the simulator adds sub-second noise, as real saves have)."""
    return at.replace(second=0, microsecond=0) if at else None


def by_key(pages: list[list[IssueBundle]]) -> dict[str, IssueBundle]:
    return {b.issue.key: b for page in pages for b in page}


def test_is_a_source(sim: JiraSimulator) -> None:
    source, _ = make_source(sim)
    assert isinstance(source, Source)
    assert source.name == "acme" and source.kind == "jira"


def test_check_reports_every_part(sim: JiraSimulator) -> None:
    source, _ = make_source(sim)
    checks = {c.what: c for c in source.check()}
    assert all(c.ok for c in checks.values()), checks
    expected = "Cloud" if sim.flavour == "cloud" else "Server/Data Center"
    assert checks["Jira reachable"].detail.startswith(expected)
    assert set(checks) == {
        "Jira reachable",
        "Jira credentials",
        "board 7",
        "board 9",
        "AC field",
        "Sprint field",
        "estimate field",
    }
    assert DEMO.ac_field_id(sim.flavour) in checks["AC field"].detail
    assert checks["estimate field"].detail.startswith("Story Points → customfield_")
    assert DEMO.sprint_field_id(sim.flavour) in checks["Sprint field"].detail


def test_fetch_sprints(
    synced: tuple[list[Sprint], list[list[IssueBundle]], JiraSource], sim: JiraSimulator
) -> None:
    sprints = {s.id: s for s in synced[0]}
    assert set(sprints) == {str(i) for i in (*DEMO.sprint_ids, *DEMO.plat_sprint_ids)}
    s42 = sprints["42"]
    assert (s42.name, s42.board, s42.state) == ("Payments Sprint 42", "7", SprintState.CLOSED)
    assert s42.ended_at is not None and s42.planned_end is not None
    assert sprints["44"].state is SprintState.FUTURE and sprints["44"].started_at is None
    # Only Server/DC has activatedDate, the real start; Cloud falls back to the planned one.
    assert s42.start_is_planned is (sim.flavour == "cloud")
    assert s42.started_at is not None and s42.started_at.date() == datetime(2026, 3, 2).date()


def test_full_sync_has_every_demo_issue_in_ascending_pages(
    synced: tuple[list[Sprint], list[list[IssueBundle]], JiraSource],
) -> None:
    _, pages, _ = synced
    bundles = by_key(pages)
    assert set(EXPECTED) <= set(bundles)
    stamps = [b.issue.updated_at for page in pages for b in page]
    assert stamps == sorted(stamps)  # type: ignore[type-var]
    assert all(
        b.text_field == bundles["PAY-101"].text_field
        for b in bundles.values()
        if b.issue.key.startswith("PAY")
    )


def test_full_sync_request_count(sim: JiraSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    source, _ = make_source(sim)
    before = sum(sim.requests.values())
    list(source.fetch_issues(source.fetch_sprints(), None))
    with capsys.disabled():
        print(f"\n{sim.flavour} full sync: {source.stats.total} requests")
        print(dict(source.stats.by_endpoint))
    assert source.stats.total == sum(sim.requests.values()) - before
    assert source.stats.total == FULL_SYNC_REQUESTS[sim.flavour]
    if sim.flavour == "cloud":
        assert source.stats.by_endpoint["POST /rest/api/2/changelog/bulkfetch"] == 2
        assert "GET /rest/api/2/issue/{key}/changelog" not in source.stats.by_endpoint
    else:
        assert (
            set(source.stats.by_endpoint)
            & {"GET /rest/api/2/issue/{key}", "GET /rest/api/2/issue/{key}/comment"}
            == set()
        )


def test_second_sync_with_nothing_changed_is_cheap(
    synced: tuple[list[Sprint], list[list[IssueBundle]], JiraSource],
    sim: JiraSimulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cursor = max(b.issue.updated_at for page in synced[1] for b in page if b.issue.updated_at)
    source, _ = make_source(sim)
    pages = list(source.fetch_issues(source.fetch_sprints(), cursor + timedelta(milliseconds=1)))
    with capsys.disabled():
        print(f"\n{sim.flavour} no-change sync: {source.stats.total} requests")
        print(dict(source.stats.by_endpoint))
    assert pages == []
    assert source.stats.total == NO_CHANGE_REQUESTS[sim.flavour]


def test_incremental_sync_returns_exactly_the_issues_updated_since(
    synced: tuple[list[Sprint], list[list[IssueBundle]], JiraSource], sim: JiraSimulator
) -> None:
    sprints, pages, _ = synced
    since = datetime(2026, 3, 12, 10, 30, tzinfo=UTC)
    wanted = {
        k for k, b in by_key(pages).items() if b.issue.updated_at and b.issue.updated_at >= since
    }
    source, _ = make_source(sim)
    got = by_key(list(source.fetch_issues(sprints, since)))
    assert set(got) == wanted and 0 < len(wanted) < len(by_key(pages))
    assert got["PAY-116"].revisions == by_key(pages)["PAY-116"].revisions


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_incremental_bound_holds_in_any_user_time_zone(zone: str) -> None:
    since = datetime(2026, 3, 12, 10, 30, tzinfo=UTC)
    with JiraSimulator(build_demo_workspace(), flavour="server", time_zone=zone) as sim:
        source, _ = make_source(sim)
        sprints = source.fetch_sprints()
        everything = by_key(list(source.fetch_issues(sprints, None)))
        got = by_key(list(source.fetch_issues(sprints, since)))
    assert set(got) == {
        k for k, b in everything.items() if b.issue.updated_at and b.issue.updated_at >= since
    }


def test_complete_history_of_an_issue_with_over_100_histories(
    synced: tuple[list[Sprint], list[list[IssueBundle]], JiraSource],
) -> None:
    # PAY-120's AC edit came before 130 automation saves: truncated changelogs lose it.
    revisions = by_key(synced[1])["PAY-120"].revisions
    assert [minute(r.at) for r in revisions] == [datetime(2026, 3, 3, 10, 0, tzinfo=UTC)]
    assert revisions[0].author is not None and revisions[0].author.email in (None, "priya@acme.com")
    assert (
        revisions[0].from_text
        and revisions[0].to_text
        and revisions[0].from_text != revisions[0].to_text
    )


def test_sprint_membership(
    synced: tuple[list[Sprint], list[list[IssueBundle]], JiraSource],
) -> None:
    bundles = by_key(synced[1])
    joined = [(m.sprint_id, m.added, minute(m.at)) for m in bundles["PAY-115"].memberships]
    assert joined == [("42", True, datetime(2026, 3, 6, 9, 0, tzinfo=UTC))]
    left = bundles["PAY-116"]
    assert "42" not in left.sprint_ids
    assert [(m.sprint_id, m.added, minute(m.at)) for m in left.memberships if not m.added] == [
        ("42", False, datetime(2026, 3, 10, 16, 0, tzinfo=UTC))
    ]
    carried = bundles["PAY-123"]
    assert {"41", "42"} <= set(carried.sprint_ids)
    assert {m.sprint_id for m in carried.memberships if m.added} >= {"41", "42"}


def test_links_and_remote_links_with_times(
    synced: tuple[list[Sprint], list[list[IssueBundle]], JiraSource],
) -> None:
    bundles = by_key(synced[1])
    (link,) = [x for x in bundles["PAY-106"].links if x.kind is LinkKind.ISSUE_LINK]
    assert (link.target_key, link.relationship) == ("PAY-12", "relates to")
    assert "spike" in link.title.lower()
    assert minute(link.added_at) == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    (page,) = bundles["PAY-107"].links
    assert (page.kind, page.app, page.title) == (LinkKind.REMOTE_LINK, "confluence", "Wiki Page")
    assert (
        page.added_at is not None
        and page.url
        and page.url.startswith("https://acme.atlassian.net/wiki/")
    )
    (thread,) = bundles["PAY-108"].links
    assert thread.app == "slack" and thread.added_at is not None


def test_comments_over_all_pages(
    synced: tuple[list[Sprint], list[list[IssueBundle]], JiraSource],
) -> None:
    comments = by_key(synced[1])["PAY-122"].comments
    assert len(comments) == 130 and len({c.id for c in comments}) == 130
    assert comments[114].author is not None and comments[114].author.name == "Bob Chen"
    # PAY-129's AC never changed: its comments cannot be evidence, so no extra call is
    # made; Cloud's search returned 20 inline, Server/DC all 45.
    inline = 20 if synced[2].client.deployment().cloud else 45
    assert len(by_key(synced[1])["PAY-129"].comments) == inline


def test_current_text_and_revisions_are_wiki_text(
    synced: tuple[list[Sprint], list[list[IssueBundle]], JiraSource],
) -> None:
    bundle = by_key(synced[1])["PAY-102"]
    assert bundle.current_text and bundle.revisions
    assert bundle.revisions[-1].to_text == bundle.current_text
    assert not any("ari:cloud" in (r.from_text or "") + (r.to_text or "") for r in bundle.revisions)


def test_check_reports_an_unresolvable_ac_field_with_the_fix(sim: JiraSimulator) -> None:
    source, _ = make_source(sim, ac_field="Acceptance Critera")
    checks = {c.what: c for c in source.check()}
    assert checks["Sprint field"].ok and checks["board 7"].ok
    ac = checks["AC field"]
    assert not ac.ok and "Acceptance Critera" in ac.detail
    assert ac.fix.startswith("set `ac_field` to one of") and DEMO.ac_field_id(sim.flavour) in ac.fix


def test_description_as_the_text_field(sim: JiraSimulator) -> None:
    source, _ = make_source(sim, ac_field="description", boards=[DEMO.plat_board])
    sprints = [s for s in source.fetch_sprints() if s.id == str(DEMO.plat_demo_sprint)]
    bundles = [b for page in source.fetch_issues(sprints, None) for b in page]
    assert bundles and all(b.text_field == "description" for b in bundles)
    revised = [b for b in bundles if b.revisions]
    assert revised and all(r.field == "description" for b in revised for r in b.revisions)
    assert not any("ari:cloud" in (r.to_text or "") for b in revised for r in b.revisions)


def big_sprint_workspace(issues: int, edits: int = 3) -> JiraWorkspace:
    """One board, one active sprint, ``issues`` issues each with ``edits`` AC edits."""
    ws = JiraWorkspace()
    ws.add_user(SimUser("712020:pm", "pm", "JIRAUSER1", "Pat PM", DEMO.email))
    ws.add_project("BIG", "Big", 10000)
    ws.add_board(SimBoard(3, "Big", "BIG"))
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ws.add_sprint(SimSprint(5, "Big 5", 3, "active", start, start + timedelta(days=14), start))
    for n in range(issues):
        at = start - timedelta(days=1) + timedelta(minutes=n)
        key = ws.create_issue("BIG", f"Story {n}", at, "pm", ac=f"* criterion {n}").key
        ws.move_to_sprint(key, 5, at + timedelta(seconds=30), "pm")
        for edit in range(edits):
            later = start + timedelta(hours=edit + 1, minutes=n)
            ws.edit_field(key, "ac", f"* criterion {n}\n* extra {edit}", "pm", later)
    return ws


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_many_search_pages_share_one_bulk_changelog_call(flavour: str) -> None:
    with JiraSimulator(big_sprint_workspace(230), flavour=flavour) as big:  # type: ignore[arg-type]
        source, _ = make_source(big, boards=[3])
        pages = list(source.fetch_issues(source.fetch_sprints(), None))
    assert [len(p) for p in pages] == [100, 100, 30]
    stamps = [b.issue.updated_at for p in pages for b in p]
    assert stamps == sorted(stamps)  # type: ignore[type-var]
    assert all(len(b.revisions) == 3 and b.memberships[0].added for p in pages for b in p)
    stats = source.stats.by_endpoint
    search = "GET /rest/api/2/search/jql" if flavour == "cloud" else "GET /rest/api/2/search"
    assert stats[search] == 3
    # 230 issues fit one bulk call (up to 1000): pages are batched for it, yielded one by
    # one. Cloud: one call filtered to the judged fields, one unfiltered for the issues
    # whose AC changed after the sprint started (here all of them).
    assert stats["POST /rest/api/2/changelog/bulkfetch"] == (2 if flavour == "cloud" else 0)
    assert not any("{key}" in label for label in stats)  # no per-issue call was needed


def test_bulk_changelog_pages_split_an_issue_and_are_merged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import connectors.jira._history as history

    monkeypatch.setattr(history, "BULK_MAX_RESULTS", 1000)  # the API's default page size
    # 100 issues x 12 histories = 1200: more than one bulkfetch page (1000), and sorted by
    # date across issues, so every issue's histories straddle the two pages; twice (the
    # judged fields, then everything: every issue's AC changed after the start).
    with JiraSimulator(big_sprint_workspace(100, edits=11), flavour="cloud") as big:
        source, _ = make_source(big, boards=[3])
        (page,) = list(source.fetch_issues(source.fetch_sprints(), None))
    assert source.stats.by_endpoint["POST /rest/api/2/changelog/bulkfetch"] == 4
    for bundle in page:
        assert len(bundle.revisions) == 11
        assert [r.at for r in bundle.revisions] == sorted(r.at for r in bundle.revisions)
        assert bundle.revisions[-1].to_text == bundle.current_text


@pytest.mark.parametrize("grant", [1, 7, 10_000])
def test_bulk_pages_follow_the_token_whatever_the_server_grants(grant: int) -> None:
    # A site may grant fewer histories a page than maxResults asks for: the client pages
    # by the token, and the result does not depend on the page size.
    with JiraSimulator(big_sprint_workspace(12, edits=3), flavour="cloud") as big:
        big.bulk_grant = grant
        source, _ = make_source(big, boards=[3])
        (page,) = list(source.fetch_issues(source.fetch_sprints(), None))
    # 12 issues x 4 judged histories, read twice (every AC changed after the start).
    assert source.stats.by_endpoint["POST /rest/api/2/changelog/bulkfetch"] == 2 * -(-48 // grant)
    assert all(len(b.revisions) == 3 and b.memberships[0].added for b in page)


def test_only_issues_whose_ac_changed_after_a_start_get_their_evidence_read() -> None:
    ws = big_sprint_workspace(4, edits=0)
    before, during = datetime(2026, 3, 1, 12, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)
    ws.edit_field("BIG-1", "ac", "* refined", "pm", before)  # refined before the start
    ws.edit_field("BIG-2", "ac", "* changed mid-sprint", "pm", during)
    for key in ("BIG-1", "BIG-2"):
        ws.add_remote_link(key, f"https://wiki.example/{key}", "Design", "confluence", during, "pm")
    with JiraSimulator(ws, flavour="cloud") as big:
        source, _ = make_source(big, boards=[3])
        bundles = by_key(list(source.fetch_issues(source.fetch_sprints(), None)))
    stats = source.stats.by_endpoint
    # Filtered for all four, unfiltered for BIG-2 only: its remote link's time is read.
    assert stats["POST /rest/api/2/changelog/bulkfetch"] == 2
    assert stats["GET /rest/api/2/issue/{key}/remotelink"] == 1
    assert [r.to_text for r in bundles["BIG-1"].revisions] == ["* refined"]
    (link,) = [x for x in bundles["BIG-2"].links if x.kind is LinkKind.REMOTE_LINK]
    assert link.added_at is not None and minute(link.added_at) == during
    assert not [x for x in bundles["BIG-1"].links if x.kind is LinkKind.REMOTE_LINK]
