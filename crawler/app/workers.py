"""One crawl run spread over several processes (and hosts) with scrapy-redis.

`sistercity crawl --workers N` takes the store's lock and opens the run, publishes the run's
spec in Redis and starts N worker processes (``python -m crawler.app.workers --run KEY``); more
hosts may join with the same command while the run waits for them (``--workers`` counts every
worker, ``--local-workers`` those the crawl starts itself). Every worker crawls every chosen site
through one shared Redis request queue and dupefilter per site, under keys of its own run, and
files stories into the one store; the parent settles the register and builds the feeds once.

What keeps a run equal to a single-process crawl:
- the start requests (retry queue, revisits, listing pages) are yielded by worker 0 only, after
  every worker has loaded what the store knew before the run (a barrier per site), so paging stops
  where it would for one process;
- the spider's accounting (stories asked for, built, failed) lives in Redis sets, so a story asked
  for by one worker and fetched by another is accounted once; the last worker to close records
  the stories that got no answer;
- a worker stays open while any other is busy or the shared queue holds requests.
The near-duplicate index stays per process (seeded from the store): two near copies first seen in
one run by two different workers are both kept as originals (one process would link them).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger("sistercity.workers")

# Stats every worker sets to the same shared figure (not summed over workers).
SHARED_STATS = ("sistercity/articles/", "sistercity/retry/queued", "sistercity/dedupe/seeded")
IDLE, BUSY = "idle", "busy"


def redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, decode_responses=True)


class RedisSet:
    """A set of strings kept in Redis, shared by the workers of one run."""

    def __init__(self, client: Any, key: str):
        self.client = client
        self.key = key

    def add(self, value: str) -> None:
        self.client.sadd(self.key, value)

    def __contains__(self, value: object) -> bool:
        return bool(self.client.sismember(self.key, str(value)))

    def __iter__(self) -> Iterator[str]:
        return iter(self.client.smembers(self.key))

    def __len__(self) -> int:
        return int(self.client.scard(self.key))

    def __sub__(self, other: Iterable[str]) -> set[str]:
        return set(self) - set(other)

    def __rsub__(self, other: Iterable[str]) -> set[str]:
        return set(other) - set(self)


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler that marks its worker busy whenever it takes a request."""

    def next_request(self) -> Any:
        request = super().next_request()
        if request is not None:
            spider = self.spider
            spider.worker_state(BUSY)
        return request


class WorkerSpiderMixin:
    """What a site spider does differently as one of a run's workers."""

    crawler: Any
    name: str
    settings: Any

    def setup_worker(self) -> None:
        s = self.settings
        self.redis = redis_client(s.get("REDIS_URL"))
        self.worker_prefix = f"{s.get('SISTERCITY_WORKER_PREFIX')}:{self.name}"
        self.worker_index = s.getint("SISTERCITY_WORKER_INDEX")
        self.worker_count = s.getint("SISTERCITY_WORKERS")
        self.requested = RedisSet(self.redis, f"{self.worker_prefix}:requested")  # type: ignore[assignment]
        self.built = RedisSet(self.redis, f"{self.worker_prefix}:built")  # type: ignore[assignment]
        self.failed_articles = RedisSet(self.redis, f"{self.worker_prefix}:failed")  # type: ignore[assignment]
        self.worker_state(BUSY)
        self.crawler.signals.connect(self.worker_idle, signal=signals.spider_idle)

    def worker_state(self, state: str) -> None:
        self.redis.hset(f"{self.worker_prefix}:state", str(self.worker_index), state)

    def queue_key(self) -> str:
        return self.settings.get("SCHEDULER_QUEUE_KEY") % {"spider": self.name}

    def worker_idle(self, spider: Any) -> None:
        """Close only when the shared queue is empty and every worker is idle (a worker busy
        with a page may still add requests)."""
        if spider is not self:
            return
        self.worker_state(IDLE)
        states = self.redis.hgetall(f"{self.worker_prefix}:state")
        waiting = int(self.redis.zcard(self.queue_key()))
        if waiting or len(states) < self.worker_count or set(states.values()) != {IDLE}:
            raise DontCloseSpider

    async def start(self) -> Any:
        self.setup_worker()
        if self.worker_index == 0:
            async for request in super().start():  # type: ignore[misc]
                yield request
            return
        self.load_known()  # type: ignore[attr-defined]
        from scrapy.utils.misc import load_object

        queue = self.settings.get("SISTERCITY_RETRY_QUEUE")
        if queue:
            self.queue = load_object(queue)(self.settings, self.name)
        await self.barrier()

    def load_known(self) -> None:
        super().load_known()  # type: ignore[misc]
        if self.worker_index == 0:
            # Worker 0 seeds only once every worker knows what the store held before the run
            # (a short wait, at start only).

            self.redis.incr(f"{self.worker_prefix}:loaded")
            deadline = time.monotonic() + 300
            while int(self.redis.get(f"{self.worker_prefix}:loaded") or 0) < self.worker_count:
                if time.monotonic() > deadline:
                    raise RuntimeError("the other workers did not start within 300 s")
                time.sleep(0.05)

    async def barrier(self) -> None:
        self.redis.incr(f"{self.worker_prefix}:loaded")

    def account(self, spider: Any, reason: str) -> None:
        """Only the last worker to close records what got no answer and sets the totals."""
        if spider is not self:
            return
        closed = int(self.redis.incr(f"{self.worker_prefix}:closed"))
        if closed >= self.worker_count:
            super().account(spider, reason)  # type: ignore[misc]
        elif self.queue is not None:  # type: ignore[attr-defined]
            self.queue.close()  # type: ignore[attr-defined]
            self.queue = None


def worker_spider(cls: type) -> type:
    return type(cls.__name__, (WorkerSpiderMixin, cls), {"__module__": cls.__module__})


