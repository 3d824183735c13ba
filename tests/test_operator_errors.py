"""Operator errors and concurrency: one clear line and exit code 3 for setup faults, one lock per
store whatever the var directory, migrations that wait for each other, killed runs marked.

The commands run as real subprocesses: the exit code and what lands on stderr are the contract.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.app.cli.crawl import mark_killed_runs
from crawler.app.lock import LockHeld, PgStoreLock, store_lock
from storage.repository import StoryStore
from tests.conftest import POSTGRES_URL, ROOT, require
from tests.pgschema import postgres_reachable, throwaway_schema

EXIT_CONFIG = 3


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SISTERCITY_", "SCRAPY_"))}
    return {
        **env,
        "SISTERCITY_VAR_DIR": str(tmp_path / "var"),
        "SISTERCITY_HTTPCACHE_DIR": str(tmp_path / "var" / "httpcache"),
        # Nothing may be fetched in these tests: every site goes to a closed port.
        "SISTERCITY_SITE_START_URLS": json.dumps({"asiae": ["http://127.0.0.1:9/none"]}),
        **extra,
    }


def sistercity(
    args: list[str], env: dict[str, str], cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def one_clear_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert len(lines) == 1, done.stderr[-3000:]
    return lines[0]


def logged(tmp_path: Path, line: str) -> bool:
    logs = tmp_path / "var" / "logs"
    return any(line in p.read_text("utf-8") for p in logs.glob("*.log")) if logs.is_dir() else False


def corrupt_db(tmp_path: Path) -> str:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a database" + bytes(range(256)) * 40)
    return f"sqlite:///{path}"


def readonly_db(tmp_path: Path) -> str:
    path = tmp_path / "ro.db"
    StoryStore(f"sqlite:///{path}").close()
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def feeds_in_a_file(tmp_path: Path) -> list[str]:
    (tmp_path / "a-file").write_text("x")
    return ["--feeds-dir", str(tmp_path / "a-file" / "feeds")]


CRAWL_CASES = {
    "feeds dir not writable": (
        lambda t: feeds_in_a_file(t),
        "feeds directory",
    ),
    "corrupt sqlite": (lambda t: ["--db", corrupt_db(t)], "store error: file is not a database"),
    "read-only db": (lambda t: ["--db", readonly_db(t)], "readonly database"),
    "unreachable postgres": (
        lambda t: ["--db", "postgresql+psycopg://postgres@127.0.0.1:9/none"],
        "store error",
    ),
    "unparseable --db": (lambda t: ["--db", "nonsense"], "bad store URL"),
    "unknown backend": (lambda t: ["--db", "nosuchdb://x"], "bad store URL"),
    "bad -s number": (lambda t: ["-s", "DOWNLOAD_DELAY=soon"], "bad setting -s DOWNLOAD_DELAY"),
    "bad -s bool": (lambda t: ["-s", "ROBOTSTXT_OBEY=perhaps"], "bad setting -s ROBOTSTXT_OBEY"),
    "bad -s json": (lambda t: ["-s", "SITE_START_URLS={oops"], "bad setting -s SITE_START_URLS"),
}


@pytest.mark.parametrize("case", list(CRAWL_CASES))
def test_crawl_setup_errors_exit_3_with_one_line(tmp_path: Path, case: str) -> None:
    make_args, expected = CRAWL_CASES[case]
    done = sistercity(["crawl", "asiae", *make_args(tmp_path)], env_for(tmp_path))
    assert done.returncode == EXIT_CONFIG, done.stderr[-3000:]
    line = one_clear_line(done)
    assert line.startswith("sistercity crawl: ") and expected in line
    assert logged(tmp_path, line)


def test_feeds_dir_is_checked_before_crawling(tmp_path: Path) -> None:
    done = sistercity(["crawl", "asiae", *feeds_in_a_file(tmp_path)], env_for(tmp_path))
    assert done.returncode == EXIT_CONFIG
    # Nothing was crawled or stored: the store does not even exist.
    assert not (tmp_path / "var" / "sistercity.db").exists()


@pytest.mark.parametrize("command", [["status"], ["feeds"]])
def test_other_commands_on_a_corrupt_store_exit_3(tmp_path: Path, command: list[str]) -> None:
    env = env_for(tmp_path, SISTERCITY_DB_URL=corrupt_db(tmp_path))
    done = sistercity(command, env)
    assert done.returncode == EXIT_CONFIG, done.stderr[-3000:]
    assert "file is not a database" in one_clear_line(done)


def test_serve_with_an_impossible_port_exits_3(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    done = sistercity(
        ["serve", "--port", "99999", "--feeds-dir", str(tmp_path / "feeds")], env_for(tmp_path)
    )
    assert done.returncode == EXIT_CONFIG
    assert "--port 99999" in one_clear_line(done)


def test_serve_on_a_busy_port_exits_3(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = sistercity(
            ["serve", "--port", str(port), "--feeds-dir", str(tmp_path / "feeds")],
            env_for(tmp_path),
        )
    assert done.returncode == EXIT_CONFIG
    assert f"cannot listen on 127.0.0.1:{port}" in one_clear_line(done)


def test_serve_without_a_feeds_dir_exits_3(tmp_path: Path) -> None:
    done = sistercity(["serve", "--feeds-dir", str(tmp_path / "none")], env_for(tmp_path))
    assert done.returncode == EXIT_CONFIG
    assert "no feeds directory" in one_clear_line(done)


# --- one lock per store ------------------------------------------------------------------------
HOLD = """
import sys, time
from pathlib import Path
from crawler.app.lock import store_lock
with store_lock(sys.argv[1], Path(sys.argv[2])):
    print("held", flush=True)
    time.sleep(120)
