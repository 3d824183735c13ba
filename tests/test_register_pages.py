"""The browsable register written with the feeds: index.html, place, country and pair pages.
Checked as HTML (names not codes, links, escaping) and in headless Chromium at 1280 and 390 px
(table visible, no sideways scrolling on a phone, the filter and sorting work)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from storage import StoryStore
from storage.feeds import FeedConfig, build_feeds, publish
from tests.storeconf import *  # noqa: F403
from tests.storefactory import (
    asiae_gwangju_qingdao,
    binzhou_goyang,
    build_through_history,
    chinadaily_qingdao_gwangju,
    licheng_gangnam,
    qingdao_network,
)

T1 = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)
CONFIG = FeedConfig(
    version="1.2.3",
    site_names={"asiae": "The Asia Business Daily", "chinadaily_shandong": "China Daily Shandong"},
)


@pytest.fixture
def feeds(tmp_path: Path) -> Path:
    with StoryStore.open(f"sqlite:///{tmp_path / 'store.db'}") as store:
        store.record(asiae_gwangju_qingdao(T1))
        store.record(chinadaily_qingdao_gwangju(T1 + timedelta(hours=1)))
        store.record(binzhou_goyang(T1 + timedelta(hours=2)))
        store.record(licheng_gangnam(T1 + timedelta(hours=3)))
        store.record(qingdao_network(T1 + timedelta(hours=4)))
        run = store.start_run(["asiae"])
        store.finish_site_run(run, "asiae", {"flags": [], "responses_by_status": {"200": 7}})
        publish(store, tmp_path / "feeds", CONFIG)
    return tmp_path / "feeds"


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def test_index_links_the_register_table_with_latest_changes_and_health(feeds: Path) -> None:
    doc = page(feeds / "index.html")
    assert doc.xpath("//meta[@name='viewport']")
    text = doc.text_content()
    assert "3 partnerships between 6 places in 2 countries" in " ".join(text.split())
    # Names, not codes: countries and sites as people know them.
    assert "South Korea" in text and "China" in text
    health = page(feeds / "health.html").text_content()
    assert "The Asia Business Daily" in health and "No open health flags" in health
    links = {a.get("href") for a in doc.iter("a")}
    # The table is on its own pages, not in index.html.
    assert not doc.xpath("//table")
    assert {"register/1.html", "countries/kr.html", "countries/cn.html"} <= links
    latest = doc.xpath("//section[@id='latest']//li")
    # The signing's entry is dated by the event, not by the crawl.
    assert any(li.text_content().strip().startswith("2024-11-21") for li in latest)
    for href in links:
        if href and not href.startswith(("http", "#")):
            assert (feeds / href).exists(), href


def test_table_page_lists_every_pair_by_name(feeds: Path) -> None:
    doc = page(feeds / "register" / "1.html")
    rows = doc.xpath("//table[@id='register']/tbody/tr")
    assert len(rows) == 3
    assert "South Korea" in doc.text_content() and "3 partnerships" in doc.text_content()
    links = {a.get("href") for a in doc.iter("a")}
    assert {
        f"../pairs/{p}.html" for p in ("binzhou-cn--goyang-kr", "qingdao-cn--gwangju-kr")
    } <= links
    for href in links:
        if href and not href.startswith(("http", "#")):
            assert (feeds / "register" / href).resolve().exists(), href
    assert not (feeds / "register" / "2.html").exists()


def test_large_tables_are_split_into_pages_in_register_order(
    sqlite_store: StoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past TABLE_PAGE pairs the register's table and a country's go on to further pages, in
    the order the pairs entered the register, linked from the first page and from each other:
    every pair on exactly one page."""
    import storage.site as site
    from benchmarks import synthetic

    monkeypatch.setattr(site, "TABLE_PAGE", 5)
    stories = [synthetic.story(n) for n in range(12)]
    for story in stories:
        sqlite_store.record(story)
    build_feeds(sqlite_store, tmp_path, CONFIG)
    assert sorted(p.name for p in (tmp_path / "register").glob("*.html")) == [
        "1.html",
        "2.html",
        "3.html",
    ]
    listed = []
    for n in (1, 2, 3):
        doc = page(tmp_path / "register" / f"{n}.html")
        listed += [a.text_content() for a in doc.xpath("//tbody//td[1]/a")]
        links = {a.get("href") for a in doc.iter("a")}
        assert (n > 1) == ("1.html" in links)
        assert (n < 3) == (f"{n + 1}.html" in links)
    assert len(listed) == len(set(listed)) == 12
    # Register order: the first story's pair first, the last story's pair on the last page.
    for row, story in ((listed[0], stories[0]), (listed[-1], stories[-1])):
        pair = story.partnerships[0]
        assert set(row.split(" – ")) == {pair["a"]["name"], pair["b"]["name"]}
    index = {a.get("href") for a in page(tmp_path / "index.html").iter("a")}
    assert {"register/1.html", "register/2.html", "register/3.html"} <= index
    country = {a.get("href") for a in page(tmp_path / "countries" / "cn.html").iter("a")}
    assert {"cn-2.html", "cn-3.html"} <= country
    assert (tmp_path / "countries" / "kr-3.html").exists()


def test_pair_page_has_history_and_source_links(feeds: Path) -> None:
    doc = page(feeds / "pairs" / "qingdao-cn--gwangju-kr.html")
    assert "青岛" in doc.text_content() and "광주" in doc.text_content()
    sources = {a.get("href") for a in doc.xpath("//ul[@class='sources']//a")}
    assert sources == {
        "https://asiae.example/2024112211525203153",
        "https://chinadaily_shandong.example/c_1050223",
    }
    assert "China Daily Shandong" in doc.text_content()
    place = page(feeds / "places" / "qingdao-cn.html")
    assert "86 partner cities" in place.text_content()
    assert len(place.xpath("//table[@id='register']/tbody/tr")) == 1


