"""One crawl at a time per store.

The lock is an OS file lock (``filelock``, flock(2) on Unix): the kernel releases it when its
holder dies, so a crawl killed with SIGKILL never blocks the next one. Beside it an info file
says who holds it; finding that file from a process that is gone is how a killed run is noticed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

logger = logging.getLogger(__name__)


class LockHeld(Exception):
    """Another crawl holds the lock."""

    def __init__(self, holder: dict[str, object] | None):
        self.holder = holder or {}
        who = (
            f"pid {self.holder.get('pid')} since {self.holder.get('started')}"
            if holder
            else "another process"
        )
        super().__init__(f"another crawl is running ({who})")


@dataclass
class CrawlLock:
    path: Path

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path), timeout=0)
        self.info_path = self.path.with_name(self.path.name + ".info")
        self.took_over: dict[str, object] | None = None

    def _read_info(self) -> dict[str, object] | None:
        try:
            return json.loads(self.info_path.read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def __enter__(self) -> CrawlLock:
        try:
            self._lock.acquire()
        except Timeout:
            raise LockHeld(self._read_info()) from None
        previous = self._read_info()
        if previous and previous.get("pid") != os.getpid():
            self.took_over = previous
            logger.warning(
                "A previous crawl (pid %s, started %s) ended without releasing the lock; taking over",
                previous.get("pid"),
                previous.get("started"),
            )
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(),
        }
        tmp = self.info_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(info), "utf-8")
        os.replace(tmp, self.info_path)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.info_path.unlink(missing_ok=True)
        self._lock.release()
