"""The site registry: every site is known from its spider module alone, and everything that
needs "every site" or "the site of this URL" gets the same answer from it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crawler.replicas.server import load_sites
from crawler.scraping.sites import (
    display_names,
    parser_for,
    site_for_article,
    site_for_host,
    site_names,
    spider_class,
)
from crawler.settings import base as settings_base
from tests.conftest import ROOT

SPIDER_FILES = sorted(p.stem for p in (ROOT / "spiders").glob("*.py") if p.stem != "__init__")


def test_every_spider_module_is_a_site_and_has_a_replica() -> None:
    assert site_names() == SPIDER_FILES
    assert sorted(site.slug for site in load_sites()) == SPIDER_FILES


def test_each_site_has_its_parser_and_a_name_people_know() -> None:
    names = display_names()
    assert set(names) == set(SPIDER_FILES)
    assert len(set(names.values())) == len(names)
    assert all(name and name != site for site, name in names.items())
    assert settings_base.SISTERCITY_SITE_NAMES == names
    for site in SPIDER_FILES:
        assert parser_for(site) is spider_class(site).parser
        assert parser_for(site).site == site


def test_urls_find_their_site() -> None:
    for site in SPIDER_FILES:
        for domain in spider_class(site).allowed_domains:
            assert site_for_host(f"https://www.{domain}/any/page.html") == site
    assert site_for_host("https://example.org/news/1.html") is None
    assert site_for_article("https://example.org/news/1.html") is None
    url = "http://www.china.org.cn/world/2024-10/15/content_117485520.htm"
    assert site_for_article(url) == "china_org_cn"


def test_a_new_spider_module_is_all_a_site_needs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    package = tmp_path / "more_spiders"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "example.py").write_text(
        "from spiders.chinesetoday import ChinesetodaySpider\n\n\n"
        "class ExampleSpider(ChinesetodaySpider):\n"
        "    name = 'example'\n"
        "    display_name = 'Example News'\n"
        "    allowed_domains = ['example.org']\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    modules = ["spiders", "more_spiders"]
    try:
        assert "example" in site_names(modules)
        assert display_names(modules)["example"] == "Example News"
        assert site_for_host("https://news.example.org/1.html", modules) == "example"
    finally:
        for name in [m for m in sys.modules if m.startswith("more_spiders")]:
            del sys.modules[name]


def test_an_unknown_site_is_a_clear_error() -> None:
    with pytest.raises(KeyError):
        spider_class("no_such_site")
