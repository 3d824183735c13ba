"""The chinadaily_shandong spider against its replica over real HTTP (each crawl is a subprocess)."""

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

SLUG = "chinadaily_shandong"
GO = "http://www.goshandong.com.cn"
LISTING = f"{GO}/sistercities.html"

PAGE_1 = {
    f"{GO}/qingdao/2025-07/22/c_1121845.htm",
    f"{GO}/yantai/2025-03/14/c_1098821.htm",
    f"{GO}/2024-12/06/c_1051370.htm",  # served from subsites.chinadaily.com.cn/shandong
    f"{GO}/qingdao/2024-11/27/c_1050223.htm",  # served from shandong.chinadaily.com.cn
    f"{GO}/2024-05/20/c_1012764.htm",
}
PAGE_2 = {
    f"{GO}/2024-04/26/c_1009013.htm",
    f"{GO}/qingdao/2023-12/04/c_968350.htm",
    f"{GO}/qingdao/2023-09/11/c_942118.htm",
    f"{GO}/2022-08/25/c_781226.htm",
    f"{GO}/2021-12/16/c_692691.htm",
}
# Page 3 lists c_692691 a second time under shandong.chinadaily.com.cn: folded, not refetched.
PAGE_3 = {
    f"{GO}/2021-04/16/c_603350.htm",
    f"{GO}/qingdao/2019-06/12/c_360177.htm",
    f"{GO}/2018-05/16/c_207655.htm",
    f"{GO}/weifang/2016-04/18/c_53012.htm",
}
EDITION_1 = PAGE_1 | PAGE_2 | PAGE_3
NEW_IN_EDITION_2 = f"{GO}/2026-10/20/c_1187402.htm"
GONE_FROM_LISTING_2 = f"{GO}/yantai/2025-03/14/c_1098821.htm"
MULTIPAGE = f"{GO}/qingdao/2023-09/11/c_942118.htm"
OLD_TEMPLATE = f"{GO}/weifang/2016-04/18/c_53012.htm"
BASE_SETTINGS = spider_settings(SLUG, LISTING)


def listing_pages(replicas: ReplicaServer) -> list[str]:
    return sorted(set(requested(replicas, lambda url: "/sistercities" in url)))


def test_full_crawl_yields_every_story_once_with_its_fields(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    result = crawl(SLUG, tmp_path, replicas, spider_args={"full": "1"}, settings=BASE_SETTINGS)
    assert result.returncode == 0, result.log[-2000:]
    stories = by_canonical(result.items)
    assert len(result.items) == len(EDITION_1)
    assert set(stories) == EDITION_1
    # The alias on page 3 folds onto the story already requested from page 2.
    assert fetched(replicas, "http://shandong.chinadaily.com.cn/2021-12/16/c_692691.htm") == 0

    seed = stories[f"{GO}/2021-12/16/c_692691.htm"]
    assert (
        seed["title"] == "Binzhou celebrates 25th sister city anniversary with Goyang, South Korea"
    )
    assert seed["published"] == "2021-12-16T00:00:00+08:00"
    assert seed["extraction"] == "site"
    assert seed["pages"] == [f"{GO}/2021-12/16/c_692691.htm"]
    body = "\n".join(seed["body"])
    assert "Binzhou was Goyang's first international sister city" in body
    for furniture in ("957.jpg", "[Photo/", "Edited by", "Related Stories", "Print"):
        assert furniture not in body
    assert seed["captions"][0].endswith("[Photo/binzhouw.com]")

    alias = stories[f"{GO}/2024-12/06/c_1051370.htm"]
    assert alias["url"] == "http://subsites.chinadaily.com.cn/shandong/2024-12/06/c_1051370.htm"

    multipage = stories[MULTIPAGE]
    assert multipage["pages"] == [MULTIPAGE, MULTIPAGE[:-4] + "_2.htm", MULTIPAGE[:-4] + "_3.htm"]
    assert "86 cities in 48 countries" in multipage["body"][0]
    assert "Huangnixiang" in multipage["body"][-1]

    assert stories[OLD_TEMPLATE]["extraction"] == "generic"
    assert {s["extraction"] for u, s in stories.items() if u != OLD_TEMPLATE} == {"site"}


def test_paging_stops_when_a_page_holds_only_known_stories(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    settings = known_settings(tmp_path, SLUG, EDITION_1, BASE_SETTINGS)
    result = crawl(SLUG, tmp_path, replicas, settings=settings)
    assert result.returncode == 0, result.log[-2000:]
    assert listing_pages(replicas) == [LISTING]
    assert canonical_urls(result.items) == PAGE_1


def test_edition_2_new_story_first_and_edited_story_on_page_2(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    replicas.set_edition(2)
    result = crawl(
        SLUG, tmp_path, replicas, settings=known_settings(tmp_path, SLUG, EDITION_1, BASE_SETTINGS)
    )
    assert result.returncode == 0, result.log[-2000:]
    # Page 1 holds a new story, so page 2 is read; page 2 holds only known ones, so no page 3.
    assert listing_pages(replicas) == [LISTING, f"{GO}/sistercities_2.html"]
    stories = by_canonical(result.items)
    assert set(stories) == (PAGE_1 - {GONE_FROM_LISTING_2}) | PAGE_2 | {NEW_IN_EDITION_2}
    assert stories[NEW_IN_EDITION_2]["title"] == "Rizhao and Pohang establish friendship-city ties"
    assert stories[NEW_IN_EDITION_2]["published"] == "2026-10-20T00:00:00+08:00"
    daegu = "\n".join(stories[f"{GO}/qingdao/2023-12/04/c_968350.htm"]["body"])
    assert "direct Qingdao-Daegu air route" in daegu


def test_since_stops_at_the_first_older_story(tmp_path: Path, replicas: ReplicaServer) -> None:
    result = crawl(
        SLUG, tmp_path, replicas, spider_args={"since": "2024-01-01"}, settings=BASE_SETTINGS
    )
    assert result.returncode == 0, result.log[-2000:]
    assert canonical_urls(result.items) == PAGE_1 | {f"{GO}/2024-04/26/c_1009013.htm"}
    assert f"{GO}/sistercities_3.html" not in listing_pages(replicas)


def test_one_url_through_a_host_alias_after_a_503(tmp_path: Path, replicas: ReplicaServer) -> None:
    url = "http://subsites.chinadaily.com.cn/shandong/2024-12/06/c_1051370.htm"
    replicas.inject_fault(url, 503, times=1, retry_after="1")
    result = crawl(SLUG, tmp_path, replicas, spider_args={"url": url}, settings=BASE_SETTINGS)
    assert result.returncode == 0, result.log[-2000:]
    assert fetched(replicas, url) == 2
    assert [i["canonical_url"] for i in result.items] == [f"{GO}/2024-12/06/c_1051370.htm"]
    story = result.items[0]
    assert story["title"] == "Qingdao, Gwangju sign friendly cooperation agreement"
    assert story["published"] == "2024-12-06T00:00:00+08:00"
    assert "Gwangju Metropolitan City" in story["body"][0]
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
    # The pager is found by its links, not its id: the three pages are still joined.
    assert len(stories[MULTIPAGE]["pages"]) == 3
