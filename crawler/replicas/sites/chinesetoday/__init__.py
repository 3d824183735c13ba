"""Replica of International Daily News, US edition (chinesetoday.com): a query-string CMS.

Pages: the channel list ``/?c=26`` (``&page=2`` …), articles at ``/?c=26&m=<id>`` in English,
simplified and traditional Chinese, one served as GBK with the charset in the HTTP header, one
with no charset in the header but ``<meta charset="gb2312">``, and one 2019 article in an older
template without the info line.
"""

from __future__ import annotations

from typing import Any

from crawler.replicas.render import TemplatedReplica, edited_body
from crawler.replicas.server import Resource

ORIGIN = "http://chinesetoday.com"
LIST_URL = f"{ORIGIN}/?c=26"
ROBOTS = b"""User-agent: *
Disallow: /admin/
Disallow: /index.php?c=search
Disallow: /?c=search
Allow: /
"""
# How each encoding case is served: (Content-Type header, codec, charset named in the page).
# A page labelled gb2312 is encoded as GBK, as browsers and w3lib decode that label as GBK.
ENCODINGS = {
    "utf-8": ("text/html; charset=utf-8", "utf-8", "utf-8"),
    "gbk": ("text/html; charset=GBK", "gbk", "gbk"),
    "gb2312-meta": ("text/html", "gbk", "gb2312"),
}


class ChinesetodayReplica(TemplatedReplica):
    slug = "chinesetoday"
    origins = {ORIGIN: "chinesetoday", "http://www.chinesetoday.com": "chinesetoday-www"}
    start_urls = (LIST_URL,)
    robots_txt = ROBOTS

    def stories(self, edition: int) -> list[dict[str, Any]]:
        found = []
        for raw in self.data["stories"]:
            if not self.in_edition(raw, edition):
                continue
            s = dict(raw)
            s.setdefault("c", 26)
            s["canonical"] = f"{ORIGIN}/?c={s['c']}&m={s['m']}"
            s.setdefault("link", s["canonical"])
            s.setdefault("colon", ":")
            s.setdefault("captions", [])
            s.setdefault("encoding", "utf-8")
            if "image" not in s:
                s["image"] = f"{s['title']}.jpg" if s["title"].isascii() else None
            year, month, day = (int(x) for x in s["date"].split("/"))
            s["iso_date"] = f"{year:04d}-{month:02d}-{day:02d}"
            s["folder"] = f"{year:04d}/{month:02d}{day:02d}"
            s["body"] = edited_body(s, edition)
            found.append(s)
        return sorted(found, key=lambda s: s["m"], reverse=True)

    def resources(self, edition: int) -> dict[str, Resource]:
        stories = self.stories(edition)
        pages = self.robots()
        for index, s in enumerate(stories):
            s["related"] = [
                {"m": r["m"], "title": r["title"]} for r in stories[index + 1 : index + 3]
            ]
            template = "old_article.html" if s.get("template") == "old" else "article.html"
            page = self._encoded(template, s["encoding"], s=s)
            pages[s["canonical"]] = page
            pages[s["link"]] = page
        listed = [s for s in stories if self.in_edition(s, edition, "listed_in")]
        chunks = self.paginate(listed)
        for number, chunk in enumerate(chunks, start=1):
            entries = [
                {**s, "href": self._href(s["link"]), "list_date": s["iso_date"]} for s in chunk
            ]
            pages[self.page_url(number)] = self._encoded(
                "listing.html",
                "utf-8",
                entries=entries,
                page=number,
                pages=len(chunks),
                page_href=lambda n: self._href(self.page_url(n)),
            )
        return pages

    @staticmethod
    def page_url(number: int) -> str:
        return LIST_URL if number == 1 else f"{LIST_URL}&page={number}"

    @staticmethod
    def _href(url: str) -> str:
        # The CMS prints root-relative links for its own host.
        return url[len(ORIGIN) :] if url.startswith(ORIGIN + "/") else url

    def _encoded(self, template: str, encoding: str, **context: Any) -> Resource:
        content_type, codec, charset = ENCODINGS[encoding]
        text = self.env.get_template(template).render(charset=charset, **context)
        return Resource(text.encode(codec), content_type)


SITE = ChinesetodayReplica()