"""


def hold(url: str, var: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, url, str(var)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    assert line == "held", line
    return child


def release(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.stdout is not None
    child.stdout.close()


def test_two_var_dirs_on_one_store_share_the_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared' / 'store.db'}"
    (tmp_path / "shared").mkdir()
    child = hold(url, tmp_path / "var-a")
    try:
        done = sistercity(["crawl", "asiae", "--db", url], env_for(tmp_path / "b"))
        assert done.returncode == 75, done.stderr[-3000:]
        assert "another crawl is running" in done.stderr
    finally:
        release(child)


def test_a_second_name_for_the_same_sqlite_file_is_the_same_lock(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    child = hold(f"sqlite:///{tmp_path / 'real' / 'store.db'}", tmp_path / "var")
    try:
        with (
            pytest.raises(LockHeld),
            store_lock(f"sqlite:///{tmp_path / 'alias' / 'store.db'}", tmp_path / "other-var"),
        ):
            pass
    finally:
        release(child)


def test_scrapy_crawl_takes_the_same_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    child = hold(url, tmp_path / "var")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "asiae", "-s", "ROBOTSTXT_OBEY=False"],
            cwd=ROOT,
            env=env_for(tmp_path, SISTERCITY_DB_URL=url),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    finally:
        release(child)
    assert "another crawl is running" in done.stderr, done.stderr[-3000:]
    assert "'finish_reason': 'store_locked'" in done.stderr
    assert "downloader/request_count" not in done.stderr


@pytest.mark.postgres
def test_postgres_lock_is_per_store() -> None:
    require(postgres_reachable(POSTGRES_URL), f"PostgreSQL at {POSTGRES_URL}")
    with (
        throwaway_schema(POSTGRES_URL, "lock") as one,
        throwaway_schema(POSTGRES_URL, "lock") as two,
    ):
        with PgStoreLock(one):
            with pytest.raises(LockHeld), PgStoreLock(one):
                pass
            with PgStoreLock(two):  # another store (schema) is not locked
                pass
        with PgStoreLock(one):  # released on exit
            pass


@pytest.mark.postgres
def test_postgres_lock_of_a_killed_holder_is_free() -> None:
    require(postgres_reachable(POSTGRES_URL), f"PostgreSQL at {POSTGRES_URL}")
    with throwaway_schema(POSTGRES_URL, "lock") as url:
        child = hold(url, Path("/nonexistent"))
        try:
            with pytest.raises(LockHeld), PgStoreLock(url):
                pass
        finally:
            release(child)
        with PgStoreLock(url):
            pass


MIGRATE = """
import sys
from storage.repository import StoryStore
StoryStore(sys.argv[1]).close()
print("ok")
"""


def test_concurrent_first_opens_of_a_store_migrate_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in results]


def test_runs_left_running_are_marked_killed(tmp_path: Path) -> None:
    with StoryStore(f"sqlite:///{tmp_path / 'store.db'}") as store:
        dead = store.start_run(["asiae"], datetime(2026, 1, 1, tzinfo=UTC))
        done = store.start_run(["asiae"])
        store.finish_run(done, "ok")
        assert mark_killed_runs(store) == 1
        statuses = _statuses(store)
    assert statuses[dead] == "killed" and statuses[done] == "ok"


def _statuses(store: StoryStore) -> dict[int, str]:
    from sqlalchemy import select

    from storage.models import CrawlRun

    with store.session() as session:
        return dict(session.execute(select(CrawlRun.id, CrawlRun.status)).all())


def test_crawl_from_outside_the_project_finds_its_spiders(tmp_path: Path) -> None:
    done = sistercity(["crawl", "no-such-site"], env_for(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    for site in ("asiae", "china_org_cn", "chinadaily_shandong", "chinesetoday"):
        assert site in done.stderr


def test_the_next_crawl_marks_a_killed_run_and_status_shows_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with StoryStore(url) as store:
        dead = store.start_run(["asiae"])  # what a crawl killed with SIGKILL leaves behind
    env = env_for(tmp_path, SISTERCITY_DB_URL=url)
    quick = ["-s", "RETRY_TIMES=0", "-s", "ROBOTSTXT_OBEY=False", "-s", "DOWNLOAD_DELAY=0"]
    crawl = sistercity(["crawl", "asiae", *quick], env)
    assert crawl.returncode == 1, crawl.stderr[-3000:]  # the site cannot be reached: health
    status = json.loads(sistercity(["status", "--json", "--db", url], env).stdout)
    by_run = {r["run_id"]: r["run_status"] for r in status["sites"]["asiae"]}
    assert by_run[dead] == "killed"
    assert [s for run, s in by_run.items() if run != dead] == ["flagged"]
