"""`sistercity partnerships` and `sistercity partnership ID` in a subprocess, on a real SQLite
store filled through the store API with the seed stories."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import StoryStore
from tests.conftest import ROOT
from tests.storefactory import (
    asiae_gwangju_qingdao,
    binzhou_goyang,
    chinadaily_qingdao_gwangju,
    licheng_gangnam,
)

T1 = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with StoryStore.open(url) as store:
        store.record(asiae_gwangju_qingdao(T1))
        store.record(chinadaily_qingdao_gwangju(T1 + timedelta(hours=1)))
        store.record(binzhou_goyang(T1 + timedelta(hours=2)))
        store.record(licheng_gangnam(T1 + timedelta(days=3)))
    return url


def cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def test_json_lists_every_pair_with_its_fields(db: str) -> None:
    proc = cli("partnerships", "--db", db, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in json.loads(proc.stdout)}
    assert sorted(rows) == [
        "binzhou-cn--goyang-kr",
        "licheng-cn--gangnam-kr",
        "qingdao-cn--gwangju-kr",
    ]
    bg = rows["binzhou-cn--goyang-kr"]
    assert (bg["relation"], bg["status"], bg["since"]) == ("sister", "active", "1996")
    assert (bg["last_event"], bg["last_event_date"]) == ("anniversary", "2021-12-06")
    assert bg["sources"] == 1 and bg["confidence"] == 0.9
    assert bg["source_urls"] == ["https://chinadaily_shandong.example/c_692691"]
    qg = rows["qingdao-cn--gwangju-kr"]
    assert qg["sources"] == 2 and qg["place_a_local"] == "青岛"
    # The two sides' wordings are both visible: one as the relation, the other as also_called.
    assert {qg["relation"], *qg["also_called"]} == {"sister", "friendly_cooperation"}


def test_filters_combine(db: str) -> None:
    def ids(*args: str) -> list[str]:
        proc = cli("partnerships", "--db", db, "--format", "jsonl", *args)
        assert proc.returncode == 0, proc.stderr
        return [json.loads(line)["id"] for line in proc.stdout.splitlines()]

    assert ids("--city", "gangnam") == ["licheng-cn--gangnam-kr"]
    assert ids("--city", "青岛") == ["qingdao-cn--gwangju-kr"]
    assert ids("--country", "kr", "--city", "binzhou") == ["binzhou-cn--goyang-kr"]
    assert ids("--country", "jp") == []
    assert ids("--status", "terminated") == []
    # Changes are logged at fetch time: Licheng–Gangnam was filed three days after the rest.
    assert ids("--since", (T1 + timedelta(days=2)).date().isoformat()) == ["licheng-cn--gangnam-kr"]


def test_csv_has_the_documented_columns(db: str) -> None:
    proc = cli("partnerships", "--db", db, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    reader = csv.DictReader(io.StringIO(proc.stdout))
    documented = (ROOT / "docs" / "store-and-feeds.md").read_text("utf-8")
    for column in reader.fieldnames or []:
        assert f"| `{column}` |" in documented, column
    rows = list(reader)
    assert len(rows) == 3
    qg = next(r for r in rows if r["id"] == "qingdao-cn--gwangju-kr")
    assert qg["source_urls"].split(";") == [
        "https://asiae.example/2024112211525203153",
        "https://chinadaily_shandong.example/c_1050223",
    ]
    assert qg["first_reported"] == "2024-11-22T02:52:00Z"


def test_table_names_the_places(db: str) -> None:
    proc = cli("partnerships", "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert "Binzhou (CN) – Goyang (KR)" in proc.stdout
    assert "anniversary 2021-12-06" in proc.stdout


def test_one_pair_history_by_id_either_order(db: str) -> None:
    proc = cli("partnership", "gwangju-kr--qingdao-cn", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["id"] == "qingdao-cn--gwangju-kr"
    assert data["changes"][0]["kind"] == "new"
    sites = {s["site"] for c in data["changes"] for s in c["sources"]}
    assert sites == {"asiae", "chinadaily_shandong"}
    text = cli("partnership", "licheng-cn--gangnam-kr", "--db", db)
    assert text.returncode == 0
    assert (
        "renewed" in text.stdout and "https://china_org_cn.example/content_43087770" in text.stdout
    )


def test_unknown_pair_and_missing_store_say_so(db: str, tmp_path: Path) -> None:
    proc = cli("partnership", "nowhere-xx--atlantis-yy", "--db", db)
    assert proc.returncode == 1 and "no partnership" in proc.stderr
    missing = tmp_path / "nothing.db"
    proc = cli("partnerships", "--db", f"sqlite:///{missing}")
    assert proc.returncode == 1 and str(missing) in proc.stderr
    assert not missing.exists()
