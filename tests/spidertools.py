"""Helpers shared by the spider tests (tests/test_spider_*.py): settings, a known-URLs hook, and
views of the crawled items and of the requests the replicas saw."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.replicas import ReplicaServer


def spider_settings(slug: str = "", *start_urls: str) -> dict[str, str]:
    """No pipelines (they have their own tests: here only what the spider yields counts), and
    the site's start URLs when given (else the replicas' own)."""
    settings = {"ITEM_PIPELINES": "{}"}
    if start_urls:
        settings["SITE_START_URLS"] = json.dumps({slug: list(start_urls)})
    return settings


def known_urls(settings: Any, site: str) -> set[str]:
    """SISTERCITY_KNOWN_URLS hook: canonical URLs from the JSON file in TEST_KNOWN_URLS_FILE."""
    return set(json.loads(Path(settings["TEST_KNOWN_URLS_FILE"]).read_text("utf-8")).get(site, []))


def known_settings(
    tmp_path: Path, slug: str, urls: set[str], base: dict[str, str]
) -> dict[str, str]:
    """``base`` plus the hook above, telling the spider that ``urls`` of ``slug`` are stored."""
    path = tmp_path / "known.json"
    path.write_text(json.dumps({slug: sorted(urls)}), "utf-8")
    return {
        **base,
        "SISTERCITY_KNOWN_URLS": f"{__name__}.known_urls",
        "TEST_KNOWN_URLS_FILE": str(path),
    }


def canonical_urls(items: list[dict[str, Any]]) -> set[str]:
    return {item["canonical_url"] for item in items}


def by_canonical(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["canonical_url"]: item for item in items}


def requested(replicas: ReplicaServer, keep: Callable[[str], bool]) -> list[str]:
    """The real URLs the replicas were asked for that ``keep`` accepts, in order, repeats kept."""
    return [r["url"] for r in replicas.requests() if r["url"] and keep(r["url"])]


def fetched(replicas: ReplicaServer, url: str) -> int:
    """How many times the replicas were asked for the real ``url``."""
    return sum(1 for r in replicas.requests() if r["url"] == url)
