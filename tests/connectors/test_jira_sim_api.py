"""The simulator's Jira quirks over HTTP: deployment-specific endpoints (410/404), paging,
truncation of inlined histories and comments, bulkfetch, auth, injected failures.

Clients are the real ones the connector uses: the ``jira`` library and httpx.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jira import JIRA, JIRAError

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from connectors.sim.jira.handlers.search import REMOVED

AC_CLOUD = DEMO.ac_field_id("cloud")


@pytest.fixture(scope="module")
def cloud() -> Iterator[JiraSimulator]:
    with JiraSimulator(build_demo_workspace(), flavour="cloud") as sim:
        yield sim


@pytest.fixture(scope="module")
def server() -> Iterator[JiraSimulator]:
    with JiraSimulator(build_demo_workspace(), flavour="server") as sim:
        yield sim


def http(sim: JiraSimulator) -> httpx.Client:
    return httpx.Client(base_url=sim.url, auth=(DEMO.email, DEMO.token), timeout=10)


def jira_for(sim: JiraSimulator, **kw: Any) -> JIRA:
    if sim.flavour == "server":
        return JIRA(sim.url, token_auth=DEMO.token, timeout=10, **kw)
    return JIRA(sim.url, basic_auth=(DEMO.email, DEMO.token), timeout=10, **kw)


# -- deployment-specific endpoints --------------------------------------------------------
def test_cloud_removed_the_classic_search(cloud: JiraSimulator) -> None:
    with http(cloud) as c:
        for response in (
            c.get("/rest/api/2/search", params={"jql": "project = PAY"}),
            c.post("/rest/api/2/search", json={"jql": "project = PAY"}),
        ):
            assert response.status_code == 410
            assert response.json() == {"errorMessages": [REMOVED], "errors": {}}
    # The library routes around it only while it knows the deployment is Cloud.
    blind = jira_for(cloud, get_server_info=False)
    with pytest.raises(JIRAError) as caught:
        blind.search_issues("project = PAY")
    assert caught.value.status_code == 410


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/rest/api/2/search/jql?jql=project%20%3D%20PAY"),
        ("POST", "/rest/api/2/search/jql"),
        ("GET", "/rest/api/2/issue/PAY-101/changelog"),
        ("POST", "/rest/api/2/changelog/bulkfetch"),
    ],
)
def test_server_has_no_cloud_only_endpoints(server: JiraSimulator, method: str, path: str) -> None:
    with http(server) as c:
        response = c.request(
            method, path, json={"jql": "project = PAY"} if method == "POST" else None
        )
    assert response.status_code == 404
    assert response.json() == {"message": f"null for uri: {server.url}{path}", "status-code": 404}


def test_unknown_things_are_404_in_jiras_shape(cloud: JiraSimulator) -> None:
    with http(cloud) as c:
        for path in (
            "/rest/api/2/issue/PAY-9999",
            "/rest/api/2/issue/PAY-9999/comment",
            "/rest/agile/1.0/board/99",
            "/rest/agile/1.0/sprint/99/issue",
        ):
            response = c.get(path)
            assert response.status_code == 404, path
            assert (
                response.json()["errorMessages"][0].endswith("permission to see it.")
                or "cannot be viewed" in response.json()["errorMessages"][0]
            )


# -- search ---------------------------------------------------------------------------------
def test_enhanced_search_pages_by_token_and_refuses_unbounded(cloud: JiraSimulator) -> None:
    jql = "sprint in (41, 42) ORDER BY updated ASC, key ASC"
    with http(cloud) as c:
        seen: list[str] = []
        token = None
        while True:
            params: dict[str, Any] = {"jql": jql, "maxResults": 7, "fields": "summary,updated"}
            if token:
                params["nextPageToken"] = token
            body = c.get("/rest/api/2/search/jql", params=params).json()
            assert "total" not in body
            seen += [i["key"] for i in body["issues"]]
            token = body.get("nextPageToken")
            assert body["isLast"] == (token is None)
            if token is None:
                break
        assert len(seen) == len(set(seen)) == 33
        bare = c.post("/rest/api/2/search/jql", json={"jql": "sprint = 42"}).json()
        assert set(bare["issues"][0]) == {"id"}  # default fields: id only
        capped = c.get(
            "/rest/api/2/search/jql", params={"jql": jql, "fields": "summary", "maxResults": 500}
        ).json()
        assert len(capped["issues"]) == 33 or len(capped["issues"]) == 100
        refused = c.get("/rest/api/2/search/jql", params={"jql": "ORDER BY key DESC"})
        assert refused.status_code == 400
        assert "Unbounded JQL" in refused.json()["errorMessages"][0]
        unknown = c.post("/rest/api/2/search/jql", json={"jql": "sprint = 42", "startAt": 5})
        assert unknown.status_code == 400


def test_the_library_walks_every_page(cloud: JiraSimulator, server: JiraSimulator) -> None:
    cloud_hits = jira_for(cloud).enhanced_search_issues(
        "project = PAY ORDER BY key ASC", maxResults=False, fields=["summary"]
    )
    server_hits = jira_for(server).search_issues(
        "project = PAY ORDER BY key ASC", maxResults=False, fields="summary"
    )
    assert [i.key for i in cloud_hits] == [i.key for i in server_hits]
    assert len(cloud_hits) == len(
        [k for k in build_demo_workspace().issues if k.startswith("PAY-")]
    )


def test_server_search_pages_by_start_at_with_full_changelog(server: JiraSimulator) -> None:
    with http(server) as c:
        body = c.get(
            "/rest/api/2/search",
            params={"jql": "key = PAY-120", "expand": "changelog", "fields": "summary"},
        ).json()
    changelog = body["issues"][0]["changelog"]
    assert body["total"] == 1 and changelog["total"] == len(changelog["histories"]) == 133


# -- truncation ---------------------------------------------------------------------------------
def test_cloud_truncates_inlined_histories_and_comments(cloud: JiraSimulator) -> None:
    with http(cloud) as c:
        issue = c.get(
            "/rest/api/2/issue/PAY-120", params={"expand": "changelog", "fields": "summary"}
        ).json()
        found = c.get(
            "/rest/api/2/search/jql",
            params={
                "jql": "key in (PAY-120, PAY-122)",
                "expand": "changelog",
                "fields": "comment",
                "maxResults": 5,
            },
        ).json()
        full = c.get("/rest/api/2/issue/PAY-120/changelog", params={"maxResults": 100}).json()
    page = issue["changelog"]
    assert page["total"] == 133 and len(page["histories"]) == 100
    assert not any(it["fieldId"] == AC_CLOUD for h in page["histories"] for it in h["items"])
    by_key = {i["key"]: i for i in found["issues"]}
    assert len(by_key["PAY-120"]["changelog"]["histories"]) == 40
    assert by_key["PAY-120"]["changelog"]["total"] == 133
    comments = by_key["PAY-122"]["fields"]["comment"]
    assert len(comments["comments"]) == 20 and comments["total"] == 130
    # Only the paged endpoint shows the early AC change.
    assert any(it.get("fieldId") == AC_CLOUD for h in full["values"] for it in h["items"])


def test_changelog_pages_oldest_first(cloud: JiraSimulator) -> None:
    with http(cloud) as c:
        first = c.get("/rest/api/2/issue/PAY-120/changelog", params={"maxResults": 500}).json()
        second = c.get("/rest/api/2/issue/PAY-120/changelog", params={"startAt": 100}).json()
    assert first["maxResults"] == 100 and not first["isLast"] and "startAt=100" in first["nextPage"]
    assert second["isLast"] and len(second["values"]) == 33 and "nextPage" not in second
    ids = [int(h["id"]) for h in first["values"] + second["values"]]
    assert ids == sorted(ids) and len(ids) == first["total"] == 133


def test_comments_page_and_order(cloud: JiraSimulator) -> None:
    library = jira_for(cloud)
    assert len(library.comments("PAY-122")) == 100  # one page only: the library does not loop
    with http(cloud) as c:
        rest = c.get("/rest/api/2/issue/PAY-122/comment", params={"startAt": 100}).json()
        newest = c.get(
            "/rest/api/2/issue/PAY-122/comment", params={"orderBy": "-created", "maxResults": 1}
        ).json()
    assert rest["total"] == 130 and len(rest["comments"]) == 30
    assert rest["comments"][14]["author"]["displayName"] == "Bob Chen"
    assert "emailAddress" not in rest["comments"][14]["author"]  # hidden by Bob's privacy setting
    assert newest["comments"][0]["body"] == "Wrap-up note 15."


# -- bulkfetch ----------------------------------------------------------------------------------
def test_bulkfetch_splits_an_issue_across_pages(cloud: JiraSimulator) -> None:
    keys = ["PAY-120", "PAY-101", "PAY-122"]
    merged: dict[str, list[dict[str, Any]]] = {}
    pages_per_issue: dict[str, int] = {}
    token = None
    pages = 0
    with http(cloud) as c:
        while True:
            body: dict[str, Any] = {"issueIdsOrKeys": keys, "maxResults": 50}
            if token:
                body["nextPageToken"] = token
            reply = c.post("/rest/api/2/changelog/bulkfetch", json=body).json()
            pages += 1
            for log in reply["issueChangeLogs"]:
                assert log["issueId"].isdigit()
                merged.setdefault(log["issueId"], []).extend(log["changeHistories"])
                pages_per_issue[log["issueId"]] = pages_per_issue.get(log["issueId"], 0) + 1
            token = reply.get("nextPageToken")
            if not token:
                break
    ws = build_demo_workspace()
    assert pages == 3  # 140 histories, 50 a page
    assert pages_per_issue[str(ws.issues["PAY-120"].id)] == 3  # one issue straddles every page
    for key in keys:
        issue = ws.issues[key]
        got = merged[str(issue.id)]
        assert len(got) == len(issue.histories)
        assert all(isinstance(h["created"], int) for h in got)
        assert [h["created"] for h in got] == sorted(h["created"] for h in got)


def test_bulkfetch_filters_fields_and_validates(cloud: JiraSimulator) -> None:
    with http(cloud) as c:
        only_ac = c.post(
            "/rest/api/2/changelog/bulkfetch",
            json={"issueIdsOrKeys": ["PAY-117", "PAY-102"], "fieldIds": [AC_CLOUD]},
        ).json()
        saves = {log["issueId"]: len(log["changeHistories"]) for log in only_ac["issueChangeLogs"]}
        assert sorted(saves.values()) == [1, 3] and "nextPageToken" not in only_ac
        bad_bodies: list[dict[str, Any]] = [
            {"issueIdsOrKeys": []},
            {"issueIdsOrKeys": ["PAY-1"] * 1001},
            {"issueIdsOrKeys": ["PAY-101"], "fieldIds": [f"f{n}" for n in range(11)]},
            {"issueIdsOrKeys": ["PAY-101"], "expand": "x"},
            {"keys": ["PAY-101"]},
        ]
        for bad in bad_bodies:
            assert c.post("/rest/api/2/changelog/bulkfetch", json=bad).status_code == 400, bad


# -- agile paging -------------------------------------------------------------------------------
def test_board_sprints_filter_and_issue_paging(cloud: JiraSimulator) -> None:
    with http(cloud) as c:
        closed = c.get("/rest/agile/1.0/board/7/sprint", params={"state": "closed"}).json()
        active = c.get(
            "/rest/agile/1.0/board/7/sprint", params={"state": "active,future", "maxResults": 1}
        ).json()
        issues = c.get("/rest/agile/1.0/sprint/42/issue", params={"maxResults": 1000}).json()
        tail = c.get(
            "/rest/agile/1.0/sprint/42/issue", params={"startAt": 25, "jql": "project = PAY"}
        ).json()
    assert [s["id"] for s in closed["values"]] == [41, 42] and closed["isLast"]
    assert [s["id"] for s in active["values"]] == [43] and not active["isLast"]
    assert issues["maxResults"] == 50 and issues["total"] == 29 == len(issues["issues"])
    assert len(tail["issues"]) == 4


# -- auth and failures -----------------------------------------------------------------------
def test_auth(cloud: JiraSimulator, server: JiraSimulator) -> None:
    with httpx.Client(base_url=cloud.url, timeout=10) as anonymous:
        assert anonymous.get("/rest/api/2/serverInfo").status_code == 200  # anonymous allowed
        denied = anonymous.get("/rest/api/2/myself", auth=(DEMO.email, "wrong"))
        assert denied.status_code == 401 and denied.json()["status-code"] == 401
        assert (
            anonymous.get(
                "/rest/api/2/myself", headers={"Authorization": f"Bearer {DEMO.token}"}
            ).status_code
            == 401
        )
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert (
            c.get(
                "/rest/api/2/myself", headers={"Authorization": f"Bearer {DEMO.token}"}
            ).status_code
            == 200
        )
        assert c.get("/rest/api/2/myself", auth=(DEMO.username, DEMO.token)).status_code == 200
        assert (
            c.get("/rest/api/2/myself", headers={"Authorization": "Bearer nope"}).status_code == 401
        )
    with pytest.raises(JIRAError) as caught:
        JIRA(cloud.url, basic_auth=(DEMO.email, "wrong"), timeout=10, max_retries=0).myself()
    assert caught.value.status_code == 401


def test_injected_failures(cloud: JiraSimulator) -> None:
    with http(cloud) as c:
        cloud.fail_next(status=429, retry_after=7, count=2, path_contains="/myself")
        assert c.get("/rest/api/2/field").status_code == 200  # other paths unaffected
        first = c.get("/rest/api/2/myself")
        assert first.status_code == 429 and first.headers["Retry-After"] == "7"
        assert (
            first.headers["X-RateLimit-Remaining"] == "0" and "X-RateLimit-Reset" in first.headers
        )
        assert c.get("/rest/api/2/myself").status_code == 429
        assert c.get("/rest/api/2/myself").status_code == 200
        cloud.fail_next(status=503, retry_after=None)
        unavailable = c.get("/rest/api/2/myself")
        assert unavailable.status_code == 503 and "Retry-After" not in unavailable.headers
        cloud.fail_next(status=500)
        assert c.get("/rest/api/2/myself").status_code == 500
        cloud.fail_next(status=401)
        assert c.get("/rest/api/2/myself").status_code == 401
        ok = c.get("/rest/api/2/myself")
        assert (
            ok.headers["X-RateLimit-Limit"] == "350"
            and int(ok.headers["X-RateLimit-Remaining"]) < 350
        )


def test_the_library_retries_a_429_with_retry_after(cloud: JiraSimulator) -> None:
    library = jira_for(cloud)
    library._session.max_retry_delay = 0  # keep the test fast; the count is what matters
    before = cloud.requests["GET /rest/api/2/myself"]
    cloud.fail_next(status=429, retry_after=0, count=1, path_contains="/myself")
    assert library.myself()["displayName"] == "Tracker Demo"
    assert cloud.requests["GET /rest/api/2/myself"] == before + 2


def test_request_counting_is_thread_safe(server: JiraSimulator) -> None:
    before = server.requests["GET /rest/agile/1.0/sprint/{id}"]

    def hammer() -> None:
        with http(server) as c:
            for _ in range(10):
                assert c.get("/rest/agile/1.0/sprint/42").status_code == 200

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert server.requests["GET /rest/agile/1.0/sprint/{id}"] == before + 60
    assert "X-RateLimit-Limit" not in httpx.get(f"{server.url}/rest/api/2/serverInfo").headers