def worker_settings(prefix: str, redis_url: str, index: int, count: int) -> dict[str, Any]:
    """The settings that turn a crawl process into worker ``index`` of a shared run."""
    return {
        "SCHEDULER": "crawler.app.workers.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": redis_url,
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        # A worker that closes must not flush the queue the others still use; the parent
        # deletes the run's keys at the end.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        "SISTERCITY_WORKER_PREFIX": prefix,
        "SISTERCITY_WORKER_INDEX": index,
        "SISTERCITY_WORKERS": count,
        "SISTERCITY_STORE_LOCKED": True,
    }


# --- the parent ---------------------------------------------------------------------------
def run_workers(
    redis_url: str,
    sites: list[str],
    spider_args: Mapping[str, Mapping[str, str]],
    overrides: Mapping[str, Any],
    workers: int,
    local_workers: int | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Run one crawl over ``workers`` processes; returns each site's merged SiteResult."""
    client = redis_client(redis_url)
    prefix = f"sistercity:run:{overrides.get('SISTERCITY_RUN_ID')}:{uuid.uuid4().hex[:8]}"
    spec = {
        "sites": sites,
        "spider_args": {k: dict(v) for k, v in spider_args.items()},
        "overrides": dict(overrides),
        "workers": workers,
    }
    client.set(f"{prefix}:spec", json.dumps(spec, default=str))
    logger.info("Run %s: %d workers; others join with --run %s", prefix, workers, prefix)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "crawler.app.workers", "--redis", redis_url, "--run", prefix]
        )
        for _ in range(workers if local_workers is None else local_workers)
    ]
    try:
        for proc in procs:
            proc.wait(timeout=timeout)
        deadline = time.monotonic() + (timeout or 7 * 24 * 3600)
        while client.llen(f"{prefix}:results") < workers:  # remote workers still running
            if any(p.returncode for p in procs) or time.monotonic() > deadline:
                break
            time.sleep(1)
        reports = [json.loads(r) for r in client.lrange(f"{prefix}:results", 0, -1)]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    failed = [p.returncode for p in procs if p.returncode]
    if failed or len(reports) < workers:
        raise RuntimeError(
            f"{workers - len(reports)} of {workers} workers did not finish (exit codes {failed})"
        )
    return merge_reports(sites, reports)


def merge_reports(sites: list[str], reports: list[dict[str, Any]]) -> dict[str, Any]:
    from crawler.app.runner import SiteResult

    merged: dict[str, Any] = {}
    for site in sites:
        parts = [r[site] for r in reports if site in r]
        result = SiteResult(site=site)
        for part in parts:
            for key, value in part["stats"].items():
                if not isinstance(value, int | float) or isinstance(value, bool):
                    result.stats.setdefault(key, value)
                elif key.startswith(SHARED_STATS):
                    result.stats[key] = max(result.stats.get(key, 0), value)
                else:
                    result.stats[key] = result.stats.get(key, 0) + value
            result.failed += [tuple(f) for f in part["failed"]]
            result.lost = max(result.lost, part["lost"])
            result.duration = max(result.duration, part["duration"])
        reasons = [p["finish_reason"] for p in parts]
        result.finish_reason = next((r for r in reasons if r != "finished"), "finished")
        result.lost_listings = len(result.failed) - result.lost
        # Requests each worker sent: how the run's work was shared.
        result.worker_requests = [  # type: ignore[attr-defined]
            int(p["stats"].get("downloader/request_count", 0)) for p in parts
        ]
        merged[site] = result
    return merged


# --- a worker -----------------------------------------------------------------------------
def work(redis_url: str, prefix: str) -> int:
    from crawler.app.runner import project_settings, run_spiders
    from crawler.scraping.sites import spider_class

    client = redis_client(redis_url)
    raw = client.get(f"{prefix}:spec")
    if raw is None:
        print(f"no crawl run {prefix} in {redis_url}", file=sys.stderr)
        return 2
    spec = json.loads(raw)
    index = int(client.incr(f"{prefix}:joined")) - 1
    if index >= spec["workers"]:
        print(f"crawl run {prefix} has all its {spec['workers']} workers", file=sys.stderr)
        return 2
    overrides = {
        **spec["overrides"],
        **worker_settings(prefix, redis_url, index, spec["workers"]),
    }
    settings = project_settings(overrides)
    # The HTTP cache is one SQLite file per spider, for one process: a cache per worker slot
    # (a page fetched by another worker last time is fetched whole, not revalidated).
    cache = os.path.join(settings.get("HTTPCACHE_DIR"), f"worker-{index}")
    settings.set("HTTPCACHE_DIR", cache, priority="cmdline")
    # An idle worker looks at the shared queue again on the engine's heartbeat (5 s by default,
    # longer than many runs' pages take): look often.
    from scrapy.core.engine import ExecutionEngine

    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = 0.2
    classes = {
        s: worker_spider(spider_class(s, settings.getlist("SPIDER_MODULES"))) for s in spec["sites"]
    }
    results = run_spiders(settings, spec["sites"], spec["spider_args"], spider_classes=classes)
    report = {
        site: {
            "stats": r.stats,
            "failed": r.failed,
            "lost": r.lost,
            "duration": r.duration,
            "finish_reason": r.finish_reason,
        }
        for site, r in results.items()
    }
    client.rpush(f"{prefix}:results", json.dumps(report, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.app.workers", description="Join a crawl run as one more worker."
    )
    parser.add_argument(
        "--redis", default=os.environ.get("SISTERCITY_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--run", required=True, help="the run key `sistercity crawl` logged")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s"
    )
    return work(args.redis, args.run)


if __name__ == "__main__":
    sys.exit(main())
