"""The HTTP cache is one compressed SQLite file per spider (crawler/scraping/sqlitedbm.py behind Scrapy's
DbmCacheStorage), and a second crawl still revalidates every page with its validators."""

from __future__ import annotations

from pathlib import Path

from crawler.replicas import ReplicaServer
from crawler.scraping import sqlitedbm
from tests.conftest import crawl


def test_sqlitedbm_keeps_values_across_opens(tmp_path: Path) -> None:
    path = str(tmp_path / "cache.db")
    db = sqlitedbm.open(path, "c")
    db["a_data"] = b"<p>body</p>" * 20_000
    db["a_time"] = "1700000000.5"
    assert "a_data" in db and "b_data" not in db
    db.close()
    again = sqlitedbm.open(path, "c")
    assert again["a_data"] == b"<p>body</p>" * 20_000
    assert float(again["a_time"]) == 1700000000.5
    assert len(again) == 2
    again.close()
    assert Path(path).stat().st_size < 40_000  # kept compressed: 220,000 bytes of page


def test_second_crawl_revalidates_from_a_one_file_cache(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    first = crawl("chinesetoday", tmp_path, replicas, {"full": "1"})
    assert first.returncode == 0, first.log[-3000:]
    cache = tmp_path / "httpcache"
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert {p.name for p in files} <= {
        "chinesetoday.db",
        "chinesetoday.db-wal",
        "chinesetoday.db-shm",
    }
    seen = len(replicas.requests())
    second = crawl("chinesetoday", tmp_path, replicas, {"full": "1"})
    assert second.returncode == 0, second.log[-3000:]
    assert len(second.items) == len(first.items) > 0
    later = replicas.requests()[seen:]
    articles = [r for r in later if "m=" in (r["url"] or "")]
    assert articles and all(
        "If-None-Match" in r["headers"] or "If-Modified-Since" in r["headers"] for r in articles
    )


def test_a_relative_cache_dir_is_taken_from_where_the_command_runs(tmp_path: Path) -> None:
    """Scrapy would put a relative cache dir inside the project's hidden .scrapy/ folder, where
    nobody looks for it (`make demo` passes var/demo/httpcache)."""
    import os
    import subprocess
    import sys

    code = "import crawler.settings.base as s; print(s.HTTPCACHE_DIR)"
    env = {**os.environ, "SISTERCITY_HTTPCACHE_DIR": "var/demo/httpcache"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()) == (tmp_path / "var/demo/httpcache").resolve()
