"""Crawl throughput with 1, 2 and 4 worker processes (``sistercity crawl --workers N``).

The page server of ``bench_pipeline`` (N article pages with the real markup of all four sites,
its own process) is crawled by the four real spiders with the project's settings, politeness off,
through ``crawler.app.workers.run_workers``: one shared scrapy-redis queue and dupefilter per site
in Redis, every worker filing into one PostgreSQL store (a fresh schema per run). Worker 0 yields
the N article requests (as ``bench_pipeline`` does); the others take them from the queue.

Pages/s is pages divided by the wall time of the whole run, worker start-up (imports, the
gazetteer, one process per worker) included, since that is what a run with more workers costs.

    python -m benchmarks.bench_workers [--pages 400] [--workers 1,2,4] [--concurrency 16]
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.bench_pipeline import SITES, origins, page_server, page_set
from benchmarks.harness import POSTGRES_URL, arguments, progress, report, table

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of this benchmark only


def _bench_spider(site: str) -> type:
    """The site's real spider whose start requests are the benchmark's pages of that site."""
    from crawler.scraping.sites import spider_class

    async def start(self: Any) -> Any:
        self.load_known()
        pages = page_set(self.settings.getint("BENCH_PAGES"))
        for url, (owner, _, _) in pages.items():
            if owner == self.name:
                yield self.article_request(url)

    base = spider_class(site, ["spiders"])
    return type(f"Bench_{site}", (base,), {"start": start, "__module__": __name__})


# The spiders the workers load (SPIDER_MODULES = this module).
for _site in SITES:
    globals()[f"Bench_{_site}"] = _bench_spider(_site)


def crawl(count: int, port: int, workers: int, concurrency: int, workdir: Path) -> dict:
    from crawler.app.workers import run_workers
    from storage.repository import StoryStore
    from tests.pgschema import throwaway_schema

    pages = page_set(count)
    mounts = {origin: f"http://127.0.0.1:{port}/o{n}" for n, origin in enumerate(origins(pages))}
    with throwaway_schema(POSTGRES_URL, "benchworkers") as url:
        with StoryStore(url) as store:
            run_id = store.start_run(list(SITES))
        overrides = {
            "ROBOTSTXT_OBEY": False,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "SPIDER_MODULES": ["benchmarks.bench_workers"],
            "BENCH_PAGES": count,
            "SITE_MIRRORS": json.dumps(mounts),
            "SISTERCITY_DB_URL": url,
            "HTTPCACHE_DIR": str(workdir / uuid.uuid4().hex[:8]),
            "SISTERCITY_FEEDS_ON_CLOSE": False,
            "SISTERCITY_RUN_ID": run_id,
            "SISTERCITY_STORE_LOCKED": True,
        }
        start = time.perf_counter()
        results = run_workers(REDIS_URL, list(SITES), {}, overrides, workers)
        seconds = time.perf_counter() - start
        with StoryStore(url) as store:
            stored = sum(len(store.known_canonical_urls(site)) for site in SITES)
    responses = sum(int(r.stats.get("response_received_count", 0)) for r in results.values())
    shares = [sum(r.worker_requests[i] for r in results.values()) for i in range(workers)]
    failed = [f for r in results.values() for f in r.failed]
    return {
        "responses": responses,
        "seconds": seconds,
        "stored": stored,
        "failed": failed,
        "shares": shares,
    }


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(
        __doc__.split("\n")[0], argv, repeats=1, pages=400, workers="1,2,4", concurrency=16
    )
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sistercity-bench-") as folder:
        base = Path(folder)
        with page_server(args.pages, base) as port:
            for n in (int(w) for w in args.workers.split(",")):
                progress(f"workers: {args.pages} pages with {n} worker(s)")
                results[str(n)] = crawl(args.pages, port, n, args.concurrency, base)
    one = results.get("1")
    rows = []
    for n, r in results.items():
        pages_s = r["responses"] / r["seconds"]
        speedup = f"{pages_s / (one['responses'] / one['seconds']):.2f}×" if one else ""
        rows.append(
            [
                n,
                r["responses"],
                f"{r['seconds']:.1f}",
                f"{pages_s:.1f}",
                speedup,
                r["stored"],
                len(r["failed"]),
                " / ".join(str(s) for s in r["shares"]),
            ]
        )
    text = table(
        [
            "workers",
            "pages",
            "seconds",
            "pages/s",
            "vs 1 worker",
            "stories stored",
            "failed",
            "requests per worker",
        ],
        rows,
    )
    report(
        f"Crawl throughput with workers ({args.pages:,} pages, concurrency {args.concurrency})",
        text,
        results,
        args,
    )
    return results


if __name__ == "__main__":
    run()
