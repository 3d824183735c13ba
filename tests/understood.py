"""Made-up stories run through ``understand()``: the one way the understanding tests build them."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.scraping.items import Story
from crawler.understanding import understand


def understood(
    title: str, *body: str, published: str | None = "2025-09-05T07:00:00+00:00"
) -> Story:
    """The story of ``title`` and ``body`` paragraphs, published then (None: a page without a
    date), as understand() leaves it."""
    return understand(
        Story(
            site="test",
            url="https://example.invalid/1",
            canonical_url="https://example.invalid/1",
            title=title,
            body=list(body),
            published=datetime.fromisoformat(published) if published else None,
            fetched_at=datetime.now(UTC),
        )
    )


def pair_names(story: Story) -> set[frozenset[str]]:
    """The story's partnerships as unordered pairs of place names."""
    return {frozenset((p["a"]["name"], p["b"]["name"])) for p in story.partnerships}
