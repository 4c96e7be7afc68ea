"""Markdown for Confluence/GitHub/Slack: the full report and the chat-sized summary."""

from __future__ import annotations

import re
from dataclasses import replace

from report_fixtures import HOSTILE_URL, empty_report, hostile_report, sample_report

from reports import render_report
from reports.markdown import escape, link
from tracker.findings import Verdict

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def table_rows(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [UNESCAPED_PIPE.split(line)[1:-1] for line in rows]


def test_full_report_has_summary_table_and_net_diffs() -> None:
    text = render_report(sample_report(), "markdown")
    assert text.startswith("## AC changes · Payments Sprint 42\n")
    assert "5 changes: 2 flagged, 2 discussed, 1 cosmetic" in text
    rows = table_rows(text)
    assert len(rows) == 1 + 5  # header + one per change
    assert "flagged" in rows[1][0] and "flagged" in rows[2][0]
    assert "[PAY-7](https://acme.atlassian.net/browse/PAY-7)" in rows[1][1]
    assert "- ➕ Refunds over 1 000 € need a second approver" in text
    assert "- ➖ ~~Partial refunds are possible~~" in text
    assert "_joined after sprint start_" in text


def test_hostile_text_cannot_break_the_table_or_inject_html_or_links() -> None:
    text = render_report(hostile_report(), "markdown")
    assert all(len(row) == 6 for row in table_rows(text))
    assert not re.search(r"(?<!\\)[<>]", text), "raw HTML would reach Confluence or GitHub"
    assert "](javascript" not in text.lower()
    assert "\\<script\\>" in text
    assert "PAY-66" in text


def test_summary_only_is_chat_sized() -> None:
    text = render_report(sample_report(), "markdown", summary_only=True)
    lines = text.splitlines()
    assert len(lines) <= 15
    assert "5 changes after sprint start: 2 flagged, 2 discussed, 1 cosmetic" in text
    assert sum(1 for line in lines if line.startswith("- ")) == 2


def test_summary_only_stays_short_with_many_flagged_changes() -> None:
    report = sample_report()
    flagged = replace(report.changes[1], verdict=Verdict.FLAGGED)
    many = tuple(
        replace(flagged, issue=replace(flagged.issue, key=f"PAY-{n}")) for n in range(100, 130)
    )
    text = render_report(replace(report, changes=many), "markdown", summary_only=True)
    assert len(text.splitlines()) <= 15
    assert "… and 25 more" in text


def test_empty_sprint() -> None:
    text = render_report(empty_report(), "markdown")
    assert "No acceptance criteria changed" in text
    assert table_rows(text) == []


def test_escape_and_link_helpers() -> None:
    assert escape("a|b *c* [d](e) <x>") == r"a\|b \*c\* \[d\](e) \<x\>"
    assert escape("two\nlines") == "two lines"
    assert link("PAY-1", HOSTILE_URL) == "PAY-1"
    assert link("x", "https://a.example/p (1)") == "[x](https://a.example/p%20%281%29)"


def test_trust_eroding_phrases_are_shown_with_the_better_question() -> None:
    report = sample_report()
    phrases = [p for c in report.changes for p in c.phrases]
    assert phrases
    text = render_report(report, "markdown")
    assert "Said around the change:" in text
    for phrase in phrases:
        assert escape(phrase.suggestion) in text
