"""Synthetic replica of the China Daily Shandong portal (www.goshandong.com.cn and aliases).

The same CMS content is served under three hosts, as on the real site; the "Sister Cities"
column lists five stories a page at ``sistercities.html``, ``sistercities_2.html`` …
Stories are data (``stories.yaml``); the markup is in ``templates/``.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.replicas.render import ColumnReplica, pager, story_pages
from crawler.replicas.server import Resource

MAIN = "http://www.goshandong.com.cn"
LISTING = f"{MAIN}/sistercities.html"
_URL_DATE = re.compile(r"/(\d{4}-\d{2})/(\d{2})/c_\d+\.htm$")


def _page_url(url: str, page: int) -> str:
    return url if page == 1 else url.replace(".htm", f"_{page}.htm")


def _pager(url: str, count: int, current: int) -> list[tuple[str, str | None]]:
    """The article pager "1 2 3 >" (with "<" after page 1); hrefs are relative like the CMS's."""
    name = url.rsplit("/", 1)[1]
    return pager(count, current, lambda n: _page_url(name, n), "<", ">")


def _blocks(raw: list[Any]) -> list[dict[str, Any]]:
    return [{"text": b} if isinstance(b, str) else dict(b, leak=b.get("leak", False)) for b in raw]


class ChinadailyShandongReplica(ColumnReplica):
    slug = "chinadaily_shandong"
    origins = {
        MAIN: "chinadaily_shandong",
        "http://shandong.chinadaily.com.cn": "chinadaily_shandong-cd",
        "http://subsites.chinadaily.com.cn": "chinadaily_shandong-subsites",
    }
    start_urls = (LISTING,)
    robots_txt = b"User-agent: *\nDisallow: /search\nDisallow: /cms/\nAllow: /\n"

    def listing_url(self, page: int) -> str:
        return LISTING if page == 1 else LISTING.replace(".html", f"_{page}.html")

    def listing_entry(self, entry: dict[str, Any]) -> dict[str, str]:
        story = self.stories[entry["story"]]
        url = entry.get("url", story["url"])
        month, day = _URL_DATE.search(url).groups()  # type: ignore[union-attr]
        return {
            "url": url,
            "title": story["title"],
            "date": f"{month}-{day}",
            "summary": story["summary"],
        }

    def article(
        self, story: dict[str, Any], stories: dict[str, dict[str, Any]], edition: int
    ) -> dict[str, Resource]:
        pages, related = story_pages(story, stories, edition, _blocks)
        template = "article_old.html" if story.get("template") == "old" else "article.html"
        out = {}
        for url in [story["url"], *story.get("aliases", [])]:
            for number, blocks in enumerate(pages, start=1):
                out[_page_url(url, number)] = self.html(
                    template,
                    story=story,
                    url=url,
                    blocks=blocks,
                    related=related,
                    pager=_pager(url, len(pages), number) if len(pages) > 1 else [],
                )
        return out


SITE = ChinadailyShandongReplica()
