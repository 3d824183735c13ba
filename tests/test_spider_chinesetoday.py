"""The chinesetoday spider against its replica over real HTTP (each crawl is a subprocess)."""

from __future__ import annotations

from pathlib import Path

from crawler.replicas import ReplicaServer
from tests.conftest import crawl
from tests.spidertools import canonical_urls, fetched, known_settings, requested, spider_settings

HOST = "http://chinesetoday.com"
LISTING = f"{HOST}/?c=26"


def article(m: int) -> str:
    return f"{HOST}/?c=26&m={m}"


PAGE_1 = {article(m) for m in (16702, 16533, 16204, 15890, 15522)}
PAGE_2 = {article(m) for m in (15210, 14890, 14502, 13560, 13102)}
PAGE_3 = {article(m) for m in (12680, 12245, 8012, 5433)}
SETTINGS = spider_settings()


def listing_requests(replicas: ReplicaServer) -> list[str]:
    return requested(replicas, lambda url: "m=" not in url and "?c=" in url)


def test_full_crawl_yields_every_listed_story(tmp_path: Path, replicas: ReplicaServer) -> None:
    result = crawl("chinesetoday", tmp_path, replicas, spider_args={"full": "1"}, settings=SETTINGS)
    assert result.returncode == 0, result.log
    assert canonical_urls(result.items) == PAGE_1 | PAGE_2 | PAGE_3
    assert len(result.items) == 14
    urls = {item["url"] for item in result.items}
    # The listing links one story through www. and one through index.php with a tracking query.
    assert "http://www.chinesetoday.com/?c=26&m=13560" in urls
    assert "http://chinesetoday.com/index.php?c=26&m=15210&from=list" in urls
    languages = {item["canonical_url"]: item["language"] for item in result.items}
    assert languages[article(12245)] == "en"
    assert languages[article(12680)] == "zh-Hans"
    assert languages[article(8012)] == "zh-Hant"


def test_paging_stops_when_page_one_is_known(tmp_path: Path, replicas: ReplicaServer) -> None:
    settings = known_settings(tmp_path, "chinesetoday", PAGE_1, SETTINGS)
    result = crawl("chinesetoday", tmp_path, replicas, settings=settings)
    assert result.returncode == 0, result.log
    assert listing_requests(replicas) == [LISTING]
    assert canonical_urls(result.items) == PAGE_1


def test_since_uses_the_listing_dates(tmp_path: Path, replicas: ReplicaServer) -> None:
    # Article URLs carry no date; the list prints one beside each link.
    result = crawl(
        "chinesetoday", tmp_path, replicas, spider_args={"since": "2024-10-01"}, settings=SETTINGS
    )
    assert result.returncode == 0, result.log
    assert canonical_urls(result.items) == PAGE_1 | {article(15210), article(14890)}
    assert f"{LISTING}&page=3" not in listing_requests(replicas)


def test_gbk_story_fields_after_a_503(tmp_path: Path, replicas: ReplicaServer) -> None:
    url = article(12680)
    replicas.inject_fault(url, 503, times=1, retry_after="1")
    result = crawl("chinesetoday", tmp_path, replicas, spider_args={"url": url}, settings=SETTINGS)
    assert result.returncode == 0, result.log
    assert fetched(replicas, url) == 2, "the 503 was retried once"
    [story] = result.items
    assert story["canonical_url"] == url
    assert story["title"] == "青岛与大邱庆祝缔结友好城市30周年"
    assert story["published"] == "2023-12-14T00:00:00-08:00"
    assert story["published_source"] == "dateline"
    assert story["byline"] == "国际日报"
    assert story["language"] == "zh-Hans"
    assert story["extraction"] == "site"
    assert story["pages"] == [url]
    assert story["captions"] == ["图为青岛市代表团与大邱市官员合影。（资料图）"]
    assert len(story["body"]) == 4
    assert story["body"][1].startswith("青岛与大邱于1993年12月缔结友好城市关系")
    assert not any("版權所有" in p or p.endswith(".jpg") for p in story["body"])


def test_unknown_markup_falls_back_to_generic(tmp_path: Path, replicas: ReplicaServer) -> None:
    replicas.set_unknown_markup("chinesetoday")
    result = crawl("chinesetoday", tmp_path, replicas, settings=SETTINGS)
    assert result.returncode == 0, result.log
    assert canonical_urls(result.items) == PAGE_1 | PAGE_2 | PAGE_3
    assert {item["extraction"] for item in result.items} == {"generic"}
    seed = next(i for i in result.items if i["canonical_url"] == article(12245))
    assert seed["title"] == "Qingdao expands sister-city relationships"
    assert any("86 cities in 48 countries" in p for p in seed["body"])
    # The info line is found by its words, so the date survives the markup change.
    assert seed["published"] == "2023-10-06T00:00:00-07:00"


def test_edition_two_adds_edits_and_drops(tmp_path: Path, replicas: ReplicaServer) -> None:
    replicas.set_edition(2)
    result = crawl("chinesetoday", tmp_path, replicas, spider_args={"full": "1"}, settings=SETTINGS)
    assert result.returncode == 0, result.log
    assert canonical_urls(result.items) == (PAGE_1 | PAGE_2 | PAGE_3 | {article(17304)}) - {
        article(14890)
    }
    network = next(i for i in result.items if i["canonical_url"] == article(16533))
    assert len(network["body"]) == 5
    assert "added five partners in the past twelve months" in network["body"][2]
    assert network["body"][0].startswith(
        "Qingdao now has friendly relations with 95 cities in 54 countries"
    )
