"""The HTML page: self-contained, every tracker text escaped, the timeline and diffs there.

Checked by parsing the output with ``html.parser``: what a browser would build, not
what a substring search happens to see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import (
    HOSTILE_COMMENT,
    HOSTILE_CRITERION,
    HOSTILE_TITLE,
    empty_report,
    hostile_report,
    sample_report,
    trend_points,
)

from reports import render_report, render_trend
from reports.common import http_url
from reports.highlight import Segment, mark_words

# Elements that could run code or fetch something; the page needs none of them.
FORBIDDEN_TAGS = {"script", "img", "iframe", "object", "embed", "link", "base", "form", "image"}
VOID_TAGS = {"meta", "br", "hr", "input", "wbr"}
URL_ATTRS = {"href", "src", "xlink:href", "action", "formaction", "srcset", "poster", "data"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page(HTMLParser):
    elements: list[Element] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    stack: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if any(e.tag == tag for e in self.stack):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        for element in self.stack:
            element.text += data

    def find(self, tag: str, cls: str | None = None) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and (cls is None or cls in e.attrs.get("class", "").split())
        ]

    @property
    def text(self) -> str:
        return "".join(self.texts)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def assert_inert(page: Page) -> None:
    for element in page.elements:
        assert element.tag not in FORBIDDEN_TAGS, element
        for name, value in element.attrs.items():
            assert not name.startswith("on"), element
            if name in URL_ATTRS:
                assert value.startswith("#") or http_url(value) == value, element
        if element.tag == "style":
            assert "url(" not in element.text and "@import" not in element.text
    csp = [e for e in page.find("meta") if e.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0].attrs["content"]


def test_hostile_content_is_escaped_and_shown_as_text() -> None:
    page = parse(render_report(hostile_report(), "html"))
    assert_inert(page)
    for hostile in (HOSTILE_TITLE, HOSTILE_CRITERION, HOSTILE_COMMENT, "<i>ask</i>"):
        assert hostile in page.text, hostile
    assert "Sprint <script>window.__pwned=6</script>" in page.find("title")[0].text


def test_javascript_urls_are_not_links() -> None:
    page = parse(render_report(hostile_report(), "html"))
    hrefs = [e.attrs["href"] for e in page.find("a")]
    assert not [h for h in hrefs if "javascript" in h.lower()]
    key = [e for e in page.find("span", "nolink") if e.text == "PAY-66"]
    assert key and key[0].attrs["title"].startswith("javascript:")


def test_page_is_self_contained() -> None:
    html = render_report(sample_report(), "html")
    page = parse(html)
    assert_inert(page)
    assert [e.attrs.get("href", "") for e in page.find("link")] == []
    external = [h for e in page.find("a") if not (h := e.attrs["href"]).startswith("#")]
    assert all(h.startswith("https://acme.atlassian.net/") for h in external)


def test_header_has_sprint_dates_and_summary() -> None:
    page = parse(render_report(sample_report(), "html"))
    assert page.find("h1")[0].text == "AC changes · Payments Sprint 42"
    meta = page.find("p", "meta")[0].text
    assert "2024-05-06" in meta and "2024-05-17" in meta
    cards = {e.text.strip() for e in page.find("div", "card")}
    assert {"5issues in the sprint", "2✗ flagged", "1~ cosmetic"} <= cards


def test_timeline_places_every_change_with_colour_and_glyph() -> None:
    report = sample_report()
    page = parse(render_report(report, "html"))
    assert len(page.find("svg", "timeline")) == 1
    marks = page.find("a", "mark")
    assert len(marks) == len(report.changes)
    anchors = {e.attrs["id"] for e in page.elements if "id" in e.attrs}
    for mark in marks:
        assert mark.attrs["href"][1:] in anchors  # every mark jumps to its change
    in_marks = [g.attrs["class"] for g in page.find("g", "glyph")]
    assert {"glyph glyph-flagged", "glyph glyph-discussed", "glyph glyph-cosmetic"} <= set(in_marks)
    # Shapes differ by verdict, not only colours: a triangle, a circle, a diamond.
    assert page.find("path", "fill-flagged") and page.find("circle", "fill-discussed")
    assert page.find("path", "fill-cosmetic")


def test_diffs_with_word_highlights() -> None:
    page = parse(render_report(sample_report(), "html"))
    assert "2s" in {e.text for e in page.find("del")}
    assert "500ms" in {e.text for e in page.find("ins")}
    assert "or wallet" in {e.text for e in page.find("ins")}
    assert any("number: 2s → 500ms" in e.text for e in page.find("span", "risk"))
    removed = [e.text for e in page.find("li", "removed")]
    assert any("Partial refunds are possible" in t for t in removed)


def test_each_change_shows_who_when_how_far_and_why() -> None:
    page = parse(render_report(sample_report(), "html"))
    flagged = next(e for e in page.find("div", "change") if e.attrs["id"] == "change-1")
    assert "flagged" in flagged.attrs["class"]
    assert "Priya Nair" in flagged.text and "2024-05-08 14:30 UTC" in flagged.text
    assert "day 2.2 · 54 h into the sprint" in flagged.text
    assert "written by the editor" in flagged.text  # the considered list
    assert "Ask engineering what the change costs" in flagged.text  # the phrase's suggestion
    discussed = next(e for e in page.find("div", "change") if e.attrs["id"] == "change-3")
    assert "Wallet refunds need the PSP's v2 API" in discussed.text


def test_issues_show_baseline_and_worst_first() -> None:
    page = parse(render_report(sample_report(), "html"))
    issues = page.find("article", "issue")
    assert [e.attrs["id"] for e in issues] == [
        "issue-PAY-7",
        "issue-PAY-21",
        "issue-PAY-12",
        "issue-PAY-15",
    ]
    baseline = page.find("ol", "criteria")[0].text
    assert "Partial refunds are possible" in baseline
    assert "PAY-3" in "".join(e.text for e in page.find("ul", "unchanged"))


def test_empty_sprint_renders() -> None:
    page = parse(render_report(empty_report(), "html"))
    assert_inert(page)
    assert page.find("svg", "timeline") and not page.find("a", "mark")
    assert "No acceptance criteria changed" in page.text


def test_print_stylesheet_is_there() -> None:
    style = parse(render_report(sample_report(), "html")).find("style")[0].text
    assert "@media print" in style and "break-after: page" in style


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("<>\"'&=/ ;:jscript()aonerl")), max_size=40))
def test_any_title_comes_out_as_the_same_text(text: str) -> None:
    from dataclasses import replace

    report = sample_report()
    change = report.changes[0]
    hacked = replace(change, issue=replace(change.issue, title=text, url=text))
    page = parse(render_report(replace(report, changes=(hacked,)), "html"))
    assert_inert(page)
    row = page.find("td", "title")[0]
    assert row.text.endswith(" " + text) or row.text.endswith(text)


def test_mark_words_finds_words_in_reading_order() -> None:
    assert mark_words("within 2 seconds, not 2 minutes", ["2 seconds"]) == [
        Segment("within ", False),
        Segment("2 seconds", True),
        Segment(", not 2 minutes", False),
    ]
    # The second "the" is the changed one when an earlier word comes first.
    assert mark_words("the a the b", ["a", "the"]) == [
        Segment("the ", False),
        Segment("a the", True),
        Segment(" b", False),
    ]
    assert mark_words("unchanged", []) == [Segment("unchanged", False)]


def test_trend_html_has_a_chart_and_a_row_per_sprint() -> None:
    page = parse(render_trend(trend_points(), "html"))
    assert_inert(page)
    assert len(page.find("svg", "chart")) == 1
    assert len(page.find("g", "bar")) == 4
    assert len(page.find("circle", "share-dot")) == 4
    rows = page.find("tr")[1:]
    assert len(rows) == 4 and "Payments Sprint 41" in rows[2].text and "57%" in rows[2].text
    assert "No sprints" in parse(render_trend((), "html")).text
