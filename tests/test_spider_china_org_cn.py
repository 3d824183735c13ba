"""The china_org_cn spider against its replica over real HTTP (each crawl is a subprocess)."""

from __future__ import annotations

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

SLUG = "china_org_cn"
WWW = "http://www.china.org.cn"
CCPD = "http://ccpd.china.com.cn"
LISTING = f"{WWW}/world/node_7075763.htm"

PAGE_1 = {
    f"{WWW}/2025-09/24/content_118093412.shtml",
    f"{CCPD}/2025-06/12/content_43152871.html",
    f"{CCPD}/2025-04/18/content_43087770.html",
    f"{WWW}/world/2024-10/15/content_117485520.htm",
    f"{WWW}/china/2024-06/03/content_117230455.htm",
}
PAGE_2 = {
    "http://news.china.com.cn/2023-12/08/content_116864301.html",
    f"{WWW}/world/2023-10/24/content_116769840.htm",
    f"{WWW}/business/2023-05/17/content_85352910.htm",
    f"{WWW}/business/2023-04/16/content_85233561.htm",
    f"{WWW}/world/2019-10/09/content_75283361.htm",
}
ARCHIVE = f"{WWW}/english/international/79419.htm"  # no date in the URL; GB2312
PAGE_3 = {
    f"{WWW}/world/2018-08/27/content_62131984.htm",
    f"{WWW}/world/2017-03/21/content_40479512.htm",
    ARCHIVE,
}
EDITION_1 = PAGE_1 | PAGE_2 | PAGE_3
SEED = f"{CCPD}/2025-04/18/content_43087770.html"
MULTIPAGE = f"{CCPD}/2025-06/12/content_43152871.html"
PRAGUE = f"{WWW}/world/2019-10/09/content_75283361.htm"
NEW_IN_EDITION_2 = f"{CCPD}/2026-10/28/content_43391205.html"
GONE_FROM_LISTING_2 = f"{WWW}/china/2024-06/03/content_117230455.htm"
BASE_SETTINGS = spider_settings(SLUG, LISTING)


def listing_pages(replicas: ReplicaServer) -> list[str]:
    return sorted(set(requested(replicas, lambda url: "/node_" in url)))


def test_full_crawl_yields_every_story_with_its_fields(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    result = crawl(SLUG, tmp_path, replicas, spider_args={"full": "1"}, settings=BASE_SETTINGS)
    assert result.returncode == 0, result.log[-2000:]
    stories = by_canonical(result.items)
    assert len(result.items) == len(EDITION_1)
    assert set(stories) == EDITION_1

    seed = stories[SEED]
    assert seed["language"] == "mixed"
    assert seed["published"] == "2025-04-18T16:33:49+08:00"
    assert seed["extraction"] == "site"
    assert seed["captions"] == [
        "Wen Haisheng presents the painting to Gangnam District officials in Seoul on April 10."
    ]
    body = "\n".join(seed["body"])
    assert "历城区与江南区于2007年结为友好合作城市" in body
    assert "中国网客户端" not in body

    assert stories[MULTIPAGE]["pages"] == [MULTIPAGE, MULTIPAGE.replace(".html", "_2.html")]
    assert "youth festival in Jeju" in stories[MULTIPAGE]["body"][-1]

    archive = stories[ARCHIVE]
    assert archive["extraction"] == "generic"
    assert "Qingdao (青岛)" in archive["body"][0]  # GB2312 decoded from the <meta> alone
    assert archive["published"] == "2003-11-12T00:00:00+08:00"
    assert (
        stories["http://news.china.com.cn/2023-12/08/content_116864301.html"]["language"]
        == "zh-Hans"
    )
    assert {s["extraction"] for u, s in stories.items() if u != ARCHIVE} == {"site"}


def test_paging_stops_when_a_page_holds_only_known_stories(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    result = crawl(
        SLUG, tmp_path, replicas, settings=known_settings(tmp_path, SLUG, EDITION_1, BASE_SETTINGS)
    )
    assert result.returncode == 0, result.log[-2000:]
    assert listing_pages(replicas) == [LISTING]
    assert canonical_urls(result.items) == PAGE_1


def test_edition_2_brings_the_anniversary_and_the_edit(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    replicas.set_edition(2)
    result = crawl(
        SLUG, tmp_path, replicas, settings=known_settings(tmp_path, SLUG, EDITION_1, BASE_SETTINGS)
    )
    assert result.returncode == 0, result.log[-2000:]
    assert listing_pages(replicas) == [LISTING, LISTING.replace(".htm", "_2.htm")]
    stories = by_canonical(result.items)
    assert set(stories) == (PAGE_1 - {GONE_FROM_LISTING_2}) | PAGE_2 | {NEW_IN_EDITION_2}
    assert stories[NEW_IN_EDITION_2]["title"] == "Binzhou and Goyang mark 30 years as sister cities"
    assert "established in 1996" in stories[NEW_IN_EDITION_2]["body"][0]
    assert "on delivery of a notice" in "\n".join(stories[PRAGUE]["body"])


def test_since_uses_the_listing_date_where_the_url_has_none(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    result = crawl(
        SLUG, tmp_path, replicas, spider_args={"since": "2010-01-01"}, settings=BASE_SETTINGS
    )
    assert result.returncode == 0, result.log[-2000:]
    assert canonical_urls(result.items) == EDITION_1 - {ARCHIVE}


def test_one_url_after_a_503(tmp_path: Path, replicas: ReplicaServer) -> None:
    replicas.inject_fault(PRAGUE, 503, times=1, retry_after="1")
    result = crawl(SLUG, tmp_path, replicas, spider_args={"url": PRAGUE}, settings=BASE_SETTINGS)
    assert result.returncode == 0, result.log[-2000:]
    assert fetched(replicas, PRAGUE) == 2
    assert [i["canonical_url"] for i in result.items] == [PRAGUE]
    story = result.items[0]
    assert (
        story["title"]
        == "Beijing suspends official exchanges with Prague after city ends sister-city pact"
    )
    assert story["published"] == "2019-10-09T20:14:06+08:00"
    assert story["byline"] == "Xinhua"
    assert "terminate the sister-city agreement with Beijing" in story["body"][2]
    assert listing_pages(replicas) == []


def test_unknown_markup_still_yields_every_story_generically(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    replicas.set_unknown_markup(SLUG)
    result = crawl(SLUG, tmp_path, replicas, spider_args={"full": "1"}, settings=BASE_SETTINGS)
    assert result.returncode == 0, result.log[-2000:]
    stories = by_canonical(result.items)
    assert set(stories) == EDITION_1
    assert {s["extraction"] for s in stories.values()} == {"generic"}
    assert all(s["title"] and s["body"] for s in stories.values())
    assert len(stories[MULTIPAGE]["pages"]) == 2
    assert stories[SEED]["language"] == "mixed"
