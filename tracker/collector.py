"""Python's cycle collector, tuned in one place for short commands that build many records.

``benchmarks/report_bench.py`` measures both settings (``build_report``/``build_trend``
and whole ``tracker report`` processes); change them only with its numbers at hand.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


def freeze_startup() -> None:
    """Everything imported so far lives as long as the process: frozen, it is out of
    the collector's way and full collections stop re-walking it."""
    gc.freeze()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cycle collection inside the block. Building a report allocates tens of
    thousands of records, which triggers full collections that walk every live object
    again and again; the records hold no reference cycles, so reference counting frees
    them all the same."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
