"""`sistercity crawl` as cron runs it: exit codes, the lock, a killed run, health flags, status,
and the in-process schedule. Every crawl is a real subprocess against the replicas."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser

from crawler.replicas import ReplicaServer
from storage.repository import StoryStore
from tests.conftest import ROOT

FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "RETRY_BACKOFF_BASE=0.1",
]


def environment(
    tmp_path: Path, server: ReplicaServer, mirrors: dict[str, str] | None = None
) -> dict[str, str]:
    return {
        **os.environ,
        "SISTERCITY_VAR_DIR": str(tmp_path / "var"),
        "SISTERCITY_DB_URL": f"sqlite:///{tmp_path / 'var' / 'store.db'}",
        "SISTERCITY_FEEDS_DIR": str(tmp_path / "var" / "feeds"),
        "SISTERCITY_HTTPCACHE_DIR": str(tmp_path / "var" / "httpcache"),
        "SISTERCITY_SITE_MIRRORS": json.dumps(mirrors or server.mirrors()),
        "SISTERCITY_SITE_START_URLS": json.dumps(server.start_urls()),
    }


def sistercity(
    args: list[str], env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.app.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def summary(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.stdout, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def without_times(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The register minus the wall-clock time each change was recorded at."""
    return {
        key: {
            **record,
            "changes": [{k: v for k, v in c.items() if k != "at"} for c in record["changes"]],
        }
        for key, record in snapshot.items()
    }


