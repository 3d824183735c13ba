"""A wall-clock budget for one story's parsing and cleaning, so one hostile page cannot stall a crawl.

On the main thread of a Unix process (where Scrapy's reactor runs the callbacks and pipelines) a
``SIGALRM`` timer interrupts the work: Python code and the ``re`` engine check for signals, so a
runaway regex or loop is stopped. Elsewhere the budget is only measured, and exceeded work is
reported when it returns.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class BudgetExceeded(Exception):
    """The story took longer than its time budget."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"took longer than its {seconds:g} s budget")


def _can_interrupt() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise ``BudgetExceeded`` when the block runs longer than ``seconds`` (None or 0: no limit).

    Budgets do not nest: an inner one replaces the outer timer until it ends."""
    if not seconds or seconds <= 0:
        yield
        return
    started = time.monotonic()
    if not _can_interrupt():
        yield
        if time.monotonic() - started > seconds:
            raise BudgetExceeded(seconds)
        return

    def expired(signum: int, frame: Any) -> None:
        raise BudgetExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
