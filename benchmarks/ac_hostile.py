"""Hostile AC text (issue #16 finding 1): how long the AC core takes on each input that
was quadratic or recursive, read cold as one report would.

    python benchmarks/ac_hostile.py

Prints a Markdown table. Never asserts anything about time (the tests guard against hangs).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/ac_hostile.py` from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.ac import clear_caches, compare_ac, extract_criteria

RUNS = ["~~a ", "**a ", "[[", "{{", "[~", "*a ", "[a|", "![", "[a](", "<https://", "{color:"]


def _nested(depth: int) -> dict[str, object]:
    node: dict[str, object] = {"type": "paragraph", "content": [{"type": "text", "text": "x"}]}
    for _ in range(depth):
        node = {"type": "bulletList", "content": [{"type": "listItem", "content": [node]}]}
    return {"type": "doc", "content": [node]}


def _reworded(n: int) -> tuple[str, str]:
    before = "\n".join(f"* Export number {i} holds for every user" for i in range(n))
    after = "\n".join(f"* Export {i} holds for each user" for i in range(n))
    return before, after


def cases() -> list[tuple[str, int, Callable[[], object]]]:
    out: list[tuple[str, int, Callable[[], object]]] = []
    for run in RUNS:
        text = "* " + run * (64_000 // len(run))
        out.append((f"`{run.strip()}` × 64 KB", len(text), _compare(text, text + " x")))
    for depth in (900, 10_000):
        doc = _nested(depth)
        out.append((f"ADF {depth:,} levels", depth, _extract(doc)))
    for n in (100, 500, 3000):
        before, after = _reworded(n)
        out.append((f"{n:,} criteria reworded", len(after), _compare(before, after)))
    huge = "* A criterion " + "that goes on " * 400_000
    out.append(("5 MB field", len(huge), _compare("* short", huge)))
    return out


def _compare(before: object, after: object) -> Callable[[], object]:
    return lambda: compare_ac(before, after, whole_field=True)  # type: ignore[arg-type]


def _extract(doc: object) -> Callable[[], object]:
    return lambda: extract_criteria(doc, whole_field=True)  # type: ignore[arg-type]


def main() -> None:
    print("| input | size | seconds |\n|---|---:|---:|")
    for name, size, run in cases():
        clear_caches()
        start = time.perf_counter()
        run()
        print(f"| {name} | {size:,} | {time.perf_counter() - start:.3f} |")


if __name__ == "__main__":
    main()
