"""Criterion-by-criterion diff of two AC versions, and whether the change matters.

Alignment, in three passes so a cheap certain match is never stolen by a fuzzy one:
identical criteria (as a multiset, so reordering is not a change), then criteria equal
after canonicalisation (case, punctuation, ``2 seconds``/``2s``), then the remaining
pairs whose rapidfuzz token score reaches ``PAIR_THRESHOLD``, best pair first (ties go
to the pair closest in position, then the earliest). A paired criterion is ``modified``
with the words that changed and its ``risks``; the rest are ``removed``/``added``.

Kinds: ``NONE`` when the AC text is the same (after line endings and trailing spaces,
which Jira's UI hides and its changelog does not); ``COSMETIC`` when every difference is
whitespace, markup, list markers, order, case, punctuation, duplicates, or a typo fix
(a small edit of words carrying no number, unit, negation, modal or bound);
``SUBSTANTIVE`` otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from tracker.ac._lines import Line
from tracker.ac._split import split_criteria
from tracker.ac._words import canon, is_typo_fix, number_risk, word_changes, word_risks
from tracker.ac.extract import (
    DEFAULT_HEADINGS,
    MAX_CRITERIA,
    MAX_FIELD_CHARS,
    AcText,
    AcTooLarge,
    ac_lines,
)

PAIR_THRESHOLD = 60.0
_ALL_PAIRS = 10_000
_BEST_PER_CRITERION = 8


@dataclass(frozen=True, slots=True)
class Modified:
    """A criterion that was reworded. ``removed_words``/``added_words`` are the words
    that changed; ``risks`` names what the change touches that usually costs
    engineering time (``"number: 2s → 500ms"``, ``"negation: must → must not"``)."""

    before: str
    after: str
    removed_words: tuple[str, ...] = ()
    added_words: tuple[str, ...] = ()
    risks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CriteriaDiff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[Modified, ...] = ()

    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.modified)


class ChangeKind(StrEnum):
    NONE = "none"
    COSMETIC = "cosmetic"
    SUBSTANTIVE = "substantive"


@dataclass(frozen=True, slots=True)
class Comparison:
    """``too_large``: a side is past ``MAX_FIELD_CHARS`` or ``MAX_CRITERIA``; the change
    is then ``SUBSTANTIVE`` with an empty diff, since what changed was not read."""

    kind: ChangeKind
    diff: CriteriaDiff
    too_large: bool = False


TOO_LARGE_REASON = (
    f"too large to diff (over {MAX_FIELD_CHARS:,} characters or {MAX_CRITERIA} criteria)"
)


def diff_criteria(before: Sequence[str], after: Sequence[str]) -> CriteriaDiff:
    """What changed from ``before`` to ``after``: added, removed and modified criteria."""
    left = set(range(len(before)))
    right = set(range(len(after)))
    _match_exact(before, after, left, right, key=lambda s: s)
    pairs = _match_exact(before, after, left, right, key=canon)
    pairs += _match_fuzzy(before, after, left, right)
    modified = tuple(modify(before[i], after[j]) for i, j in sorted(pairs, key=lambda p: p[1]))
    return CriteriaDiff(
        added=tuple(after[j] for j in sorted(right)),
        removed=tuple(before[i] for i in sorted(left)),
        modified=modified,
    )


def modify(before: str, after: str) -> Modified:
    removed, added = word_changes(before, after)
    risks: list[str] = []
    if number := number_risk(before, after):
        risks.append(number)
    risks.extend(r for r in word_risks(before, after) if r not in risks)
    return Modified(before, after, removed, added, tuple(dict.fromkeys(risks)))


def compare_ac(
    before_text: AcText,
    after_text: AcText,
    *,
    whole_field: bool,
    headings: Sequence[str] = DEFAULT_HEADINGS,
) -> Comparison:
    """Classify the change of a field's text as far as its AC is concerned."""
    if (before_text is None or isinstance(before_text, str)) and (
        after_text is None or isinstance(after_text, str)
    ):
        # memoised: an issue changed once has the same net diff as its one change
        return _compare_str(before_text, after_text, whole_field, tuple(headings))
    return _compare(before_text, after_text, whole_field, tuple(headings))


