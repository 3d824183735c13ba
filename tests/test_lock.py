"""The crawl lock: one holder at a time, and a holder killed with SIGKILL blocks nobody."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.app.lock import CrawlLock, LockHeld
from tests.conftest import ROOT

HOLD = """
import sys, time
from pathlib import Path
from crawler.app.lock import CrawlLock
with CrawlLock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def hold_in_child(path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    child = hold_in_child(path)
    try:
        with pytest.raises(LockHeld) as refused, CrawlLock(path):
            pass
        assert refused.value.holder["pid"] == child.pid
        assert f"pid {child.pid}" in str(refused.value)
    finally:
        child.terminate()
        child.wait()
        assert child.stdout is not None
        child.stdout.close()


def test_lock_of_a_killed_crawl_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    child = hold_in_child(path)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.stdout is not None
    child.stdout.close()
    assert json.loads((tmp_path / "crawl.lock.info").read_text())["pid"] == child.pid
    with CrawlLock(path) as lock:
        assert lock.took_over is not None and lock.took_over["pid"] == child.pid
        assert json.loads((tmp_path / "crawl.lock.info").read_text())["pid"] == os.getpid()
    assert not (tmp_path / "crawl.lock.info").exists()


def test_released_lock_can_be_taken_again(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    with CrawlLock(path) as first:
        assert first.took_over is None
    with CrawlLock(path) as second:
        assert second.took_over is None
