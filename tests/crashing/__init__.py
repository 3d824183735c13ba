"""A spider for the accounting test only: chinesetoday whose parser raises on one story."""

from __future__ import annotations

from typing import Any

from spiders.chinesetoday import ChinesetodaySpider

CRASHES_ON = "m=14890"


class CrashingChinesetodaySpider(ChinesetodaySpider):
    name = "crashing_chinesetoday"

    def build_story(self, pages: list[Any]) -> Any:
        if CRASHES_ON in pages[0].url:
            raise ValueError("parser bug")
        return super().build_story(pages)
