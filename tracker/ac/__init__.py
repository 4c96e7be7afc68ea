"""Acceptance criteria: find them in a field's text, split, diff and classify changes."""

from tracker.ac.diff import ChangeKind, Comparison, compare_ac, diff_criteria
from tracker.ac.extract import DEFAULT_HEADINGS, extract_ac_section, extract_criteria

__all__ = [
    "DEFAULT_HEADINGS",
    "ChangeKind",
    "Comparison",
    "compare_ac",
    "diff_criteria",
    "extract_ac_section",
    "extract_criteria",
]
