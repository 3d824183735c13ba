"""The asiae spider against its replica over real HTTP (each crawl is a `scrapy crawl` subprocess)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from crawler.replicas import ReplicaServer
from tests.conftest import crawl
from tests.spidertools import (
    by_canonical,
    canonical_urls,
    fetched,
    known_settings,
    requested,
    spider_settings,
)

WWW = "https://www.asiae.co.kr"
LISTING = f"{WWW}/en/list/regional"
SPECIAL = f"{WWW}/en/special/local-diplomacy"


def article(article_id: str) -> str:
    return f"{WWW}/en/article/{article_id}"


PAGE_1 = {
    article(i)
    for i in (
        "2025101314052766310",
        "2025092216010077431",
        "2025061210151577820",
        "2025051315421807731",
        "2025041711225066789",
    )
}
PAGE_2 = {
    article(i)
    for i in (
        "2025021810304412345",
        "2025011510284433310",
        "2024112211525203153",
        "2024102511005500231",
        "2024090310350021156",
    )
}
PAGE_3 = {
    article(i)
    for i in (
        "2024052814001065123",
        "2024042416083587412",
        "2023082410212245120",
        "2019100909113205001",
        "2019080514250311872",
    )
}
# Only the script-filled "Local Diplomacy" list links to these two.
JS_ONLY = {article("2025080511200354419"), article("2025061909300118822")}
SPECIAL_LIST = JS_ONLY | {
    article(i)
    for i in (
        "2025101314052766310",
        "2024112211525203153",
        "2024052814001065123",
        "2024042416083587412",
    )
}
BASE_SETTINGS = spider_settings("asiae", LISTING)


def listing_requests(replicas: ReplicaServer) -> list[str]:
    return requested(replicas, lambda url: "/en/list/" in url)


def test_full_crawl_yields_every_listed_story(tmp_path: Path, replicas: ReplicaServer) -> None:
    result = crawl("asiae", tmp_path, replicas, spider_args={"full": "1"}, settings=BASE_SETTINGS)
    assert result.returncode == 0, result.log
    assert canonical_urls(result.items) == PAGE_1 | PAGE_2 | PAGE_3
    assert len(result.items) == 15, "each story once, whatever host or section the listing used"
    by_url = {item["url"]: item for item in result.items}
    # The listing links some stories through cm./view. hosts, a section or tracking query.
    cm = by_url["https://cm.asiae.co.kr/en/article/2024112211525203153"]
    assert cm["canonical_url"] == article("2024112211525203153")
    assert article("2024052814001065123") in canonical_urls(
        [
            i
            for u, i in by_url.items()
            if u.startswith("https://view.asiae.co.kr/") and "utm_source" in u
        ]
    )


def test_paging_stops_when_page_one_is_known(tmp_path: Path, replicas: ReplicaServer) -> None:
    settings = known_settings(tmp_path, "asiae", PAGE_1, BASE_SETTINGS)
    result = crawl("asiae", tmp_path, replicas, settings=settings)
    assert result.returncode == 0, result.log
    assert listing_requests(replicas) == [LISTING]
    # Known stories are fetched again (they may have been edited); nothing beyond page 1 is.
    assert canonical_urls(result.items) == PAGE_1


def test_since_stops_at_older_stories(tmp_path: Path, replicas: ReplicaServer) -> None:
    result = crawl(
        "asiae", tmp_path, replicas, spider_args={"since": "2025-01-01"}, settings=BASE_SETTINGS
    )
    assert result.returncode == 0, result.log
    assert canonical_urls(result.items) == PAGE_1 | {
        article("2025021810304412345"),
        article("2025011510284433310"),
    }
    assert f"{LISTING}?page=3" not in listing_requests(replicas)


def test_one_story_fields_after_a_503(tmp_path: Path, replicas: ReplicaServer) -> None:
    url = "https://cm.asiae.co.kr/en/article/2024112211525203153"
    replicas.inject_fault(url, 503, times=1, retry_after="1")
    result = crawl("asiae", tmp_path, replicas, spider_args={"url": url}, settings=BASE_SETTINGS)
    assert result.returncode == 0, result.log
    assert fetched(replicas, url) == 2, "the 503 was retried once"
    [story] = result.items
    assert story["url"] == url
    assert story["canonical_url"] == article("2024112211525203153")
    assert story["title"] == "Gwangju City and Qingdao City, China, Sign 'Sister City Agreement'"
    assert story["subtitle"] == "Strengthening Networks in Economic and Tourism Exchanges"
    assert story["published"] == "2024-11-22T11:52:52+09:00"
    assert story["published_source"] == "meta"
    assert story["language"] == "en"
    assert story["pages"] == [url]
    assert story["extraction"] == "site"
    assert len(story["body"]) == 7
    assert story["body"][0].startswith("Gwangju City said on the 22nd that it signed")
    text = "\n".join(story["body"])
    for furniture in (
        "© The Asia Business Daily",
        "Text Size",
        "Special Coverage",
        "commemorative photo",
    ):
        assert furniture not in text
    assert story["captions"] == [
        "Ko Gwang-wan, Deputy Mayor of Gwangju, poses for a commemorative photo with attendees after "
        'signing the "Sister City Cooperation Agreement" at Qingdao City Hall, China, on the 21st. '
        "Provided by Gwangju City"
    ]


def test_unknown_markup_falls_back_to_generic(tmp_path: Path, replicas: ReplicaServer) -> None:
    replicas.set_unknown_markup("asiae")
    result = crawl("asiae", tmp_path, replicas, settings=BASE_SETTINGS)
    assert result.returncode == 0, result.log
    assert canonical_urls(result.items) == PAGE_1 | PAGE_2 | PAGE_3
    assert {item["extraction"] for item in result.items} == {"generic"}
    busan = by_canonical(result.items)[article("2023082410212245120")]
    assert busan["title"] == "Busan and Shanghai Celebrate 30 Years as Sister Cities"
    assert any("signed their sister city agreement on August 24, 1993" in p for p in busan["body"])
    assert busan["published"] == "2023-08-24T10:21:22+09:00"


def test_edition_two_adds_edits_and_drops(tmp_path: Path, replicas: ReplicaServer) -> None:
    replicas.set_edition(2)
    result = crawl("asiae", tmp_path, replicas, spider_args={"full": "1"}, settings=BASE_SETTINGS)
    assert result.returncode == 0, result.log
    new, festival = article("2026111809300512001"), article("2025092216010077431")
    assert canonical_urls(result.items) == (PAGE_1 | PAGE_2 | PAGE_3 | {new}) - {festival}
    daegu = next(i for i in result.items if i["canonical_url"] == article("2024090310350021156"))
    assert len(daegu["body"]) == 4
    assert "from the winter schedule" in daegu["body"][2]
    assert daegu["body"][3].startswith("Mayor Hong said")


def test_script_filled_list_through_chromium(
    tmp_path: Path, replicas: ReplicaServer, needs_chromium: str
) -> None:
    settings = spider_settings("asiae", SPECIAL)
    result = crawl("asiae", tmp_path, replicas, spider_args={"full": "1"}, settings=settings)
    assert result.returncode == 0, result.log
    assert canonical_urls(result.items) == SPECIAL_LIST
    # Chromium fetched the list's JSON from the replica: the links were not in the HTML.
    assert any(r["path"].endswith("/en/special/local-diplomacy.json") for r in replicas.requests())
    # Without a browser the page has no article links at all.
    with urllib.request.urlopen(f"{replicas.base_url}/asiae/en/special/local-diplomacy") as raw:
        assert b"/en/article/" not in raw.read()
