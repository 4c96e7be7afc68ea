"""The AC corpus: realistic edit pairs in every format, each with its expected class.

Each case in ``corpus/*.toml`` says whether the edit is ``none``, ``cosmetic`` or
``substantive`` and, for substantive ones, how many criteria were added, removed and
modified. A case is right only when the class and all three counts match.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tracker.ac import ChangeKind, compare_ac

CORPUS = Path(__file__).parent / "corpus"
MIN_ACCURACY = 0.95


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(CORPUS.glob("ac_pairs_*.toml")):
        with path.open("rb") as fh:
            cases.extend(tomllib.load(fh)["case"])
    return cases


def judge(case: dict[str, Any]) -> str | None:
    """None when the case is classified as expected, else what went wrong."""
    comparison = compare_ac(
        case.get("before") or None,
        case.get("after") or None,
        whole_field=case.get("whole_field", False),
    )
    diff = comparison.diff
    expected: tuple[object, ...] = (case["expect"],)
    got: tuple[object, ...] = (comparison.kind.value,)
    if comparison.kind is ChangeKind.SUBSTANTIVE:
        expected += (case.get("added", 0), case.get("removed", 0), case.get("modified", 0))
        got += (len(diff.added), len(diff.removed), len(diff.modified))
    if got == expected:
        return None
    return f"{case['id']}: expected {expected}, got {got}; diff={diff}"


def test_corpus_is_large_and_well_formed() -> None:
    cases = load_cases()
    assert len(cases) >= 80
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    formats = {c["format"] for c in cases}
    assert {"wiki", "markdown", "adf", "plain", "gwt"} <= formats
    for case in cases:
        assert case["expect"] in {"none", "cosmetic", "substantive"}, case["id"]
        if case["expect"] == "substantive":
            assert case.get("added", 0) + case.get("removed", 0) + case.get("modified", 0)


def test_corpus_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    cases = load_cases()
    misses = [miss for case in cases if (miss := judge(case)) is not None]
    accuracy = 1 - len(misses) / len(cases)
    with capsys.disabled():
        print(
            f"\nAC corpus: {len(cases) - len(misses)}/{len(cases)} right, accuracy {accuracy:.3f}"
        )
    assert accuracy >= MIN_ACCURACY, "misclassified:\n" + "\n".join(misses)
