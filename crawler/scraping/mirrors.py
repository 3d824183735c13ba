"""Send requests for a real origin to a mirror (a replica, caching proxy or web archive).

Everything above the download handler (robots.txt, the HTTP cache, dupe filter, spiders, items)
sees only real URLs; only the bytes on the wire come from the mirror.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.utils.misc import build_from_crawler, load_object

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def mirror_url(url: str, mirrors: dict[str, str]) -> str | None:
    """The mirror URL for ``url``, or None when its origin is not mirrored.

    Origins may carry a path (``https://subsites.chinadaily.com.cn/shandong``); the longest
    matching origin wins.
    """
    lowered = url.lower()
    best = None
    for origin in mirrors:
        prefix = origin.rstrip("/").lower()
        if (
            lowered == prefix
            or lowered.startswith(prefix + "/")
            or lowered.startswith(prefix + "?")
        ):
            if best is None or len(prefix) > len(best):
                best = prefix
    if best is None:
        return None
    for origin, base in mirrors.items():
        if origin.rstrip("/").lower() == best:
            return base.rstrip("/") + url[len(best) :]
    return None


class MirrorDownloadHandler(BaseDownloadHandler):
    """Wraps the real handler (``SISTERCITY_INNER_DOWNLOAD_HANDLER``) and applies ``SITE_MIRRORS``."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.mirrors: dict[str, str] = dict(crawler.settings.getdict("SITE_MIRRORS"))
        inner_cls = load_object(crawler.settings["SISTERCITY_INNER_DOWNLOAD_HANDLER"])
        self.inner = build_from_crawler(inner_cls, crawler)

    async def download_request(self, request: Request) -> Response:
        target = mirror_url(request.url, self.mirrors)
        if target is None:
            return await self.inner.download_request(request)
        response = await self.inner.download_request(request.replace(url=target))
        return response.replace(url=request.url, request=request)

    async def close(self) -> None:
        await self.inner.close()
