"""Synthetic replica of China.org.cn and its china.com.cn sister channels.

English stories on www.china.org.cn (``content_<id>.htm`` and the newer ``.shtml``), English and
bilingual ones on ccpd.china.com.cn, Chinese ones on news.china.com.cn, and one page of the old
``/english/`` archive in GB2312. The "Exchanges" column lists five stories a page at
``node_7075763.htm``, ``node_7075763_2.htm`` … Stories are data (``stories.yaml``); the markup
is in ``templates/``.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.replicas.render import ColumnReplica, pager, story_pages
from crawler.replicas.server import Resource

LISTING = "http://www.china.org.cn/world/node_7075763.htm"
_URL_DATE = re.compile(r"/(\d{4}-\d{2})/(\d{2})/content_")
_SUFFIX = re.compile(r"(\.s?html?)$")


def _page_url(url: str, page: int) -> str:
    return url if page == 1 else _SUFFIX.sub(rf"_{page}\1", url)


def _pager(url: str, count: int, current: int) -> list[tuple[str, str | None]]:
    """div#autopage: page numbers between 上一页 (previous) and 下一页 (next)."""
    name = url.rsplit("/", 1)[1]
    return pager(count, current, lambda n: _page_url(name, n), "上一页", "下一页")


def _blocks(raw: list[Any]) -> list[dict[str, Any]]:
    return [{"text": b} if isinstance(b, str) else dict(b) for b in raw]


class ChinaOrgCnReplica(ColumnReplica):
    slug = "china_org_cn"
    origins = {
        "http://www.china.org.cn": "china_org_cn",
        "http://ccpd.china.com.cn": "china_org_cn-ccpd",
        "http://news.china.com.cn": "china_org_cn-news",
    }
    start_urls = (LISTING,)
    robots_txt = b"User-agent: *\nDisallow: /search/\nDisallow: /cgi-bin/\nAllow: /\n"

    def listing_url(self, page: int) -> str:
        return LISTING if page == 1 else LISTING.replace(".htm", f"_{page}.htm")

    def listing_entry(self, entry: dict[str, Any]) -> dict[str, str]:
        story = self.stories[entry["story"]]
        found = _URL_DATE.search(story["url"])
        date = f"{found.group(1)}-{found.group(2)}" if found else story["listed"]
        return {"url": story["url"], "title": story["title"], "date": date}

    def article(
        self, story: dict[str, Any], stories: dict[str, dict[str, Any]], edition: int
    ) -> dict[str, Resource]:
        pages, related = story_pages(story, stories, edition, _blocks)
        variant = story["variant"]
        out = {}
        for number, blocks in enumerate(pages, start=1):
            url = _page_url(story["url"], number)
            if variant == "archive":
                # The old archive is GB2312 and says so only in its <meta>, not in the header.
                html = self.env.get_template("archive.html").render(story=story, blocks=blocks)
                out[url] = Resource(html.encode("gb2312"), content_type="text/html")
                continue
            out[url] = self.html(
                "article.html",
                story=story,
                variant=variant,
                url=url,
                blocks=blocks,
                related=related,
                pager=_pager(story["url"], len(pages), number) if len(pages) > 1 else [],
            )
        return out


SITE = ChinaOrgCnReplica()
