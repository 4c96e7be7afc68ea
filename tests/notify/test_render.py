"""Each channel's markup: Slack Block Kit within its limits and escaped, Jira ADF and
wiki markup, Linear markdown; tracker text from an issue cannot ping or forge a link."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

from graphql import build_schema, parse, validate
from hypothesis import given
from hypothesis import strategies as st
from nudge_fixtures import START, nudge

from connectors.notify.comments import COMMENT_CREATE, render_adf, render_markdown, render_wiki
from connectors.notify.slack import BLOCKS_MAX, SECTION_MAX, escape, render_blocks, render_digest
from tracker.domain import Issue, Person
from tracker.findings import CriteriaDiff
from tracker.notify.compose import compose

OUR_LINK = re.compile(r"<https://acme\.atlassian\.net/browse/PAY-1\|[^<>]*>")
HOSTILE = CriteriaDiff(
    added=(
        "<!channel> refunds are <https://evil.example/login|PAY-101> & <@U012AB3CD>",
        "[~admin] please {code}x{code} [click|https://evil.example]",
    )
)


def _all_text(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False)


def test_slack_escapes_everything_that_came_from_the_tracker() -> None:
    payload = render_blocks(compose(nudge(diff=HOSTILE)))
    text = _all_text(payload)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<https://evil.example" not in text and "<@U012AB3CD>" not in text
    assert "&amp;" in text
    # The only link is the one tracker built: the issue.
    assert "<https://acme.atlassian.net/browse/PAY-101|PAY-101>" in text


def test_in_slack_the_answer_is_asked_for_on_the_issue() -> None:
    text = _all_text(render_blocks(compose(nudge(), on_issue=False)))
    assert "A comment with `#impact` on the issue, or a link to the discussion, settles it." in text
    assert "`#impact` here" not in text


def test_slack_sections_stay_within_3000_characters_and_link_the_rest() -> None:
    long = CriteriaDiff(modified=())
    huge_title = Issue(
        "acme-jira", "PAY-7", "7", "x" * 5000, "https://acme.atlassian.net/browse/PAY-7"
    )
    payload = render_blocks(compose(nudge(issue=huge_title, diff=long)))
    texts = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    assert all(len(t) <= SECTION_MAX for t in texts)
    assert any(
        "the rest is on <https://acme.atlassian.net/browse/PAY-7|the issue>" in t for t in texts
    )
    assert len(payload["blocks"]) <= BLOCKS_MAX


def test_a_digest_of_many_changes_keeps_within_50_blocks() -> None:
    many = tuple(
        nudge(
            issue=Issue(
                "acme-jira",
                f"PAY-{i}",
                str(i),
                f"Story {i}",
                f"https://acme.atlassian.net/browse/PAY-{i}",
            ),
            first_saved_at=START + timedelta(hours=i),
        )
        for i in range(80)
    )
    payload = render_digest(many[0].sprint, many)
    assert len(payload["blocks"]) == BLOCKS_MAX
    assert "… and 34 more: `tracker report --sprint 42`" in _all_text(payload)
    assert all(
        len(b["text"]["text"]) <= SECTION_MAX for b in payload["blocks"] if b["type"] == "section"
    )


def test_escape_is_exactly_slacks_three_characters() -> None:
    assert escape("a & b < c > d *e* @channel") == "a &amp; b &lt; c &gt; d *e* @channel"


def test_jira_cloud_comment_is_adf_with_mentions_by_account_id() -> None:
    doc = render_adf(compose(nudge()))
    assert doc["type"] == "doc" and doc["version"] == 1
    first = doc["content"][0]["content"]
    assert first[0] == {
        "type": "mention",
        "attrs": {"id": "5b10a2844c20165700ede21g", "text": "@Priya Nair"},
    }
    assert {
        "type": "mention",
        "attrs": {"id": "5b10ac8d82e05b22cc7d4ef5", "text": "@Alice Kim"},
    } in first
    assert any(b["type"] == "bulletList" for b in doc["content"])
    link = next(n for n in first if n.get("marks"))
    assert link["marks"] == [
        {"type": "link", "attrs": {"href": "https://acme.atlassian.net/browse/PAY-101"}}
    ]


def test_jira_server_comment_is_wiki_markup_that_cannot_smuggle_a_mention() -> None:
    server_editor = Person(id="priya", name="Priya Nair")
    keyed = Person(id="JIRAUSER10100", name="Alice Kim")
    text = render_wiki(compose(nudge(diff=HOSTILE, editor=server_editor, lead=keyed)))
    assert text.startswith("[~priya], @Alice Kim (engineering lead)")
    assert "[~admin]" not in text and "\\[\\~admin\\]" in text
    assert "{code}" not in text
    assert "[PAY-101|https://acme.atlassian.net/browse/PAY-101]" in text


def test_linear_comment_is_markdown_and_the_mutation_is_valid() -> None:
    text = render_markdown(compose(nudge(diff=HOSTILE)))
    assert "[PAY-101](https://acme.atlassian.net/browse/PAY-101)" in text
    assert "[click|https://evil.example]" not in text
    served = Path(__file__).resolve().parents[2] / "connectors" / "linear" / "schema.graphql"
    published = (
        Path(os.environ.get("TRACKER_SHARED_DIR", "../shared")) / "linear" / "schema.graphql"
    )
    for path in (served, published):
        if path.exists() or path == served:
            schema = build_schema(path.read_text(encoding="utf-8"))
            assert validate(schema, parse(COMMENT_CREATE)) == [], path


@given(st.text(max_size=300), st.text(max_size=100))
def test_no_tracker_text_becomes_slack_markup(criterion: str, title: str) -> None:
    """Whatever an issue says, the only ``<...>`` in the message are tracker's own links."""
    item = Issue("acme-jira", "PAY-1", "1", title, "https://acme.atlassian.net/browse/PAY-1")
    payload = render_blocks(compose(nudge(issue=item, diff=CriteriaDiff(added=(criterion,)))))
    for block in payload["blocks"]:
        texts = (
            [block["text"]["text"]]
            if block["type"] == "section"
            else [e["text"] for e in block["elements"]]
        )
        for text in texts:
            rest = OUR_LINK.sub("", text)
            assert "<" not in rest and ">" not in rest
            assert len(text) <= SECTION_MAX


@given(st.text(max_size=200))
def test_no_tracker_text_becomes_a_jira_mention_or_link(criterion: str) -> None:
    text = render_wiki(
        compose(nudge(diff=CriteriaDiff(added=(criterion,)), editor=None, lead=None))
    )
    body = text.split("\n\n", 1)[1]  # after the opening, which holds tracker's own link
    assert re.search(r"(?<!\\)\[", body) is None
    assert "tracker-nudge:" in text


def test_the_linear_comment_id_is_a_uuid4_derived_from_the_change() -> None:
    import uuid

    from connectors.notify.comments import comment_id

    first = comment_id(nudge())
    assert uuid.UUID(first).version == 4
    assert first == comment_id(nudge()) != comment_id(nudge(first_saved_at=START))
