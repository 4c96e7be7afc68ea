"""``tracker serve --notify``: nudge a flagged change within a minute of the edit.

A stored edit pokes the nudger with its source; it waits ``SETTLE`` seconds for the rest
of a burst of saves (one change to the policy), then runs the nudge function for the
poked sources. Every ``PERIOD`` it also runs for every source, so a change that becomes
due later (``[notify] delay``) is nudged without another edit. The nudge function is the
same one `tracker notify --send` runs, so each change is nudged once per channel,
whichever of them gets there first. A failure is logged in one line and never stops the
receiver.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

log = logging.getLogger("tracker.serve")

SETTLE = 5.0
PERIOD = 60.0


class Nudger:
    def __init__(
        self,
        nudge: Callable[[Sequence[str]], None],
        sources: Sequence[str],
        *,
        settle: float = SETTLE,
        period: float = PERIOD,
    ) -> None:
        self._nudge = nudge
        self._all = list(sources)
        self._settle = settle
        self._period = period
        self._poked: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def poke(self, source: str) -> None:
        with self._lock:
            self._poked.add(source)
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tracker-serve-nudger", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            poked = self._wake.wait(self._period)
            if self._stop.is_set():
                return
            if poked:
                self._stop.wait(self._settle)  # let the rest of a burst of saves land
            self._wake.clear()
            with self._lock:
                sources, self._poked = sorted(self._poked) or list(self._all), set()
            self._run_once(sources)

    def _run_once(self, sources: Sequence[str]) -> None:
        try:
            self._nudge(sources)
        except Exception as exc:  # a nudge failure must not stop the receiver
            log.error("nudges for %s not sent: %s", ", ".join(sources), _one_line(exc))
        self.runs += 1


def _one_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]
