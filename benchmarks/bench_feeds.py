"""Feed building: ``build_feeds`` time for a store with N partnership changes, for a full build
and for the incremental rebuild after one new change.

The issue asks that rebuilding writes only the feeds whose content changed and that its cost
grows with the entries written, not with the whole history. The store (SQLite, a temporary
file) is filled with synthetic stories (``benchmarks/synthetic.py``), one new partnership and
so one change-log entry each, from a fixed pool of 180 places: past a few hundred changes the
number of feeds stays the same and only the history behind each feed grows.

At each size: a full build into an empty folder (timed once: it is what a first run or
``sistercity feeds --full`` pays), then ``--repeats`` times one more story is recorded
(untimed) and the incremental ``build_feeds`` is timed. For the incremental builds the script
also counts the entries rendered (calls to the feed module's entry builders) and times
``render_index`` on its own, since ``index.html`` is rewritten after every change. Every build
also times ``_write_pages`` (the register pages and data files written with the feeds), shown
as the "of which pages and data files" columns.

    python -m benchmarks.bench_feeds [--big] [--sizes 100,1000] [--repeats 3]

``--big`` uses 100, 1,000 and 5,000 changes (filling the store takes a few minutes).
``--fill bulk`` writes the history in bulk instead (``bench_store_growth.fill``: 800 filler
places, so about 800 city feeds), which reaches 10,000 or 50,000 changes in seconds; the one
more story of each timed rebuild still goes through ``record``. The full build also reports
the megabytes of feed files it leaves (``.atom`` and their ``.gz`` copies).

    python -m benchmarks.bench_feeds --fill bulk --sizes 1000,10000 --repeats 3
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import storage.feeds as feeds
from benchmarks import bench_store_growth, synthetic
from benchmarks.harness import arguments, ms, progress, report, table
from storage import StoryStore
from storage.models import ChangeRecord

RENDERED: Counter[str] = Counter()
PAGES_SECONDS: list[float] = []  # time in the register pages and data files, per build


def _timing_pages() -> None:
    """Time ``_write_pages`` (index.html, place, country and pair pages, data files) within
    each build, so the table shows what the register pages cost beside the feeds."""
    original = feeds._write_pages

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            PAGES_SECONDS.append(time.perf_counter() - start)

    feeds._write_pages = wrapper


def _counting(name: str) -> None:
    """Wrap one of the feed module's entry builders to count its calls (timing unchanged)."""
    original = getattr(feeds, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        RENDERED[name] += 1
        return original(*args, **kwargs)

    setattr(feeds, name, wrapper)


def _changes(store: StoryStore) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count(ChangeRecord.id))) or 0)


def _index_seconds(store: StoryStore, root: Path) -> float:
    config = feeds.FeedConfig()
    with store.session() as session:
        specs = feeds.feed_specs(session)
        start = time.perf_counter()
        feeds.render_index(session, specs, root, config)
        return time.perf_counter() - start


def _megabytes(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*.atom*")) / 1e6


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(__doc__.split("\n")[0], argv, repeats=3, sizes="100,1000", fill="record")
    sizes = [100, 1000, 5000] if args.big else [int(s) for s in args.sizes.split(",")]
    _counting("_change_entry")
    _counting("_story_entry")
    _timing_pages()
    results: dict[str, Any] = {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="sistercity-bench-") as folder:
        base = Path(folder)
        with StoryStore.open(f"sqlite:///{base / 'store.db'}") as store:
            recorded = filled = 0
            for size in sorted(sizes):
                progress(f"feeds: filling the store to {size:,} changes")
                missing = size - _changes(store)
                if args.fill == "bulk" and missing > 0:
                    bench_store_growth.fill(store, filled, filled + missing)
                    filled += missing
                while args.fill != "bulk" and recorded < size:
                    store.record(synthetic.story(recorded))
                    recorded += 1
                changes = _changes(store)
                root = base / f"feeds-{size}"
                progress(f"feeds: full build at {changes:,} changes")
                RENDERED.clear()
                PAGES_SECONDS.clear()
                start = time.perf_counter()
                full = feeds.build_feeds(store, root, full=True)
                full_s = time.perf_counter() - start
                full_pages_s = sum(PAGES_SECONDS)
                full_entries = sum(RENDERED.values())
                full_mb = _megabytes(root)
                with store.session() as session:
                    feed_count = len(feeds.feed_specs(session))
                start = time.perf_counter()
                noop = feeds.build_feeds(store, root)
                noop_s = time.perf_counter() - start
                incremental, written, rendered, index_s, pages_s = [], [], [], [], []
                for _ in range(args.repeats):
                    store.record(synthetic.story(recorded))
                    recorded += 1
                    RENDERED.clear()
                    PAGES_SECONDS.clear()
                    start = time.perf_counter()
                    built = feeds.build_feeds(store, root)
                    incremental.append(time.perf_counter() - start)
                    pages_s.append(sum(PAGES_SECONDS))
                    rendered.append(sum(RENDERED.values()))
                    written.append(len(built.written))
                    index_s.append(_index_seconds(store, root))
                results[str(size)] = {
                    "changes": changes,
                    "feeds": feed_count,
                    "full_seconds": full_s,
                    "full_files_written": len(full.written),
                    "full_feed_mb": full_mb,
                    "full_entries_rendered": full_entries,
                    "full_pages_seconds": full_pages_s,
                    "noop_seconds": noop_s,
                    "noop_files_written": len(noop.written),
                    "incremental_seconds": incremental,
                    "incremental_files_written": written,
                    "incremental_entries_rendered": rendered,
                    "incremental_pages_seconds": pages_s,
                    "render_index_seconds": index_s,
                }
                rows.append(
                    [
                        f"{changes:,}",
                        feed_count,
                        f"{full_s:,.1f}",
                        f"{len(full.written):,}",
                        f"{full_mb:,.1f}",
                        f"{full_entries:,}",
                        f"{full_pages_s:,.1f}",
                        ms(noop_s),
                        ms(statistics.median(incremental)),
                        ms(statistics.median(pages_s)),
                        f"{statistics.median(written):.0f}",
                        f"{statistics.median(rendered):,.0f}",
                        ms(statistics.median(index_s)),
                    ]
                )
    text = table(
        [
            "changes in store",
            "feeds",
            "full build s",
            "files written",
            "feed files MB",
            "entries rendered",
            "of which pages and data files s",
            "rebuild, nothing new ms",
            "rebuild after 1 change ms (median)",
            "of which pages and data files ms",
            "files written",
            "entries rendered",
            "render_index alone ms",
        ],
        rows,
    )
    report("Feeds", text, results, args)
    return results


if __name__ == "__main__":
    run()
