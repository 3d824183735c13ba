"""Scrapy contracts for `scrapy check`: each spider's callbacks are checked on a real page of
its own site (or the site's replica, with `scrapy check --replicas`).

``@sample listing`` requests the spider's first listing page (``SITE_START_URLS`` or its
defaults); ``@sample article`` requests its ``contract_article_url``, a published story the
site carries. The callbacks' docstrings in ``crawler.scraping.news_spider`` hold the contracts, so every
site spider gets them with its own URLs.
"""

from __future__ import annotations

from typing import Any

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from crawler.scraping.items import Story


class SampleContract(Contract):
    """@sample listing|article: the request goes to the spider's own sample page."""

    name = "sample"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        spider = args["callback"].__self__
        kind = self.args[0] if self.args else "article"
        if kind == "listing":
            args["url"] = spider.start_listing_urls()[0]
        elif kind == "article":
            args["url"] = spider.contract_article_url
        else:
            raise ValueError(f"@sample takes listing or article, not {kind!r}")
        return args


class StoryContract(Contract):
    """@story: the callback yields one Story of this site with a title, a body and a date."""

    name = "story"

    def post_process(self, output: list[Any]) -> None:
        stories = [o for o in output if isinstance(o, Story)]
        if len(stories) != 1:
            raise ContractFail(f"expected one story, got {len(stories)} ({len(output)} outputs)")
        story = stories[0]
        missing = [n for n in ("title", "body", "published", "site") if not getattr(story, n)]
        if missing:
            raise ContractFail(f"the story lacks {', '.join(missing)} ({story.url})")
        if story.extraction != "site":
            raise ContractFail(f"the site's selectors missed; generic extraction on {story.url}")
