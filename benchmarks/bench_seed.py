"""Duplicate-index seeding: what ``DedupePipeline.open_spider`` costs before the first request.

The pipeline seeds its index from the store (``storage.loaders.dedupe_seed``): every stored
story's URL and content hash, and the MinHash signature of the stories first seen within
``SISTERCITY_DEDUPE_WINDOW_DAYS``. The store (SQLite, a temporary file, built by the migrations)
is filled directly with N stories of about 160 words (``bench_dedupe.StoryMaker``), first seen
evenly over the last two years, one version each. Then a fresh pipeline is opened once per
window: 0 (every story hashed, as before the window existed) and 60 days.

    python -m benchmarks.bench_seed [--sizes 20000] [--windows 60,0]
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler
from sqlalchemy import insert

from benchmarks.bench_dedupe import StoryMaker
from benchmarks.harness import arguments, progress, report, table
from pipelines.dedupe import DedupePipeline
from storage import StoryStore
from storage.models import StoryRecord, StoryVersion

SPAN_DAYS = 730


def fill(store: StoryStore, count: int, now: datetime) -> None:
    maker = StoryMaker()
    step = timedelta(days=SPAN_DAYS) / count
    with store.session() as session:
        for n in range(count):
            doc = maker.distinct()
            seen = now - timedelta(days=SPAN_DAYS) + step * n
            story_id = session.execute(
                insert(StoryRecord).returning(StoryRecord.id),
                {
                    "key": doc["story_id"],
                    "site": "asiae",
                    "canonical_url": doc["canonical_url"],
                    "first_seen": seen,
                    "last_seen": seen,
                    "latest_version": 1,
                },
            ).scalar_one()
            session.execute(
                insert(StoryVersion),
                {
                    "story_id": story_id,
                    "version": 1,
                    "cause": "new",
                    "fetched_at": seen,
                    "content_hash": doc["content_hash"],
                    "raw_hash": doc["content_hash"],
                    "parser_version": "bench",
                    "url": doc["canonical_url"],
                    "title": doc["title"],
                    "published_source": "page",
                    "language": "en",
                    "body": doc["body"],
                    "captions": [],
                    "pages": [],
                    "extraction": "site",
                    "partnerships": [],
                    "network_sizes": [],
                    "event_keys": [],
                },
            )


def seed_once(url: str, window: int) -> tuple[float, int, int, float]:
    """Seconds, stories seeded, stories with a MinHash, max RSS growth in MiB."""
    crawler = get_crawler(
        settings_dict={
            "SISTERCITY_DB_URL": url,
            "SISTERCITY_DEDUPE_SEED": "storage.loaders.dedupe_seed",
            "SISTERCITY_DEDUPE_WINDOW_DAYS": window,
        }
    )
    crawler.stats.open_spider()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pipeline = DedupePipeline.from_crawler(crawler)
    start = time.perf_counter()
    pipeline.open_spider()
    seconds = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    seeded = pipeline.index.base or pipeline.index  # the stored stories, shared by the spiders
    hashed = sum(e.signature is not None for e in seeded._entries.values())
    pipeline.close_spider()
    return seconds, int(crawler.stats.get_value("sistercity/dedupe/seeded")), hashed, grown


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(__doc__.split("\n")[0], argv, repeats=1, sizes="20000", windows="60,0")
    results: dict[str, Any] = {}
    rows = []
    now = datetime.now(UTC)
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(prefix="sistercity-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'store.db'}"
            progress(f"seed: filling the store with {size:,} stories")
            with StoryStore.open(url) as store:
                fill(store, size, now)
            # Smallest window first: max RSS only grows, so each row's growth is its own.
            for window in sorted(int(w) for w in args.windows.split(",") if int(w) > 0) + (
                [0] if "0" in args.windows.split(",") else []
            ):
                progress(f"seed: {size:,} stories, window {window or 'none'}")
                seconds, seeded, hashed, grown = seed_once(url, window)
                results[f"{size}/{window}"] = {
                    "seconds": seconds,
                    "seeded": seeded,
                    "hashed": hashed,
                    "rss_growth_mib": grown,
                }
                rows.append(
                    [
                        f"{size:,}",
                        f"{window} days" if window else "none (every story)",
                        f"{seeded:,}",
                        f"{hashed:,}",
                        f"{seconds:,.1f}",
                        f"{grown:,.0f}",
                    ]
                )
    text = table(
        [
            "stories in store",
            "window",
            "stories seeded",
            "with MinHash",
            "open_spider s",
            "max RSS growth MiB",
        ],
        rows,
    )
    report("Duplicate-index seeding", text, results, args)
    return results


if __name__ == "__main__":
    run()
