"""Send requests for a real origin to a mirror (a replica, caching proxy or web archive).

Everything above the download handler (robots.txt, the HTTP cache, dupe filter, spiders, items)
sees only real URLs; only the bytes on the wire come from the mirror.

Plain requests go through Scrapy's HTTP handler (``SISTERCITY_PLAIN_DOWNLOAD_HANDLER``). A request
with ``meta["playwright"]`` goes through ``SISTERCITY_INNER_DOWNLOAD_HANDLER`` (scrapy-playwright's),
which is built on the first such request: a crawl whose pages need no browser never imports
Playwright nor starts its driver.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.signalmanager import SignalManager
from scrapy.utils.misc import build_from_crawler, load_object

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

PLAIN_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"


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


class _LateSignals:
    """The crawler's signals for a handler built once the engine has started: what it hooks on
    ``engine_started`` (scrapy-playwright starts its driver there) is kept here to be sent at
    once, since the crawler's own signal is gone; every other signal is the crawler's."""

    def __init__(self, crawler_signals: SignalManager) -> None:
        self._signals = crawler_signals
        self.started = SignalManager()

    def connect(self, receiver: Any, signal: Any, **kwargs: Any) -> None:
        target = self.started if signal is signals.engine_started else self._signals
        target.connect(receiver, signal, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._signals, name)


class _LateCrawler:
    """The crawler as a handler built late sees it: the same, but with ``_LateSignals``."""

    def __init__(self, crawler: Crawler) -> None:
        self._crawler = crawler
        self.signals = _LateSignals(crawler.signals)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._crawler, name)


class MirrorDownloadHandler(BaseDownloadHandler):
    """Applies ``SITE_MIRRORS``, then downloads through the plain handler, or the browser one
    (``SISTERCITY_INNER_DOWNLOAD_HANDLER``, built when a request first asks for it)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.crawler = crawler
        self.mirrors: dict[str, str] = dict(crawler.settings.getdict("SITE_MIRRORS"))
        plain = crawler.settings.get("SISTERCITY_PLAIN_DOWNLOAD_HANDLER") or PLAIN_HANDLER
        self.plain = build_from_crawler(load_object(plain), crawler)
        self.browser: Any = None
        self._browser_lock: asyncio.Lock | None = None

    async def _browser_handler(self) -> Any:
        """The browser handler, built and started on the first call (later callers wait)."""
        if self.browser is None:
            if self._browser_lock is None:
                self._browser_lock = asyncio.Lock()
            async with self._browser_lock:
                if self.browser is None:
                    late = _LateCrawler(self.crawler)
                    setting = self.crawler.settings["SISTERCITY_INNER_DOWNLOAD_HANDLER"]
                    handler = build_from_crawler(load_object(setting), late)
                    await late.signals.started.send_catch_log_async(signal=signals.engine_started)
                    self.browser = handler
        return self.browser

    async def download_request(self, request: Request) -> Response:
        inner = await self._browser_handler() if request.meta.get("playwright") else self.plain
        target = mirror_url(request.url, self.mirrors)
        if target is None:
            return await inner.download_request(request)
        response = await inner.download_request(request.replace(url=target))
        return response.replace(url=request.url, request=request)

    async def close(self) -> None:
        await self.plain.close()
        if self.browser is not None:
            await self.browser.close()
