"""What a Scrapy user types works as they expect: `scrapy list`, `scrapy crawl -O` with the
project's pipelines and store, `-s` settings, and `scrapy shell` through the mirrors."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from crawler.replicas import ReplicaServer
from tests.conftest import run_scrapy


def test_scrapy_list(tmp_path: Path) -> None:
    proc = run_scrapy(["list"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["asiae", "china_org_cn", "chinadaily_shandong", "chinesetoday"]


def test_crawl_exports_readable_json_through_the_pipelines_into_the_store(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    out = tmp_path / "stories.json"
    db = tmp_path / "store.db"
    proc = run_scrapy(
        ["crawl", "chinesetoday", "-O", str(out), "-a", "full=1"],
        tmp_path,
        replicas,
        {
            "SISTERCITY_DB_URL": f"sqlite:///{db}",
            "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_ENABLED": "False",
        },
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    stories = json.loads(out.read_text("utf-8"))
    assert len(stories) == 14
    first = stories[0]
    assert "raw" not in first, "raw bytes belong to the store, not the export"
    assert datetime.fromisoformat(first["published"]).tzinfo is not None
    assert any("青岛" in s["title"] or "青島" in s["title"] for s in stories), (
        "Chinese stays readable"
    )
    assert any(s["is_partnership_story"] and s["partnerships"] for s in stories)
    assert not any("版權所有" in p for s in stories for p in s["body"]), (
        "the footer is not story text"
    )
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from stories").fetchone()[0] == 14


def test_a_crawl_on_a_current_store_without_a_browser_page_imports_neither_alembic_nor_playwright(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    """Alembic is imported when the store's schema is behind (here: the first crawl makes it),
    scrapy-playwright when a page needs the browser; a crawl that needs neither loads neither.
    aiohttp (Scrapy's remote control, which is off) is never imported."""
    settings = {
        "SISTERCITY_DB_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
    }
    imported = []
    for run in ("first", "again"):
        proc = run_scrapy(
            ["crawl", "chinesetoday", "-O", str(tmp_path / f"{run}.json")],
            tmp_path,
            replicas,
            settings,
            env={"PYTHONPROFILEIMPORTTIME": "1"},
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert json.loads((tmp_path / f"{run}.json").read_text("utf-8"))
        lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
        imported.append({line.rsplit("|", 1)[-1].strip() for line in lines})
    assert "alembic" in imported[0]  # the new store was migrated
    assert "alembic" not in imported[1]
    assert not {m for m in imported[0] | imported[1] if m.split(".")[0] in _BROWSER}


_BROWSER = {"playwright", "scrapy_playwright", "aiohttp"}


def test_shell_fetches_through_the_mirror(tmp_path: Path, replicas: ReplicaServer) -> None:
    url = "https://www.asiae.co.kr/en/article/2024112211525203153"
    proc = run_scrapy(
        ["shell", url, "-c", "(response.status, response.url, response.css('h1::text').get())"],
        tmp_path,
        replicas,
        {"LOG_LEVEL": "WARNING"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == repr(
        (200, url, "Gwangju City and Qingdao City, China, Sign 'Sister City Agreement'")
    )
    assert not (tmp_path / "var").exists() or not list((tmp_path / "var").glob("*.db"))


def test_scrapy_check_runs_each_spiders_contracts_offline(tmp_path: Path) -> None:
    """`scrapy check --replicas`: listing and article callbacks of all four spiders, each on a
    page of its own site as the replica serves it."""
    proc = run_scrapy(["check", "--replicas"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Ran 12 contracts" in proc.stderr and "OK" in proc.stderr
    listed = run_scrapy(["check", "--list"], tmp_path)
    assert listed.stdout.count("* parse_article") == 4
    assert listed.stdout.count("* parse_listing") == 4


def test_scrapy_check_fails_when_a_sites_markup_changes(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    replicas.set_unknown_markup("chinesetoday")
    proc = run_scrapy(["check", "chinesetoday"], tmp_path, replicas)
    assert proc.returncode == 1
    assert "generic extraction" in proc.stderr or "selectors missed" in proc.stderr
