"""Properties of the AC core and the policy, checked with hypothesis."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.ac import ChangeKind, compare_ac, diff_criteria, extract_criteria
from tracker.domain import Comment, Link, LinkKind, Person
from tracker.findings import CriteriaDiff
from tracker.policy import ChangeContext, Policy, judge_change

WORDS = [
    "user",
    "admin",
    "merchant",
    "refund",
    "payment",
    "invoice",
    "search",
    "result",
    "token",
    "session",
    "email",
    "push",
    "export",
    "report",
    "card",
    "order",
    "cart",
    "page",
    "list",
    "shows",
    "sends",
    "stores",
    "returns",
    "blocks",
    "within",
    "after",
    "per",
    "daily",
    "total",
    "amount",
    "fee",
    "account",
    "password",
    "reset",
    "link",
    "2s",
    "500ms",
    "10",
    "3",
    "minutes",
    "EUR",
]

criterion = st.lists(st.sampled_from(WORDS), min_size=2, max_size=8).map(" ".join)
criteria = st.lists(criterion, min_size=0, max_size=6)
any_texts = st.lists(st.text(max_size=30), max_size=6)


@given(any_texts)
def test_diff_of_a_list_with_itself_is_empty(items: list[str]) -> None:
    assert diff_criteria(items, items) == CriteriaDiff()


def _apply(before: list[str], diff: CriteriaDiff) -> Counter[str]:
    result = Counter(before)
    for gone in (*diff.removed, *(m.before for m in diff.modified)):
        assert result[gone] > 0, f"{gone!r} is not in the old version"
        result[gone] -= 1
    result.update(diff.added)
    result.update(m.after for m in diff.modified)
    return +result


@given(any_texts, any_texts)
def test_diff_explains_the_new_version(before: list[str], after: list[str]) -> None:
    assert _apply(before, diff_criteria(before, after)) == Counter(after)


@given(criteria, criteria)
def test_diff_explains_realistic_versions(before: list[str], after: list[str]) -> None:
    assert _apply(before, diff_criteria(before, after)) == Counter(after)


MARKUP = st.sampled_from(
    ["\n", "\r\n", "* ", "** ", "# ", "## ", "- [ ] ", "1. ", "h3. ", "*AC*", "AC1 ", "AC:",
     "Given ", "When ", "Then ", "And ", "Scenario: ", "||", "|", "----", "{code}",
     "{panel:title=AC}", "{panel}", "```", "**", "_", "`", "[x|y]", "Acceptance Criteria",
     "===", "  ", "{", '"doc"']
)  # fmt: skip
markup_texts = st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=25).map("".join)


@given(markup_texts, markup_texts, st.booleans())
@settings(max_examples=300)
def test_any_text_extracts_and_compares_without_error(a: str, b: str, whole: bool) -> None:
    for text in (a, b):
        for item in extract_criteria(text, whole_field=whole):
            assert item == item.strip() and item
    result = compare_ac(a, b, whole_field=whole)
    assert (result.kind is ChangeKind.NONE) <= result.diff.is_empty()
    assert compare_ac(a, a, whole_field=whole).kind is ChangeKind.NONE


# --- cosmetic transforms never make a substantive change ------------------------------------


def _render(items: list[str], wiki: bool, marker: str, heading: str) -> str:
    head = f"h3. {heading}" if wiki else f"## {heading}"
    return "\n".join(["Intro text", "", head, *(f"{marker} {i}" for i in items)])


@st.composite
def cosmetic_pairs(draw: st.DrawFn) -> tuple[str, str]:
    items = draw(st.lists(criterion, min_size=1, max_size=6))
    wiki = draw(st.booleans())
    markers = ["*", "#", "-"] if wiki else ["*", "-", "+", "1."]
    before = _render(items, wiki, draw(st.sampled_from(markers)), "Acceptance Criteria")
    changed = draw(st.permutations(items))
    case = draw(st.sampled_from(["keep", "upper", "lower", "title"]))
    changed = [getattr(str, case)(i) if case != "keep" else i for i in changed]
    if draw(st.booleans()):
        changed = [i.replace(" ", "  ", 1) + "." for i in changed]
    heading = draw(st.sampled_from(["Acceptance Criteria", "acceptance criteria", "AC"]))
    after = _render(changed, wiki, draw(st.sampled_from(markers)), heading)
    if draw(st.booleans()):
        after = after.replace("\n", "\r\n")
    if draw(st.booleans()):
        after = after.replace("\n", "  \n")
    return before, after


@given(cosmetic_pairs())
@settings(max_examples=150)
def test_cosmetic_transforms_are_cosmetic_or_none(pair: tuple[str, str]) -> None:
    before, after = pair
    result = compare_ac(before, after, whole_field=False)
    assert result.kind in (ChangeKind.COSMETIC, ChangeKind.NONE), result


@given(st.lists(criterion, min_size=1, max_size=6), st.booleans())
def test_whole_field_markers_and_line_endings_are_not_substantive(
    items: list[str], crlf: bool
) -> None:
    before = "\n".join(f"* {i}" for i in items)
    after = "\n".join(f"- {i}  " for i in reversed(items))
    after = after.replace("\n", "\r\n") if crlf else after
    assert compare_ac(before, after, whole_field=True).kind is not ChangeKind.SUBSTANTIVE


# --- the verdict does not depend on the order evidence arrives in -----------------------------

T0 = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
PEOPLE = [
    Person("p1", "Priya Nair", "priya@acme.com"),
    Person("p2", "Bob Chen", "bob@acme.com"),
    Person("p3", "Automation", is_bot=True),
    Person("p4", "Sam Doe"),
]
offsets = st.integers(min_value=-6 * 24 * 60, max_value=6 * 24 * 60).map(
    lambda m: T0 + timedelta(minutes=m)
)
comments = st.builds(
    Comment,
    source=st.just("jira"),
    issue_key=st.just("PAY-7"),
    id=st.text("abc123", min_size=1, max_size=4),
    created_at=offsets,
    author=st.one_of(st.none(), st.sampled_from(PEOPLE)),
    body=st.sampled_from(["ok", "#impact: 2 days", "looks fine", "it should be simple"]),
)
links = st.builds(
    Link,
    source=st.just("jira"),
    issue_key=st.just("PAY-7"),
    id=st.text("xyz789", min_size=1, max_size=4),
    kind=st.sampled_from(list(LinkKind)),
    title=st.sampled_from(["Spike: retries", "Fix footer", "Design doc", "Slack thread"]),
    added_at=st.one_of(st.none(), offsets),
)
policies = st.sampled_from([Policy(), Policy(engineers=("bob@acme.com",))])


@given(
    st.lists(comments, max_size=6),
    st.lists(links, max_size=4),
    policies,
    st.sampled_from(PEOPLE),
    st.randoms(use_true_random=False),
)
def test_judgement_does_not_depend_on_evidence_order(
    cs: list[Comment], ls: list[Link], policy: Policy, editor: Person, rnd: object
) -> None:
    change = ChangeContext("PAY-7", T0, T0 + timedelta(minutes=7), editor, ChangeKind.SUBSTANTIVE)
    expected = judge_change(change, cs, ls, policy)
    shuffled_c, shuffled_l = list(cs), list(ls)
    rnd.shuffle(shuffled_c)  # type: ignore[attr-defined]
    rnd.shuffle(shuffled_l)  # type: ignore[attr-defined]
    assert judge_change(change, shuffled_c[::-1], shuffled_l, policy) == expected
