"""Crawl throughput: the full pipeline against bare Scrapy, pages per second, politeness off.

A page server (its own process, so its work is not counted against the crawl) serves N article
pages on 127.0.0.1 built from the recorded single-page fixtures of all four sites
(``tests/resources/<site>/``): page ``i`` is fixture ``i mod k`` of its site with ``i`` written
into its headline and first paragraph, under a real-looking article URL of that site whose last
number is made unique. So every page has its site's real markup and every story is distinct.

- **bare**: a plain ``scrapy.Spider`` with Scrapy's default settings requests the same pages
  and does nothing with them: what the machine can download.
- **full**: the four real spiders with the project's settings (HTTP cache, every pipeline, the
  store on SQLite or PostgreSQL), politeness off: no robots.txt, no delay, no AutoThrottle,
  ``--concurrency`` requests at once in both runs. Pages go through the site mirror exactly as
  in a crawl of the replicas.

Each full run is followed by the same crawl again into the same store and HTTP cache
(nothing new: the server answers 304 to the validators it sent). Pages/s is pages divided by
the time from the first response to the spider's close (for the full run: once the last story
is committed). Each run is a fresh process; start-up (imports, the gazetteer) is not counted.

    python -m benchmarks.bench_pipeline [--pages 2000] [--backends sqlite,postgresql]
        [--concurrency 16] [--trace-memory 15] [--sample-memory 5]

``--trace-memory N`` lists (on stderr) the N source lines holding most memory at the end of the
first full crawl (tracemalloc, started after start-up; it slows the crawl). ``--sample-memory S``
prints, every S seconds of the first full crawl, its resident memory and what is in flight (the
store writer's queue, responses in Scrapy's scraper slots, scheduled requests; with
``--trace-memory``, tracemalloc's current and peak size), and reports the maximum of each.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.harness import (
    POSTGRES_URL,
    RESOURCES,
    ROOT,
    PageServer,
    arguments,
    progress,
    rate,
    report,
    server_process,
    table,
)

SITES = ("asiae", "china_org_cn", "chinadaily_shandong", "chinesetoday")
_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def fixtures() -> dict[str, list[tuple[str, bytes, dict[str, str]]]]:
    """Each site's single-page fixtures: (url, raw body, headers)."""
    out: dict[str, list[tuple[str, bytes, dict[str, str]]]] = {}
    for site in SITES:
        meta = json.loads((RESOURCES / site / "meta.json").read_text("utf-8"))
        for case in meta.values():
            if len(case["pages"]) != 1:
                continue
            page = case["pages"][0]
            body = gzip.decompress((RESOURCES / site / page["file"]).read_bytes())
            out.setdefault(site, []).append((page["url"], body, dict(page["headers"])))
    return out