@functools.lru_cache(maxsize=16_384)
def _compare_str(
    before_text: str | None, after_text: str | None, whole_field: bool, headings: tuple[str, ...]
) -> Comparison:
    return _compare(before_text, after_text, whole_field, headings)


def _compare(
    before_text: AcText, after_text: AcText, whole_field: bool, headings: tuple[str, ...]
) -> Comparison:
    if before_text == after_text:
        return Comparison(ChangeKind.NONE, CriteriaDiff())
    try:
        before_raw, before = _ac_view(before_text, whole_field, headings)
        after_raw, after = _ac_view(after_text, whole_field, headings)
    except AcTooLarge:
        return Comparison(ChangeKind.SUBSTANTIVE, CriteriaDiff(), too_large=True)
    if before_raw == after_raw:
        # A dedicated AC field that was saved with other line endings or trailing
        # spaces was still re-written: list it as cosmetic (whitespace-only edits
        # are cosmetic). In a description the same difference cannot be placed
        # inside or outside the AC section, so it is no AC change.
        rewritten = whole_field and (before_text or "") != (after_text or "")
        return Comparison(ChangeKind.COSMETIC if rewritten else ChangeKind.NONE, CriteriaDiff())
    if max(len(before), len(after)) > MAX_CRITERIA:
        return Comparison(ChangeKind.SUBSTANTIVE, CriteriaDiff(), too_large=True)
    diff = diff_criteria(before, after)
    kind = ChangeKind.SUBSTANTIVE if is_substantive(diff, before, after) else ChangeKind.COSMETIC
    return Comparison(kind, diff)


