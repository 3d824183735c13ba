"""Classifier and extractor (stub, being filled in)."""

from __future__ import annotations

from crawler.items import Story


def classify_story(story: Story) -> Story:
    story.is_partnership_story = False
    story.confidence = 0.0
    story.partnerships = []
    story.network_sizes = []
    return story
