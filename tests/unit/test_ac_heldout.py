"""The held-out AC set: edits written for issue #10 before the code that reads them, and
never tuned against. Its accuracy is reported beside the corpus's; the floor only keeps
it from falling back."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from test_ac_corpus import judge

HELDOUT = Path(__file__).parent / "heldout" / "ac_heldout.toml"
MIN_ACCURACY = 0.9  # 26/38 (0.684) before issue #10 §2, 36/38 after


def load_heldout() -> list[dict[str, Any]]:
    with HELDOUT.open("rb") as fh:
        cases: list[dict[str, Any]] = tomllib.load(fh)["case"]
    return cases


def test_heldout_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    cases = load_heldout()
    misses = [miss for case in cases if (miss := judge(case)) is not None]
    accuracy = 1 - len(misses) / len(cases)
    with capsys.disabled():
        print(f"\nAC held-out: {len(cases) - len(misses)}/{len(cases)} right, {accuracy:.3f}")
        for miss in misses:
            print("  miss:", miss[:300])
    assert accuracy >= MIN_ACCURACY, "misclassified:\n" + "\n".join(misses)
