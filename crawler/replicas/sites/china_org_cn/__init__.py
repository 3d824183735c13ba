"""Synthetic replica of China.org.cn and its china.com.cn sister channels.

English stories on www.china.org.cn (``content_<id>.htm`` and the newer ``.shtml``), English and
bilingual ones on ccpd.china.com.cn, Chinese ones on news.china.com.cn, and one page of the old
``/english/`` archive in GB2312. The "Exchanges" column lists five stories a page at
``node_7075763.htm``, ``node_7075763_2.htm`` … Stories are data (``stories.yaml``); the markup
is in ``templates/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crawler.replicas.render import environment, load_yaml
from crawler.replicas.server import ReplicaSite, Resource

HERE = Path(__file__).resolve().parent
LISTING = "http://www.china.org.cn/world/node_7075763.htm"
PAGE_SIZE = 5
ROBOTS = b"User-agent: *\nDisallow: /search/\nDisallow: /cgi-bin/\nAllow: /\n"
_URL_DATE = re.compile(r"/(\d{4}-\d{2})/(\d{2})/content_")
_SUFFIX = re.compile(r"(\.s?html?)$")


def _listing_url(page: int) -> str:
    return LISTING if page == 1 else LISTING.replace(".htm", f"_{page}.htm")


def _page_url(url: str, page: int) -> str:
    return url if page == 1 else _SUFFIX.sub(rf"_{page}\1", url)


def _pager(url: str, count: int, current: int) -> list[tuple[str, str | None]]:
    """div#autopage: page numbers, then 下一页 (next) when there is a next page."""
    name = url.rsplit("/", 1)[1]
    pager: list[tuple[str, str | None]] = []
    if current > 1:
        pager.append(("上一页", _page_url(name, current - 1)))
    pager += [(str(n), None if n == current else _page_url(name, n)) for n in range(1, count + 1)]
    if current < count:
        pager.append(("下一页", _page_url(name, current + 1)))
    return pager


def _blocks(raw: list[Any]) -> list[dict[str, Any]]:
    return [{"text": b} if isinstance(b, str) else dict(b) for b in raw]


class ChinaOrgCnReplica(ReplicaSite):
    slug = "china_org_cn"
    origins = {
        "http://www.china.org.cn": "china_org_cn",
        "http://ccpd.china.com.cn": "china_org_cn-ccpd",
        "http://news.china.com.cn": "china_org_cn-news",
    }
    start_urls = (LISTING,)

    def __init__(self) -> None:
        self.env = environment(HERE / "templates")
        data = load_yaml(HERE / "stories.yaml")
        self.listing = data["listing"]
        self.stories: dict[str, dict[str, Any]] = data["stories"]

    def resources(self, edition: int) -> dict[str, Resource]:
        out = {f"{origin}/robots.txt": Resource(ROBOTS, "text/plain") for origin in self.origins}
        stories = {k: s for k, s in self.stories.items() if edition in s.get("editions", [1, 2])}
        for story in stories.values():
            out.update(self._article(story, stories, edition))
        entries = [e for e in self.listing if edition in e.get("editions", [1, 2])]
        pages = [entries[i : i + PAGE_SIZE] for i in range(0, len(entries), PAGE_SIZE)]
        for number, chunk in enumerate(pages, start=1):
            html = self.env.get_template("listing.html").render(
                entries=[self._entry(e) for e in chunk],
                pager=[
                    (str(n), None if n == number else _listing_url(n))
                    for n in range(1, len(pages) + 1)
                ],
                next_url=_listing_url(number + 1) if number < len(pages) else None,
            )
            out[_listing_url(number)] = Resource(html.encode("utf-8"))
        return out

    def _entry(self, entry: dict[str, Any]) -> dict[str, str]:
        story = self.stories[entry["story"]]
        found = _URL_DATE.search(story["url"])
        date = f"{found.group(1)}-{found.group(2)}" if found else story["listed"]
        return {"url": story["url"], "title": story["title"], "date": date}

    def _article(
        self, story: dict[str, Any], stories: dict[str, dict[str, Any]], edition: int
    ) -> dict[str, Resource]:
        pages = (
            [_blocks(p) for p in story["pages"]] if "pages" in story else [_blocks(story["body"])]
        )
        if edition == 2 and "edited" in story:
            pages[0][story["edited"]["index"]] = {"text": story["edited"]["text"]}
        related = [
            (stories[k]["url"], stories[k]["title"]) for k in story["related"] if k in stories
        ]
        variant = story["variant"]
        out = {}
        for number, blocks in enumerate(pages, start=1):
            url = _page_url(story["url"], number)
            if variant == "archive":
                # The old archive is GB2312 and says so only in its <meta>, not in the header.
                html = self.env.get_template("archive.html").render(story=story, blocks=blocks)
                out[url] = Resource(html.encode("gb2312"), content_type="text/html")
                continue
            html = self.env.get_template("article.html").render(
                story=story,
                variant=variant,
                url=url,
                blocks=blocks,
                related=related,
                pager=_pager(story["url"], len(pages), number) if len(pages) > 1 else [],
            )
            out[url] = Resource(html.encode("utf-8"))
        return out


SITE = ChinaOrgCnReplica()
