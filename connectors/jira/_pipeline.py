"""Small threading helpers for overlapping a sync's request chains (see ``JiraSource``).

- :func:`prefetch` runs an iterator in a background thread at most ``ahead`` items ahead
  of its consumer, hands items (and the iterator's exception, in its place) over in
  order, and stops the thread when the consumer stops, early or not.
- :func:`worker_pool` is a ``ThreadPoolExecutor`` that, on leaving, drops the tasks not
  yet started: after a failure, nothing more is asked of the server.

Neither bounds requests: ``JiraClient`` does, whichever thread sends them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar, cast

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


@contextmanager
def prefetch(items: Iterator[T], ahead: int, name: str = "prefetch") -> Iterator[Iterator[T]]:
    """``items``, produced by a thread that runs at most ``ahead`` items in front.

    On leaving the block (the consumer finished, failed or was closed), the thread is
    told to stop and joined: it finishes the item it is producing, if any, and drops it.
    """
    handover: queue.Queue[object] = queue.Queue(maxsize=max(1, ahead))
    stop = threading.Event()

    def produce() -> None:
        # After `stop` is set the consumer drains the queue once, so every path below
        # puts at most one item before it looks at `stop` again: no put blocks forever.
        try:
            for item in items:
                handover.put(item)
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            handover.put(_Failed(exc))
            return
        handover.put(_DONE)

    def consume() -> Iterator[T]:
        while True:
            item = handover.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast(T, item)  # anything else came from `items`

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        while True:
            try:
                handover.get_nowait()
            except queue.Empty:
                break
        thread.join()


@contextmanager
def worker_pool(workers: int, name: str) -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix=name)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
