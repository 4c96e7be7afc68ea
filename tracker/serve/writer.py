"""One writer thread with group commit: how the receiver keeps up with bursts.

A commit is durable only after the disk has flushed it, and on SQLite that flush costs
more than everything else a delivery does. So deliveries are not committed one by one:
requests queue what they carry and wait; the one writer thread takes everything queued
(up to ``MAX_BATCH``), stores it in one transaction, commits once, and only then answers
each request. A delivery is acknowledged only once it is on disk, and a burst of a hundred
costs one flush instead of a hundred. One writer also means SQLite never makes two of
our own writes wait for each other's lock.

If a batch fails, each of its deliveries is retried alone, so one bad delivery cannot
take the others down with it.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime

from tracker.domain import PushedEvent
from tracker.errors import StoreError
from tracker.store import PushedDelivery, Store

log = logging.getLogger("tracker.serve")

MAX_BATCH = 256
_STOP = object()
_Write = Callable[[Sequence[PushedDelivery]], list[bool]]


class GroupWriter:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._failed: StoreError | None = None
        self.batches = 0  # for tests and the benchmark: commits made

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tracker-serve-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=30)
            self._thread = None

    async def save(
        self, events: Sequence[PushedEvent], delivery: tuple[str, str] | None, at: datetime
    ) -> bool:
        """Queue one delivery and wait until it is committed; False when it was stored
        before. Raises StoreError when the database refused it."""
        if self._failed is not None:
            raise self._failed
        if self._thread is None:
            raise StoreError("the receiver's writer is not running")
        done: Future[bool] = Future()
        self._queue.put((PushedDelivery(events, delivery, at), done))
        return await asyncio.wrap_future(done)

    def _run(self) -> None:
        try:
            with self._store.pushed_writer() as write:
                while True:
                    first = self._queue.get()
                    if first is _STOP:
                        return
                    batch = [first]
                    while len(batch) < MAX_BATCH:
                        try:
                            item = self._queue.get_nowait()
                        except queue.Empty:
                            break
                        if item is _STOP:
                            self._queue.put(_STOP)
                            break
                        batch.append(item)
                    self._write(write, batch)  # type: ignore[arg-type]  # queue holds objects
        except StoreError as exc:
            log.error("the writer stopped: %s", exc)
            self._failed = exc
            self._fail_queued(exc)

    def _write(self, write: _Write, batch: list[tuple[PushedDelivery, Future[bool]]]) -> None:
        try:
            results = write([delivery for delivery, _ in batch])
        except StoreError:
            self.batches += 1
            for delivery, done in batch:  # alone, so one bad delivery fails alone
                try:
                    done.set_result(write([delivery])[0])
                except StoreError as exc:
                    done.set_exception(exc)
            return
        self.batches += 1
        for (_, done), stored in zip(batch, results, strict=True):
            done.set_result(stored)

    def _fail_queued(self, exc: StoreError) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, tuple):
                item[1].set_exception(exc)