def wait_for(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def stored_stories(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute("select count(*) from stories").fetchone()[0])
    except sqlite3.OperationalError:  # the crawl has not created the tables yet
        return 0


def test_clean_crawl_exits_0_writes_store_and_feeds_and_is_quiet_under_cron(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    env = environment(tmp_path, replicas)
    first = sistercity(["crawl", "chinesetoday", *FAST], env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout == "", "nothing on stdout under cron when all is well"
    assert first.stderr == "", "nor on stderr: cron mails whatever a healthy run prints"
    feeds = tmp_path / "var" / "feeds"
    assert (feeds / "partnerships.atom").exists() and (feeds / "health.atom").exists()
    assert (tmp_path / "var" / "logs" / "crawl.log").read_text("utf-8").strip()

    second = sistercity(["crawl", "chinesetoday", "--json", *FAST], env)
    assert second.returncode == 0, second.stderr[-3000:]
    row = summary(second)["sites"]["chinesetoday"]
    assert row["stories"]["new"] == 0 and row["stories"]["changed"] == 0
    assert row["stories"]["unchanged"] >= 1
    assert row["responses_by_status"].get("304", 0) >= row["stories"]["unchanged"], (
        "unchanged pages were revalidated, not downloaded again"
    )
    assert row["flags"] == []


def test_usage_errors_exit_2(tmp_path: Path, replicas: ReplicaServer) -> None:
    env = environment(tmp_path, replicas)
    for args in (
        ["crawl", "no_such_site"],
        ["crawl", "--since", "yesterday"],
        ["crawl", "--url", "https://example.org/x"],
    ):
        proc = sistercity(args, env)
        assert proc.returncode == 2, args
        assert "Traceback" not in proc.stderr
        assert proc.stderr.strip(), "a usage error says what is wrong"


def test_unreachable_site_exits_1_and_is_flagged(tmp_path: Path, replicas: ReplicaServer) -> None:
    mirrors = {
        o: ("http://127.0.0.1:9/down" if "chinesetoday" in o else m)
        for o, m in replicas.mirrors().items()
    }
    env = environment(tmp_path, replicas, mirrors)
    proc = sistercity(["crawl", "chinesetoday", "--json", "-s", "RETRY_TIMES=0", *FAST], env)
    assert proc.returncode == 1
    flags = summary(proc)["sites"]["chinesetoday"]["flags"]
    assert "failed" in {f["kind"] for f in flags}


def test_changed_markup_is_flagged_in_summary_exit_code_health_feed_and_status(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    replicas.set_unknown_markup("chinesetoday")
    env = environment(tmp_path, replicas)
    proc = sistercity(["crawl", "chinesetoday", "--json", "--full", *FAST], env)
    assert proc.returncode == 1
    row = summary(proc)["sites"]["chinesetoday"]
    assert row["extraction"].get("generic", 0) > row["extraction"].get("site", 0)
    assert "markup_changed" in {f["kind"] for f in row["flags"]}
    health = feedparser.parse(str(tmp_path / "var" / "feeds" / "health.atom"))
    assert not health.bozo
    assert any(
        "chinesetoday" in e.title and "markup" in (e.title + e.summary) for e in health.entries
    )
    status = sistercity(["status", "--json"], env)
    assert status.returncode == 0
    data = json.loads(status.stdout)
    assert data["sites"]["chinesetoday"][0]["flags"]
    assert any(f["kind"] == "markup_changed" for f in data["open_flags"])
    table = sistercity(["status"], env)
    assert "markup" in table.stdout and "chinesetoday" in table.stdout


def test_two_crawls_at_once_one_runs_the_other_exits_75(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    env = environment(tmp_path, replicas)
    replicas.slow_down(replicas.start_urls()["chinesetoday"][0], seconds=6)
    first = start(["crawl", "chinesetoday", *FAST], env)
    wait_for(lambda: (tmp_path / "var" / "store.db.lock.info").exists())
    second = sistercity(["crawl", "chinesetoday", *FAST], env)
    assert second.returncode == 75
    assert "another crawl is running" in second.stderr
    out, err = first.communicate(timeout=240)
    assert first.returncode == 0, err[-3000:]
    assert stored_stories(tmp_path / "var" / "store.db") >= 5


def test_killed_crawl_then_rerun_ends_with_the_register_of_a_clean_run(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    clean_env = environment(tmp_path / "clean", replicas)
    clean = sistercity(["crawl", "chinadaily_shandong", *FAST], clean_env)
    assert clean.returncode == 0, clean.stderr[-3000:]

    env = environment(tmp_path / "killed", replicas)
    db = tmp_path / "killed" / "var" / "store.db"
    listing_2 = replicas.start_urls()["chinadaily_shandong"][0].replace(".html", "_2.html")
    replicas.slow_down(listing_2, seconds=30)
    victim = start(["crawl", "chinadaily_shandong", *FAST], env)
    wait_for(lambda: db.exists() and stored_stories(db) >= 3, timeout=120)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    assert victim.returncode == -signal.SIGKILL

    rerun = sistercity(["crawl", "chinadaily_shandong", "--json", *FAST], env)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    with StoryStore(clean_env["SISTERCITY_DB_URL"]) as a, StoryStore(env["SISTERCITY_DB_URL"]) as b:
        assert without_times(b.register_snapshot()) == without_times(a.register_snapshot())
        assert sorted(b.known_canonical_urls("chinadaily_shandong")) == sorted(
            a.known_canonical_urls("chinadaily_shandong")
        )
    feed = feedparser.parse(str(tmp_path / "killed" / "var" / "feeds" / "partnerships.atom"))
    assert not feed.bozo and feed.entries


def test_schedule_runs_crawls_on_a_short_interval_and_stops_on_sigterm(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    env = environment(tmp_path, replicas)
    proc = sistercity(
        [
            "schedule",
            "--every",
            "1s",
            "--jitter",
            "1s",
            "--max-runs",
            "2",
            "--",
            "chinesetoday",
            *FAST,
        ],
        env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr.count("starting") == 2
    status = json.loads(sistercity(["status", "--json"], env).stdout)
    assert len(status["sites"]["chinesetoday"]) == 2

    waiting = start(["schedule", "--every", "1h"], env)
    wait_for(
        lambda: waiting.stderr is not None and "Schedule started" in waiting.stderr.readline(), 30
    )
    waiting.send_signal(signal.SIGTERM)
    _, err = waiting.communicate(timeout=30)
    assert waiting.returncode == 0
    assert "Stopping the schedule" in err


def test_dry_run_lists_what_it_fetched_and_writes_nothing(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    env = environment(tmp_path, replicas)
    proc = sistercity(["crawl", "chinesetoday", "--dry-run", "--json", *FAST], env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = summary(proc)
    assert data["dry_run"] is True
    fetched = data["sites"]["chinesetoday"]["fetched"]
    extraction = data["sites"]["chinesetoday"]["extraction"]
    assert len(fetched) == sum(extraction.values()) > 0
    assert all(urlsplit(f["url"]).hostname.endswith("chinesetoday.com") for f in fetched)
    assert all(f["title"] for f in fetched)
    pairs = [p for f in fetched if f["is_partnership_story"] for p in f["partnerships"]]
    assert pairs and all(p["a"] and p["b"] and p["relation"] for p in pairs)
    assert not (tmp_path / "var" / "store.db").exists()
    assert not (tmp_path / "var" / "feeds").exists()
