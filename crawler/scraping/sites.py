"""The one registry of sites: the project's spiders, as Scrapy's spider loader finds them in
``SPIDER_MODULES``. Whatever needs every site, one site's spider or parser, or the site of a URL
asks here, so adding ``spiders/<site>.py`` is all it takes for the crawl, ``reprocess``,
``classify --url``, the replicas and the register's site names to know the site.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

DEFAULT_SPIDER_MODULES = ("spiders",)


def _loader(spider_modules: Iterable[str] | None = None) -> SpiderLoader:
    settings = Settings({"SPIDER_MODULES": list(spider_modules or DEFAULT_SPIDER_MODULES)})
    return SpiderLoader.from_settings(settings)


def site_names(spider_modules: Iterable[str] | None = None) -> list[str]:
    return sorted(_loader(spider_modules).list())


def spider_class(site: str, spider_modules: Iterable[str] | None = None) -> Any:
    """The site's spider class (KeyError for a site no spider module defines)."""
    return _loader(spider_modules).load(site)


def parser_for(site: str, spider_modules: Iterable[str] | None = None) -> Any:
    """The site's ``ParserProxy`` (every version of its parser)."""
    return spider_class(site, spider_modules).parser


def display_names(spider_modules: Iterable[str] | None = None) -> dict[str, str]:
    """Each site's name as people know it (the spider's ``display_name``)."""
    loader = _loader(spider_modules)
    return {name: getattr(loader.load(name), "display_name", name) for name in loader.list()}


def site_for_article(url: str, spider_modules: Iterable[str] | None = None) -> str | None:
    """The site whose article URL pattern matches ``url``."""
    loader = _loader(spider_modules)
    for name in sorted(loader.list()):
        cls = loader.load(name)
        if hasattr(cls, "is_article_url") and cls.is_article_url(url):
            return name
    return None


def site_for_host(url: str, spider_modules: Iterable[str] | None = None) -> str | None:
    """The site whose ``allowed_domains`` hold the host of ``url`` (any page of the site)."""
    host = urlsplit(url).netloc.lower().split(":")[0]
    loader = _loader(spider_modules)
    for name in sorted(loader.list()):
        domains = getattr(loader.load(name), "allowed_domains", None) or []
        if any(host == d or host.endswith("." + d) for d in domains):
            return name
    return None
