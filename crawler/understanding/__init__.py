"""Understanding the stories: normalize, classify, extract. Pure code, no Scrapy.

``understand(story)`` is the one entry point that the classify pipeline, ``sistercity classify``
and the store's ``reprocess`` all call, so every path gives the same answer for the same story.
Deduplication needs state across stories and lives in ``fingerprint.NearDuplicateIndex``.
"""

from __future__ import annotations

from crawler.scraping.items import Story
from crawler.understanding.extract import classify_story
from crawler.understanding.normalize import normalize_story

__all__ = ["understand", "normalize_story", "classify_story"]


def understand(story: Story) -> Story:
    """Normalize the story, then classify it and extract its partnerships (in place; returned)."""
    normalize_story(story)
    classify_story(story)
    return story
