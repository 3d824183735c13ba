"""Replica of the Asia Business Daily's English edition (www./cm./view.asiae.co.kr).

Pages: a server-rendered "Regional" list (``/en/list/regional``, ``?page=2`` …), a "Local
Diplomacy" special-coverage list whose links a script fetches from a JSON file (so only a browser
sees them), article pages in the Korean edition's markup, one print view, and one 2019 article
in an older template that none of the site selectors know.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crawler.replicas.render import TemplatedReplica, edited_body
from crawler.replicas.server import Resource

WWW = "https://www.asiae.co.kr"
LIST_URL = f"{WWW}/en/list/regional"
SPECIAL_URL = f"{WWW}/en/special/local-diplomacy"
KST = ZoneInfo("Asia/Seoul")
ROBOTS = b"""User-agent: *
Disallow: /search
Disallow: /en/search
Disallow: /member/
Allow: /en/
"""


def id_time(article_id: str) -> datetime:
    return datetime.strptime(article_id[:14], "%Y%m%d%H%M%S").replace(tzinfo=KST)


class AsiaeReplica(TemplatedReplica):
    slug = "asiae"
    origins = {
        WWW: "asiae",
        "https://cm.asiae.co.kr": "asiae-cm",
        "https://view.asiae.co.kr": "asiae-view",
    }
    start_urls = (LIST_URL, SPECIAL_URL)
    robots_txt = ROBOTS

    def stories(self, edition: int) -> list[dict[str, Any]]:
        found = []
        for raw in self.data["stories"]:
            if not self.in_edition(raw, edition):
                continue
            s = dict(raw)
            s["canonical"] = f"{WWW}/en/article/{s['id']}"
            s["link"] = s.get("link", s["canonical"])
            s["iso"] = id_time(s["id"]).isoformat()
            s["meta"] = s.get("meta", True)
            s["photo_at"] = s.get("photo_at", 0)
            s["body"] = edited_body(s, edition)
            found.append(s)
        return found

    def resources(self, edition: int) -> dict[str, Resource]:
        stories = self.stories(edition)
        titles = {s["id"]: s["title"] for s in stories}
        pages = self.robots()
        for s in stories:
            s["related"] = [
                {"id": r, "title": titles[r]} for r in s.get("related", []) if r in titles
            ]
            s["jsonld"] = self._jsonld(s)
            template = "old_article.html" if s.get("template") == "old" else "article.html"
            page = self.html(template, s=s)
            pages[s["canonical"]] = page
            pages[s["link"].split("#")[0]] = page
            if s.get("print"):
                pages[f"{WWW}/en/print.htm?idxno={s['id']}"] = self.html("print.html", s=s)
        # listed_in (by default the story's editions, this one among them) can keep it off the list.
        listed = [
            s
            for s in stories
            if s.get("listing", True) and self.in_edition(s, edition, "listed_in")
        ]
        listed.sort(key=lambda s: s["id"], reverse=True)
        chunks = self.paginate(listed)
        for number, chunk in enumerate(chunks, start=1):
            entries = [{**s, "summary": s["body"][0][:140].rsplit(" ", 1)[0] + " …"} for s in chunk]
            pages[self.page_url(number)] = self.html(
                "listing.html",
                entries=entries,
                page=number,
                pages=len(chunks),
                page_url=self.page_url,
            )
        pages[SPECIAL_URL] = self.html("special.html")
        special = sorted(
            (s for s in stories if s.get("special")), key=lambda s: s["id"], reverse=True
        )
        items = [{"title": s["title"], "url": self._special_href(s)} for s in special]
        pages[f"{SPECIAL_URL}.json"] = Resource(
            json.dumps(items, ensure_ascii=False, indent=1).encode("utf-8"),
            "application/json; charset=utf-8",
        )
        return pages

    @staticmethod
    def page_url(number: int) -> str:
        return LIST_URL if number == 1 else f"{LIST_URL}?page={number}"

    @staticmethod
    def _special_href(s: dict[str, Any]) -> str:
        # Root-relative for the www host, absolute for the others, as the real list mixes them.
        link = s["link"]
        return link[len(WWW) :] if link.startswith(WWW + "/") else link

    @staticmethod
    def _jsonld(s: dict[str, Any]) -> str:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": s["title"],
            "datePublished": s["iso"],
            "mainEntityOfPage": s["canonical"],
            "publisher": {"@type": "Organization", "name": "The Asia Business Daily"},
        }
        # Escape "<" so a headline can never close the script element.
        return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


SITE = AsiaeReplica()
