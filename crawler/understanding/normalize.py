"""Normalization (stub, being filled in)."""

from __future__ import annotations

from crawler.items import Story


def normalize_story(story: Story) -> Story:
    return story
