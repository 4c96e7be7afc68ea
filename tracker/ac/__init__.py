"""Acceptance criteria: find them in a field's text, split, diff and classify changes."""

from tracker.ac import _inline, _lines, _split, _words, diff, extract
from tracker.ac.diff import TOO_LARGE_REASON, ChangeKind, Comparison, compare_ac, diff_criteria
from tracker.ac.extract import (
    DEFAULT_HEADINGS,
    MAX_CRITERIA,
    MAX_FIELD_CHARS,
    extract_ac_section,
    extract_criteria,
    is_too_large,
)


def clear_caches() -> None:
    """Forget every memoised extraction: benchmarks call it to time a cold report, as
    one `tracker report` process runs it."""
    for cached in (
        _inline.strip_markup,
        _lines._classify_line,
        _split._split,
        _words._words_of,
        _words._canon_word,
        _words._opcodes,
        _words.canon,
        diff._ac_view_of_str,
        diff._compare_str,
        extract._criteria_of_str,
        extract._is_ac_title,
        extract._lines_of_str,
    ):
        cached.cache_clear()


__all__ = [
    "DEFAULT_HEADINGS",
    "MAX_CRITERIA",
    "MAX_FIELD_CHARS",
    "TOO_LARGE_REASON",
    "ChangeKind",
    "Comparison",
    "clear_caches",
    "compare_ac",
    "diff_criteria",
    "extract_ac_section",
    "extract_criteria",
    "is_too_large",
]
