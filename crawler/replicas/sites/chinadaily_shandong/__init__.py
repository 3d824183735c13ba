"""Synthetic replica of the China Daily Shandong portal (www.goshandong.com.cn and aliases).

The same CMS content is served under three hosts, as on the real site; the "Sister Cities"
column lists five stories a page at ``sistercities.html``, ``sistercities_2.html`` …
Stories are data (``stories.yaml``); the markup is in ``templates/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crawler.replicas.render import environment, load_yaml
from crawler.replicas.server import ReplicaSite, Resource

HERE = Path(__file__).resolve().parent
MAIN = "http://www.goshandong.com.cn"
LISTING = f"{MAIN}/sistercities.html"
PAGE_SIZE = 5
ROBOTS = b"User-agent: *\nDisallow: /search\nDisallow: /cms/\nAllow: /\n"
_URL_DATE = re.compile(r"/(\d{4}-\d{2})/(\d{2})/c_\d+\.htm$")


def _listing_url(page: int) -> str:
    return LISTING if page == 1 else LISTING.replace(".html", f"_{page}.html")


def _page_url(url: str, page: int) -> str:
    return url if page == 1 else url.replace(".htm", f"_{page}.htm")


def _pager(url: str, count: int, current: int) -> list[tuple[str, str | None]]:
    """The article pager "1 2 3 >" (with "<" after page 1); hrefs are relative like the CMS's."""
    name = url.rsplit("/", 1)[1]
    href = {n: _page_url(name, n) for n in range(1, count + 1)}
    pager: list[tuple[str, str | None]] = []
    if current > 1:
        pager.append(("<", href[current - 1]))
    pager += [(str(n), None if n == current else href[n]) for n in range(1, count + 1)]
    if current < count:
        pager.append((">", href[current + 1]))
    return pager


def _blocks(raw: list[Any]) -> list[dict[str, Any]]:
    return [{"text": b} if isinstance(b, str) else dict(b, leak=b.get("leak", False)) for b in raw]


class ChinadailyShandongReplica(ReplicaSite):
    slug = "chinadaily_shandong"
    origins = {
        MAIN: "chinadaily_shandong",
        "http://shandong.chinadaily.com.cn": "chinadaily_shandong-cd",
        "http://subsites.chinadaily.com.cn": "chinadaily_shandong-subsites",
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
            out[_listing_url(number)] = self._html(
                "listing.html",
                entries=[self._entry(e) for e in chunk],
                pager=[
                    (str(n), None if n == number else _listing_url(n))
                    for n in range(1, len(pages) + 1)
                ],
                next_url=_listing_url(number + 1) if number < len(pages) else None,
            )
        return out

    def _entry(self, entry: dict[str, Any]) -> dict[str, str]:
        story = self.stories[entry["story"]]
        url = entry.get("url", story["url"])
        month, day = _URL_DATE.search(url).groups()  # type: ignore[union-attr]
        return {
            "url": url,
            "title": story["title"],
            "date": f"{month}-{day}",
            "summary": story["summary"],
        }

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
        template = "article_old.html" if story.get("template") == "old" else "article.html"
        out = {}
        for url in [story["url"], *story.get("aliases", [])]:
            for number, blocks in enumerate(pages, start=1):
                out[_page_url(url, number)] = self._html(
                    template,
                    story=story,
                    url=url,
                    blocks=blocks,
                    related=related,
                    pager=_pager(url, len(pages), number) if len(pages) > 1 else [],
                )
        return out

    def _html(self, template: str, **context: Any) -> Resource:
        return Resource(self.env.get_template(template).render(**context).encode("utf-8"))


SITE = ChinadailyShandongReplica()
