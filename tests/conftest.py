"""Shared fixtures: the replica server, a subprocess spider runner, and the CI rules for the
tests that need Chromium or PostgreSQL (they may skip on a developer's machine, never in CI)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.replicas import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = Path(__file__).resolve().parent / "resources"
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "SISTERCITY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def require(condition: bool, reason: str) -> None:
    """Skip on a developer's machine when a service is missing; in CI the test must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    return os.environ.get("SISTERCITY_CHROMIUM") or shutil.which("chromium")


@pytest.fixture
def needs_chromium() -> str:
    path = chromium_path()
    require(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    return str(path)


@pytest.fixture
def replicas() -> Iterator[ReplicaServer]:
    """A fresh replica server at edition 1 for one test."""
    with ReplicaServer() as server:
        yield server


@dataclass
class CrawlResult:
    returncode: int
    items: list[dict[str, Any]]
    log: str


def run_scrapy(
    args: list[str],
    tmp_path: Path,
    server: ReplicaServer | None = None,
    settings: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy <args>`` in a subprocess (Scrapy's reactor cannot restart in-process)."""
    full_env = {
        **os.environ,
        "SISTERCITY_HTTPCACHE_DIR": str(tmp_path / "httpcache"),
        "SISTERCITY_VAR_DIR": str(tmp_path / "var"),
        **(env or {}),
    }
    full_env.pop("SCRAPY_SETTINGS_MODULE", None)
    cmd = [sys.executable, "-m", "scrapy", *args]
    merged = {**(server.settings() if server else {}), **(settings or {})}
    for name, value in merged.items():
        cmd += ["-s", f"{name}={value}"]
    return subprocess.run(
        cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )


def crawl(
    spider: str,
    tmp_path: Path,
    server: ReplicaServer,
    spider_args: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
) -> CrawlResult:
    """``scrapy crawl <spider> -O items.jsonl`` against the replicas; returns the exported items."""
    out = tmp_path / f"{spider}.jsonl"
    args = ["crawl", spider, "-O", str(out)]
    for name, value in (spider_args or {}).items():
        args += ["-a", f"{name}={value}"]
    settings = {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "RETRY_BACKOFF_BASE": "0.1",
        **(settings or {}),
    }
    proc = run_scrapy(args, tmp_path, server, settings)
    items = (
        [json.loads(line) for line in out.read_text("utf-8").splitlines()] if out.exists() else []
    )
    return CrawlResult(proc.returncode, items, proc.stderr)