def pages(feeds_dir: Path) -> dict[str, bytes]:
    """Every register page by path: index.html and the place, country and pair pages."""
    return {
        str(p.relative_to(feeds_dir)): p.read_bytes()
        for p in sorted(feeds_dir.rglob("*.html"))
        if p.name != "health.html"
    }


def test_an_incremental_build_leaves_the_same_pages_as_a_full_build(
    store: StoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each batch of stories, the pages an incremental build leaves (it renders only
    the pairs, places and countries touched since the last build, and the table pages whose
    pairs changed or moved) are byte for byte those a full build from scratch writes: none
    stale, none missing, none left over. Tables of 4 rows a page, so pairs move between pages
    as the register grows and when one is retracted."""
    import storage.site as site

    monkeypatch.setattr(site, "TABLE_PAGE", 4)
    paged = False
    for step, incremental, full in build_through_history(store, tmp_path, CONFIG, T1):
        expected = pages(full)
        assert pages(incremental) == expected, step
        assert any(name.startswith("places/") for name in expected)
        paged |= "register/3.html" in expected and "countries/cn-2.html" in expected
    assert paged
    assert not (incremental / "places" / "binzhou-cn.html").exists()  # retracted: no pair left


def test_a_rebuild_renders_the_pages_of_the_touched_pair_only(
    sqlite_store: StoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One new pair: its pair and place pages, the first and last table pages of the register
    and of its two countries (the count on the first, the new row on the last), and the rows of
    those pages only, not the whole register."""
    import storage.feeds as feeds
    import storage.site as site
    from benchmarks import synthetic

    monkeypatch.setattr(site, "TABLE_PAGE", 5)
    for n in range(12):
        sqlite_store.record(synthetic.story(n))
    build_feeds(sqlite_store, tmp_path, CONFIG)
    asked: list[tuple[site.Pages | None, dict[str, set[int]] | None]] = []
    render = site.render_site

    def spy(*args, pages=None, tables=None, **kwargs):  # type: ignore[no-untyped-def]
        asked.append((pages, tables))
        return render(*args, pages=pages, tables=tables, **kwargs)

    read: list[object] = []
    register_rows = feeds.register_rows

    def rows_spy(session, **kwargs):  # type: ignore[no-untyped-def]
        read.append(kwargs.get("partnership_ids"))
        return register_rows(session, **kwargs)

    monkeypatch.setattr(site, "render_site", spy)
    monkeypatch.setattr(feeds, "register_rows", rows_spy)
    story = synthetic.story(12)
    sqlite_store.record(story)
    report = build_feeds(sqlite_store, tmp_path, CONFIG)
    ((pages_asked, tables),) = asked
    assert pages_asked is not None and pages_asked.pairs is not None
    assert len(pages_asked.pairs) == 1
    places = {p["id"] for p in story.partnerships[0].values() if isinstance(p, dict)}
    assert pages_asked.places == places
    assert pages_asked.countries == {"CN", "KR"}
    assert tables == {site.ALL: {1, 3}, "CN": {1, 3}, "KR": {1, 3}}
    written = set(report.written)
    assert {"register/1.html", "register/3.html", "countries/cn-3.html"} <= written
    assert "register/2.html" not in written and "countries/cn-2.html" not in written
    # The rows of pages 1 and 3 (5 + 3 pairs, the new one among them), not all 13.
    (ids,) = read
    assert ids is not None and len(ids) == 8


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_in_chromium(feeds: Path, needs_chromium: str, tmp_path: Path, width: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=needs_chromium, args=["--no-sandbox"])
        try:
            view = browser.new_page(viewport={"width": width, "height": 900})
            errors: list[str] = []
            view.on("pageerror", lambda exc: errors.append(str(exc)))
            view.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            for name in ("index.html", "register/1.html"):
                view.goto((feeds / name).as_uri())
                shot = tmp_path / f"{name.replace('/', '-')}-{width}.png"
                view.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 10_000
                overflow = view.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{overflow}px of sideways scrolling at {width}px on {name}"
            table = view.locator("#register")
            assert table.is_visible()
            rows = view.locator("#register tbody tr")
            assert rows.count() == 3
            # register.js ran: the filter form is shown; typing filters the rows.
            search = view.locator("#register-filters input[name=q]")
            assert search.is_visible()
            search.fill("gangnam")
            assert view.locator("#register tbody tr:visible").count() == 1
            assert view.locator("#register-filters output").inner_text() == "1"
            search.fill("")
            view.select_option("#register-filters select[name=country]", "KR")
            assert view.locator("#register tbody tr:visible").count() == 3
            view.select_option("#register-filters select[name=relation]", "sister")
            visible = view.locator("#register tbody tr:visible")
            assert visible.count() == 3 - int(
                view.locator("#register tbody tr:not([data-relation='sister'])").count()
            )
            view.select_option("#register-filters select[name=relation]", "")
            if width >= 800:
                # Sorting: "Since" ascending puts Binzhou–Goyang (1996) first.
                view.locator("#register thead th", has_text="Since").locator("button").click()
                assert "Binzhou" in rows.first.inner_text()
                view.locator("#register thead th", has_text="Since").locator("button").click()
                assert "Binzhou" in rows.last.inner_text()
            view.goto((feeds / "pairs" / "qingdao-cn--gwangju-kr.html").as_uri())
            view.screenshot(path=str(tmp_path / f"pair-{width}.png"), full_page=True)
            overflow = view.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0
            assert not errors, errors
        finally:
            browser.close()