def page_set(count: int) -> dict[str, tuple[str, int, int]]:
    """Real URL of page ``i`` -> (site, fixture index, i), round-robin over the sites."""
    found = fixtures()
    pages: dict[str, tuple[str, int, int]] = {}
    for i in range(count):
        site = SITES[i % len(SITES)]
        k = (i // len(SITES)) % len(found[site])
        url = found[site][k][0]
        number = _LAST_NUMBER.search(url)
        assert number is not None
        unique = f"{number.group(1)}{i:06d}"
        pages[url[: number.start()] + unique + url[number.end() :]] = (site, k, i)
    return pages


def origins(pages: dict[str, Any]) -> list[str]:
    return sorted({f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in pages})


def marked(body: bytes, i: int) -> bytes:
    """The fixture with ``i`` in its headline and first paragraph (whatever its encoding)."""
    tag = f" {i:06d}".encode("ascii")
    for closing in (b"</h1>", b"</H1>", b"</title>"):
        if closing in body:
            body = body.replace(closing, tag + closing, 1)
            break
    return body.replace(b"</p>", b" Ref" + tag + b".</p>", 1)


def serve(count: int, port_file: Path) -> None:
    """The page server process: mount ``/o<n>`` is the n-th origin."""
    found = fixtures()
    pages = page_set(count)
    mounts = {f"/o{n}": origin for n, origin in enumerate(origins(pages))}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:
            mount, _, rest = self.path[1:].partition("/")
            real = mounts.get(f"/{mount}", "") + "/" + rest
            entry = pages.get(real)
            if entry is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            site, k, i = entry
            _, body, headers = found[site][k]
            body = marked(body, i)
            # Validators as the real sites send them, so a second crawl gets 304s.
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Type", headers.get("Content-Type", "text/html"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = PageServer(("127.0.0.1", 0), Handler)
    port_file.write_text(str(httpd.server_address[1]))
    httpd.serve_forever()


@contextmanager
def page_server(pages: int, folder: Path) -> Iterator[int]:
    """``serve`` in a process of its own; yields its port and stops it afterwards."""
    port_file = folder / "port"
    call = "from benchmarks.bench_pipeline import serve; from pathlib import Path; "
    call += f"serve({pages}, Path({str(port_file)!r}))"
    with server_process(call, port_file) as port:
        yield port


@dataclass(frozen=True)
class CrawlOptions:
    """One measured crawl, as the parent asks a child process for it (``--child`` and the
    options after it)."""

    mode: str  # "bare": a spider that only downloads; "full": the four spiders, every pipeline
    count: int  # pages
    port: int  # the page server's
    db: str  # the store's URL ("" for bare)
    workdir: Path  # the HTTP cache goes here
    concurrency: int
    batch: int = 0  # SISTERCITY_STORE_BATCH_SIZE; 0: the project's
    trace_memory: int = 0  # with tracemalloc: this many lines of what is held at the end
    sample_memory: float = 0.0  # seconds between memory samples; 0: none

    def argv(self) -> list[str]:
        return [
            "--child",
            self.mode,
            "--pages",
            str(self.count),
            "--port",
            str(self.port),
            "--db",
            self.db,
            "--workdir",
            str(self.workdir),
            "--concurrency",
            str(self.concurrency),
            "--batch",
            str(self.batch),
            "--trace-memory",
            str(self.trace_memory),
            "--sample-memory",
            str(self.sample_memory),
        ]

    @classmethod
    def from_args(cls, args: Any) -> CrawlOptions:
        """The options ``argv`` wrote, as the child's parsed arguments hold them."""
        return cls(
            args.child,
            args.pages,
            args.port,
            args.db,
            Path(args.workdir),
            args.concurrency,
            args.batch,
            args.trace_memory,
            args.sample_memory,
        )


def crawl(options: CrawlOptions) -> None:
    """One measured crawl in this process; prints its figures as JSON. With ``trace_memory``,
    also the lines that allocated most of what is still held at the end (after start-up); with
    ``sample_memory``, what is in flight (see ``MemorySampler``) every that many seconds."""
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    pages = page_set(options.count)
    mounts = {
        origin: f"http://127.0.0.1:{options.port}/o{n}" for n, origin in enumerate(origins(pages))
    }
    marks: dict[str, float] = {}
    responses = [0]

    def first_response(**kwargs: Any) -> None:
        responses[0] += 1
        marks.setdefault("first", time.perf_counter())

    def closed(**kwargs: Any) -> None:
        marks["closed"] = time.perf_counter()

    fast = {
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": options.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrency,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
    }
    if options.mode == "bare":

        class Bare(scrapy.Spider):
            name = "bare"

            async def start(self) -> Any:
                for url in pages:
                    for origin, mirror in mounts.items():
                        if url.startswith(origin):
                            yield scrapy.Request(mirror + url[len(origin) :], callback=self.parse)

            def parse(self, response: Any) -> None:
                return None

        process = CrawlerProcess(fast)
        crawlers = [process.create_crawler(Bare)]
    else:
        from benchmarks import synthetic
        from crawler.app.runner import project_settings, spider_names
        from crawler.understanding import understand

        understand(synthetic.story(0))  # loads the gazetteer: start-up, not throughput
        if options.trace_memory:
            import tracemalloc

            tracemalloc.start()
        from scrapy.spiderloader import SpiderLoader

        settings = project_settings(
            {
                **fast,
                "SITE_MIRRORS": json.dumps(mounts),
                "SISTERCITY_DB_URL": options.db,
                "HTTPCACHE_DIR": str(options.workdir / "httpcache"),
                "SISTERCITY_FEEDS_ON_CLOSE": False,
                # The four spiders are one crawl: without this each would take the store's
                # lock and all but the first would stop before fetching anything.
                "SISTERCITY_STORE_LOCKED": True,
                **({"SISTERCITY_STORE_BATCH_SIZE": options.batch} if options.batch else {}),
            }
        )
        process = CrawlerProcess(settings)
        loader = SpiderLoader.from_settings(settings)
        crawlers = []
        for site in spider_names(settings):
            mine = [u for u, (s, _, _) in pages.items() if s == site]

            async def start(self: Any, mine: list[str] = mine) -> Any:
                if hasattr(self, "load_known"):
                    self.load_known()
                for url in mine:
                    yield self.article_request(url)

            cls = type(f"Bench_{site}", (loader.load(site),), {"start": start})
            crawlers.append(process.create_crawler(cls))
    for crawler in crawlers:
        crawler.signals.connect(first_response, signal=signals.response_received, weak=False)
        crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
        process.crawl(crawler)
    sampler = (
        MemorySampler(crawlers, progress_every=options.sample_memory)
        if options.sample_memory
        else None
    )
    if sampler is not None:
        sampler.start()
    process.start()
    stats = [dict(c.stats.get_stats()) for c in crawlers if c.stats is not None]
    stored = sum(int(s.get("sistercity/store/new", 0)) for s in stats)
    held = []
    if options.trace_memory:
        import tracemalloc

        top = tracemalloc.take_snapshot().statistics("lineno")[: options.trace_memory]
        held = [f"{stat.size / 2**20:.1f} MB {stat.count} blocks {stat.traceback}" for stat in top]
        if sampler is not None and sampler.peak_snapshot is not None:
            growth = sampler.peak_snapshot.compare_to(tracemalloc.take_snapshot(), "lineno")[
                : options.trace_memory
            ]
            held += [
                f"at the peak, {stat.size_diff / 2**20:+.1f} MB against the end: {stat.traceback}"
                for stat in growth
            ]
    print(
        json.dumps(
            {
                "responses": responses[0],
                "seconds": marks["closed"] - marks["first"],
                "stored_new": stored,
                "items": sum(int(s.get("item_scraped_count", 0)) for s in stats),
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "cache_mb": sum(
                    f.stat().st_size
                    for f in (options.workdir / "httpcache").rglob("*")
                    if f.is_file()
                )
                / 2**20,
                "cache_files": sum(
                    1 for f in (options.workdir / "httpcache").rglob("*") if f.is_file()
                ),
                "memory_held": held,
                "memory_samples": sampler.summary() if sampler is not None else {},
            }
        )
    )


class MemorySampler:
    """Samples, on the reactor, the crawl's resident memory and what is in flight: stories
    waiting in the store writer's queue, responses held by Scrapy's scraper slots (count and
    bytes) and requests in the schedulers; with tracemalloc on, its current and peak size.
    Each sample goes to stderr; ``summary`` gives the maximum of each figure and the first
    sample's resident memory (the crawl's start)."""

    def __init__(self, crawlers: list[Any], progress_every: float) -> None:
        self.crawlers = crawlers
        self.every = progress_every
        self.maxima: dict[str, float] = {}
        self.samples = 0
        self.first_rss_mb = 0.0
        self.peak_snapshot: Any = None  # with tracemalloc: at the sample holding the most

    def start(self) -> None:
        from twisted.internet import task

        self.loop = task.LoopingCall(self.sample)
        self.loop.start(self.every, now=False)

    def sample(self) -> None:
        import tracemalloc

        from pipelines.store import _WRITERS

        figures: dict[str, float] = {"rss_mb": _current_rss_mb()}
        figures["writer_queue"] = sum(w.jobs.qsize() for w in list(_WRITERS.values()))
        slots = [c.engine.scraper.slot for c in self.crawlers if c.engine and c.engine.scraper.slot]
        figures["scraper_responses"] = sum(len(s.active) + len(s.queue) for s in slots)
        figures["scraper_mb"] = sum(s.active_size for s in slots) / 2**20
        figures["scheduled"] = sum(
            len(c.engine._slot.scheduler)  # noqa: SLF001 - a benchmark may look inside
            for c in self.crawlers
            if c.engine and getattr(c.engine, "_slot", None)
        )
        if tracemalloc.is_tracing():
            current, peak = tracemalloc.get_traced_memory()
            figures["traced_mb"], figures["traced_peak_mb"] = current / 2**20, peak / 2**20
            if current / 2**20 > self.maxima.get("traced_mb", 0.0):
                self.peak_snapshot = tracemalloc.take_snapshot()
        if not self.samples:
            self.first_rss_mb = figures["rss_mb"]
        self.samples += 1
        for name, value in figures.items():
            self.maxima[name] = max(self.maxima.get(name, value), value)
        progress("memory: " + " ".join(f"{k}={v:.0f}" for k, v in figures.items()))

    def summary(self) -> dict[str, float]:
        first = {"first_rss_mb": self.first_rss_mb}
        return {"samples": self.samples, **first, **{f"max_{k}": v for k, v in self.maxima.items()}}


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def child(options: CrawlOptions) -> dict:
    """``crawl`` in a fresh process (the reactor cannot restart); its figures."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_pipeline", *options.argv()],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None if options.sample_memory else subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{options.mode} crawl failed:\n{(done.stderr or '')[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _first_and_rerun(args: Any, port: int, db: str, workdir: Path) -> dict[str, Any]:
    """The crawl into an empty store, then the same crawl again: nothing new."""
    options = CrawlOptions(
        "full",
        args.pages,
        port,
        db,
        workdir,
        args.concurrency,
        args.batch,
        args.trace_memory,
        args.sample_memory,
    )
    first = child(options)
    for line in first["memory_held"]:
        progress(f"pipeline: held at the end: {line}")
    progress("pipeline: the same crawl again, nothing new")
    first["rerun"] = child(replace(options, trace_memory=0, sample_memory=0.0))
    return first


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(
        __doc__.split("\n")[0],
        argv,
        repeats=1,
        pages=2000,
        backends="sqlite,postgresql",
        concurrency=16,
        child="",
        port=0,
        db="",
        workdir="",
        batch=0,
        trace_memory=0,
        sample_memory=0.0,
    )
    if args.child:
        crawl(CrawlOptions.from_args(args))
        return {}
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sistercity-bench-") as folder:
        base = Path(folder)
        with page_server(args.pages, base) as port:
            progress(f"pipeline: bare Scrapy, {args.pages} pages")
            results["bare"] = child(
                CrawlOptions("bare", args.pages, port, "", base, args.concurrency)
            )
            for backend in args.backends.split(","):
                progress(f"pipeline: full pipeline into {backend}")
                workdir = base / backend
                workdir.mkdir()
                if backend == "sqlite":
                    db = f"sqlite:///{workdir / 'store.db'}"
                    results[backend] = _first_and_rerun(args, port, db, workdir)
                else:
                    from tests.pgschema import throwaway_schema

                    with throwaway_schema(POSTGRES_URL, "bench") as url:
                        results[backend] = _first_and_rerun(args, port, url, workdir)
    bare = results["bare"]
    bare_rate = bare["responses"] / bare["seconds"]
    rows = [
        [
            "bare Scrapy",
            bare["responses"],
            f"{bare['seconds']:.1f}",
            rate(bare["responses"], bare["seconds"]),
            "1.00×",
            "—",
            "",
            f"{bare['max_rss_mb']:.0f}",
            "",
        ]
    ]
    for backend in args.backends.split(","):
        r = results[backend]
        pages_s = r["responses"] / r["seconds"]
        rows.append(
            [
                f"full pipeline, {backend}",
                r["responses"],
                f"{r['seconds']:.1f}",
                rate(r["responses"], r["seconds"]),
                f"{pages_s / bare_rate:.3f}×",
                r["stored_new"],
                f"{r['rerun']['seconds']:.1f} s ({r['rerun']['seconds'] / r['seconds']:.0%})",
                f"{r['max_rss_mb']:.0f}",
                f"{r['cache_files']:,} files, {r['cache_mb']:.1f} MB",
            ]
        )
    text = table(
        [
            "run",
            "pages",
            "seconds",
            "pages/s",
            "vs bare",
            "stories stored new",
            "same crawl again (share of first)",
            "peak RSS MB",
            "HTTP cache",
        ],
        rows,
    )
    report(
        f"Crawl throughput ({args.pages:,} pages, concurrency {args.concurrency})",
        text,
        results,
        args,
    )
    return results


if __name__ == "__main__":
    run()