def _ac_view(
    text: AcText, whole_field: bool, headings: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """(the AC's raw text, its criteria): memoised for text, since a report compares
    each version with both of its neighbours and extracts it for display too."""
    if text is None or isinstance(text, str):
        return _ac_view_of_str(text, whole_field, headings)
    return _ac_view_uncached(text, whole_field, headings)


@functools.lru_cache(maxsize=16_384)
def _ac_view_of_str(
    text: str | None, whole_field: bool, headings: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    return _ac_view_uncached(text, whole_field, headings)


def _ac_view_uncached(
    text: AcText, whole_field: bool, headings: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    lines = ac_lines(text, whole_field=whole_field, headings=headings)
    return _raw(lines), tuple(c.text for c in split_criteria(lines or []))


def is_substantive(diff: CriteriaDiff, before: Sequence[str], after: Sequence[str]) -> bool:
    """Anything beyond a duplicate dropped or added, or a modification that is not a typo."""
    # Canonical keys only for the side an addition or removal is checked against:
    # most edits reword one criterion, and the untouched ones need no tokenising.
    if diff.added:
        before_keys = {canon(c) for c in before}
        if any(canon(c) not in before_keys for c in diff.added):
            return True
    if diff.removed:
        after_keys = {canon(c) for c in after}
        if any(canon(c) not in after_keys for c in diff.removed):
            return True
    return not all(is_typo_fix(m.before, m.after) for m in diff.modified)


def _raw(lines: list[Line] | None) -> str:
    text = "\n".join(line.raw.rstrip() for line in lines or [])
    return text.strip("\n")


def _match_exact(
    before: Sequence[str],
    after: Sequence[str],
    left: set[int],
    right: set[int],
    key: Callable[[str], str],
) -> list[tuple[int, int]]:
    waiting: dict[str, list[int]] = {}
    for i in sorted(left):
        waiting.setdefault(key(before[i]), []).append(i)
    pairs: list[tuple[int, int]] = []
    for j in sorted(right):
        queue = waiting.get(key(after[j]))
        if queue:
            i = queue.pop(0)
            pairs.append((i, j))
            left.discard(i)
            right.discard(j)
    return pairs


def _match_fuzzy(
    before: Sequence[str], after: Sequence[str], left: set[int], right: set[int]
) -> list[tuple[int, int]]:
    columns = sorted(right)
    if len(left) * len(columns) <= _ALL_PAIRS:
        return _match_pairs(before, after, left, right, columns)
    keys = [canon(after[j]) for j in columns]
    # token_sort_ratio is ratio on sorted words: sort each candidate's words once
    choices = [_sorted_words(c) for c in keys]
    long_choices = [c if len(c.split()) >= 3 else None for c in keys]
    scored: list[tuple[float, float, int, int]] = []
    # Past ten thousand pairs the scoring loops run inside rapidfuzz, and only each
    # criterion's best few candidates are kept for the greedy pass: a list of hundreds of
    # near-identical rewordings would otherwise queue and sort every pair of them. Among
    # equal scores rapidfuzz keeps the first, so the candidates are rotated to start where
    # the criterion stood: a list reworded in place pairs in place.
    rows = sorted(left)
    for rank, i in enumerate(rows):
        at = rank * len(columns) // len(rows)
        turned = (choices[at:] + choices[:at], long_choices[at:] + long_choices[:at])
        for k, score in _scores(canon(before[i]), *turned, _BEST_PER_CRITERION).items():
            j = columns[(k + at) % len(columns)]
            offset = abs(i / max(len(before), 1) - j / max(len(after), 1))
            scored.append((-score, offset, i, j))
    return _greedy(scored, left, right)


def _match_pairs(
    before: Sequence[str],
    after: Sequence[str],
    left: set[int],
    right: set[int],
    columns: list[int],
) -> list[tuple[int, int]]:
    """Every pair scored, best first: exact, and for small lists the cheapest."""
    keys_a = {j: canon(after[j]) for j in columns}
    scored: list[tuple[float, float, int, int]] = []
    for i in sorted(left):
        key = canon(before[i])
        for j in columns:
            score = similarity(key, keys_a[j])
            if score >= PAIR_THRESHOLD:
                offset = abs(i / max(len(before), 1) - j / max(len(after), 1))
                scored.append((-score, offset, i, j))
    return _greedy(scored, left, right)


def _greedy(
    scored: list[tuple[float, float, int, int]], left: set[int], right: set[int]
) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for _, _, i, j in sorted(scored):
        if i in left and j in right:
            pairs.append((i, j))
            left.discard(i)
            right.discard(j)
    return pairs


def _scores(
    key: str, choices: list[str], long_choices: list[str | None], limit: int | None
) -> dict[int, float]:
    """``similarity(key, c)`` for every choice where it reaches ``PAIR_THRESHOLD``
    (``choices`` with sorted words, ``long_choices`` as they are, None where too short for
    the set score). The loops over candidates run inside rapidfuzz."""
    found: dict[int, float] = {}
    hits = process.extract(
        _sorted_words(key), choices, scorer=fuzz.ratio, processor=None,
        score_cutoff=PAIR_THRESHOLD, limit=limit,
    )  # fmt: skip
    for _, score, k in hits:
        found[k] = float(score)
    if len(key.split()) >= 3:
        hits = process.extract(
            key, long_choices, scorer=fuzz.token_set_ratio, processor=None,
            score_cutoff=PAIR_THRESHOLD / 0.9 - 1e-9, limit=limit,
        )  # fmt: skip
        for _, score, k in hits:
            weighted = 0.9 * float(score)
            if weighted >= PAIR_THRESHOLD and weighted > found.get(k, 0.0):
                found[k] = weighted
    return found


def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


def similarity(a: str, b: str) -> float:
    """0-100: how likely ``b`` is a rewording of ``a`` (canonical texts)."""
    score = float(fuzz.token_sort_ratio(a, b))
    if min(len(a.split()), len(b.split())) >= 3:
        score = max(score, 0.9 * float(fuzz.token_set_ratio(a, b)))
    return score
