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

What keeps a run whole when a worker is killed (SIGKILL, a lost host):
- every worker beats a heartbeat key in Redis (``alive:<i>``, a few seconds' lifetime); a worker
  that started, did not finish and has no heartbeat is dead, and the others stop waiting for it;
- each request a worker takes from the shared queue is kept in its ``taken:<i>`` hash until its
  response arrives; the first live worker to see a dead one pushes what it had taken back on the
  queue (past the dupefilter, which saw them already), so the run fetches them itself;
- stories a dead worker built but may not have committed are checked against the store when the
  run closes: those missing are recorded as failures, so the retry queue hands them to the next
  run.
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
import threading
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
# A worker whose heartbeat key is older than this is taken for dead (its process or host gone).
HEARTBEAT_SECONDS = 10.0


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


class WorkerSet(RedisSet):
    """A shared set that also remembers what this worker added (``<key>:<index>``)."""

    def __init__(self, client: Any, key: str, index: int):
        super().__init__(client, key)
        self.own_key = f"{key}:{index}"

    def add(self, value: str) -> None:
        self.client.pipeline().sadd(self.key, value).sadd(self.own_key, value).execute()


def dead_workers(client: Any, prefix: str) -> set[str]:
    """Indexes of the run's workers that started, did not finish and have no heartbeat."""
    started = client.smembers(f"{prefix}:started")
    finished = client.smembers(f"{prefix}:finished")
    return {i for i in started - finished if not client.exists(f"{prefix}:alive:{i}")}


def beat(client: Any, prefix: str, index: int) -> threading.Event:
    """Keep this worker's heartbeat key alive from a thread (a busy reactor does not stop it)."""
    stop = threading.Event()
    key, lifetime = f"{prefix}:alive:{index}", int(HEARTBEAT_SECONDS * 1000)

    def run() -> None:
        while True:
            client.set(key, os.getpid(), px=lifetime)
            if stop.wait(HEARTBEAT_SECONDS / 5):
                return

    client.set(key, os.getpid(), px=lifetime)
    client.sadd(f"{prefix}:started", str(index))
    threading.Thread(target=run, name="sistercity-heartbeat", daemon=True).start()
    return stop


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler that marks its worker busy whenever it takes a request and keeps
    the request in the worker's ``taken`` hash until its response arrives."""

    def next_request(self) -> Any:
        request = super().next_request()
        if request is not None:
            spider = self.spider
            spider.worker_state(BUSY)
            data = self.queue._encode_request(request)
            self.server.hset(spider.taken_key(), spider.fingerprint(request), data)
        return request

    def requeue(self, key: str) -> int:
        """Put the requests of a ``taken`` hash back on the shared queue; returns how many."""
        taken = self.server.hgetall(key)
        for data in taken.values():
            self.queue.push(self.queue._decode_request(data))
        self.server.delete(key)
        return len(taken)


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
        self.run_prefix = s.get("SISTERCITY_WORKER_PREFIX")
        self.requested = RedisSet(self.redis, f"{self.worker_prefix}:requested")  # type: ignore[assignment]
        self.built = WorkerSet(self.redis, f"{self.worker_prefix}:built", self.worker_index)  # type: ignore[assignment]
        self.failed_articles = RedisSet(self.redis, f"{self.worker_prefix}:failed")  # type: ignore[assignment]
        self.worker_state(BUSY)
        self.crawler.signals.connect(self.worker_idle, signal=signals.spider_idle)
        self.crawler.signals.connect(self.answered, signal=signals.response_received)

    def worker_state(self, state: str) -> None:
        self.redis.hset(f"{self.worker_prefix}:state", str(self.worker_index), state)

    def taken_key(self, index: int | str | None = None) -> str:
        return f"{self.worker_prefix}:taken:{self.worker_index if index is None else index}"

    def fingerprint(self, request: Any) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    def answered(self, response: Any, request: Any, spider: Any) -> None:
        if spider is self:
            self.redis.hdel(self.taken_key(), self.fingerprint(request))

    def take_over_dead(self) -> set[str]:
        """The dead workers; the first live worker to see one puts its taken requests back."""
        dead = dead_workers(self.redis, self.run_prefix)
        for index in dead:
            if self.redis.set(f"{self.worker_prefix}:taken-over:{index}", 1, nx=True):
                scheduler = self.crawler.engine.scheduler
                count = scheduler.requeue(self.taken_key(index))
                logger.warning(
                    "%s: worker %s is gone; %d requests it had taken are queued again",
                    self.name,
                    index,
                    count,
                )
        return dead

    def queue_key(self) -> str:
        return self.settings.get("SCHEDULER_QUEUE_KEY") % {"spider": self.name}

    def worker_idle(self, spider: Any) -> None:
        """Close only when the shared queue is empty and every worker is idle (a worker busy
        with a page may still add requests)."""
        if spider is not self:
            return
        self.worker_state(IDLE)
        dead = self.take_over_dead()
        states = self.redis.hgetall(f"{self.worker_prefix}:state")
        live = {state for index, state in states.items() if index not in dead}
        waiting = int(self.redis.zcard(self.queue_key()))
        if waiting or len(states) < self.worker_count or live - {IDLE}:
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
        dead = dead_workers(self.redis, self.run_prefix)
        if closed + len(dead) >= self.worker_count:
            self.record_uncommitted(dead)
            super().account(spider, reason)  # type: ignore[misc]
        elif self.queue is not None:  # type: ignore[attr-defined]
            self.queue.close()  # type: ignore[attr-defined]
            self.queue = None

    def record_uncommitted(self, dead: set[str]) -> None:
        """Stories dead workers built that never reached the store become failures (the retry
        queue hands them to the next run): a killed process loses its unwritten batch."""
        if not dead:
            return
        from crawler.scraping.news_spider import ARTICLE
        from storage.loaders import db_url
        from storage.repository import StoryStore

        with StoryStore.open(db_url(self.settings)) as store:
            stored = store.known_canonical_urls(self.name)
        for index in sorted(dead):
            for canonical in sorted(self.redis.smembers(f"{self.built.key}:{index}") - stored):
                self.redis.srem(self.built.key, canonical)
                self.record_failure(canonical, f"worker {index} was killed", ARTICLE)  # type: ignore[attr-defined]


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
        # Remote workers may still run; a killed one (no heartbeat) is not waited for.
        while client.llen(f"{prefix}:results") + len(dead_workers(client, prefix)) < workers:
            if any(p.returncode for p in procs) or time.monotonic() > deadline:
                break
            time.sleep(1)
        reports = [json.loads(r) for r in client.lrange(f"{prefix}:results", 0, -1)]
        dead = dead_workers(client, prefix)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    # A worker killed by a signal is one the others covered; one that failed on its own is not.
    failed = [p.returncode for p in procs if p.returncode and p.returncode > 0]
    if failed or not reports or len(reports) + len(dead) < workers:
        raise RuntimeError(
            f"{workers - len(reports)} of {workers} workers did not finish (exit codes {failed})"
        )
    if dead:
        logger.warning("Workers %s were killed; the others finished the run", sorted(dead))
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
    stop_beating = beat(client, prefix, index)
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
    client.sadd(f"{prefix}:finished", str(index))
    stop_beating.set()
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
