"""Re-run with nothing new: what a cron re-run costs against the first crawl (goal P2).

A page server (its own process) serves N article pages of all four sites (the recorded
single-page fixtures of ``tests/resources/<site>/``, each page made unique as in
``bench_pipeline``) and, for each site, its listing in the site's real listing markup (the
replica's ``listing.html``: ``crawler/replicas/sites/<site>/templates``), newest story first,
``--per-page`` stories a page, paged with the site's own "next" link. Article ids are kept in
the form each spider's ``article_url_re`` accepts, since listings are filtered by it.

The four real spiders crawl it with their real ``start()`` (listing pages first, paging stops
at a page with nothing unseen; the stories on the pages walked, known ones too, are asked for
with the HTTP cache's validators, so an unchanged one is a 304), the project's settings
(HTTP cache, every pipeline, the store on SQLite in a temporary folder), politeness off: no
robots.txt, no delay, no AutoThrottle, ``--concurrency`` requests at once. Only server-rendered
listings are started from (the asiae special-coverage list needs a browser).

1. **first**: the crawl into an empty store;
2. **again**: the same crawl again, nothing new;
3. **new** (with ``--new K`` > 0): again after K stories were published at the top of the
   listings (spread over the sites).

Requests are counted by the page server (what the sites would see), by kind and status (200,
or 304 when the HTTP cache's validators still hold). Seconds run from the start of the crawl
(the four crawlers built and opened: middlewares, pipelines with the imports they make, the
store's known stories, the duplicate index seeded from the store) to the last spider closed
(the store's last commit included), split into up to the first answer, between the first and
last answers, and after the last. Each run is a fresh process; its
start-up before the crawl (imports, the gazetteer) is not in those seconds but is in the whole
process's, which is what a cron job waits for. Stories published in the last
``SISTERCITY_REVISIT_DAYS`` would add revisits; the fixtures' stories are older, so none here.

    python -m benchmarks.bench_rerun [--pages 1000] [--per-page 20] [--new 20]
        [--concurrency 16]
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import urlopen

from benchmarks.bench_pipeline import SITES, fixtures, marked
from benchmarks.harness import (
    ROOT,
    PageServer,
    arguments,
    progress,
    report,
    server_process,
    table,
)

_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")
_ASIAE_ID = re.compile(r"\d{19}")
_URL_DAY = re.compile(r"/(\d{4})-(\d{2})/(\d{2})/")

# Each site's listing: page 1's URL and page n's (n > 1).
LISTINGS: dict[str, tuple[str, Callable[[int], str]]] = {
    "asiae": (
        "https://www.asiae.co.kr/en/list/regional",
        lambda n: f"https://www.asiae.co.kr/en/list/regional?page={n}",
    ),
    "china_org_cn": (
        "http://www.china.org.cn/world/node_7075763.htm",
        lambda n: f"http://www.china.org.cn/world/node_7075763_{n}.htm",
    ),
    "chinadaily_shandong": (
        "http://www.goshandong.com.cn/sistercities.html",
        lambda n: f"http://www.goshandong.com.cn/sistercities_{n}.html",
    ),
    "chinesetoday": (
        "http://chinesetoday.com/?c=26",
        lambda n: f"http://chinesetoday.com/?c=26&page={n}",
    ),
}


def listing_url(site: str, page: int) -> str:
    first, later = LISTINGS[site]
    return first if page == 1 else later(page)


def article_url(fixture_url: str, i: int) -> str:
    """The fixture's URL made unique for story ``i``, still an article URL of its site."""
    asiae_id = _ASIAE_ID.search(fixture_url)
    if asiae_id and "asiae" in fixture_url:
        # asiae ids are 19 digits (a time and a 5-digit serial): keep the time, number the serial.
        unique = f"{asiae_id.group(0)[:14]}{i:05d}"
        return fixture_url[: asiae_id.start()] + unique + fixture_url[asiae_id.end() :]
    number = _LAST_NUMBER.search(fixture_url)
    assert number is not None
    unique = f"{number.group(1)}{i:06d}"
    return fixture_url[: number.start()] + unique + fixture_url[number.end() :]


def stories(count: int) -> list[tuple[str, str, int]]:
    """Story ``i`` (oldest first): (site, its article URL, fixture index), round-robin over the
    sites. The first ``count`` are the same whatever stories come after them."""
    found = fixtures()
    out = []
    for i in range(count):
        site = SITES[i % len(SITES)]
        k = (i // len(SITES)) % len(found[site])
        out.append((site, article_url(found[site][k][0], i), k))
    return out


def origins(urls: Sequence[str]) -> list[str]:
    return sorted({f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in urls})


def every_url(total: int, per_page: int) -> list[str]:
    """Every URL the server may serve (article pages and every listing page it could have)."""
    pages = total // per_page + 2
    listings = [listing_url(site, n) for site in SITES for n in range(1, pages + 1)]
    return [url for _, url, _ in stories(total)] + listings


def listing_pages(
    published: list[tuple[str, str, int]], per_page: int
) -> dict[str, tuple[str, int, list[tuple[str, int]]]]:
    """Real URL -> (site, page number, [(article URL, story number)]) for every listing page of
    the stories published so far, newest first."""
    out: dict[str, tuple[str, int, list[tuple[str, int]]]] = {}
    for site in SITES:
        mine = [(url, i) for i, (s, url, _) in enumerate(published) if s == site][::-1]
        chunks = [mine[j : j + per_page] for j in range(0, len(mine), per_page)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            out[listing_url(site, number)] = (site, number, chunk)
    return out


def _root_relative(url: str) -> str:
    parts = urlsplit(url)
    return url[len(f"{parts.scheme}://{parts.netloc}") :]


def _url_day(url: str) -> str:
    found = _URL_DAY.search(url)
    return "-".join(found.groups()) if found else ""


def render_listing(site: str, number: int, entries: list[tuple[str, int]], pages: int) -> bytes:
    """One listing page in the markup of the site's replica (its ``listing.html``)."""
    import importlib

    from crawler.replicas.render import pager

    replica = importlib.import_module(f"crawler.replicas.sites.{site}").SITE
    template = replica.env.get_template("listing.html")
    page_url = lambda n: listing_url(site, n)  # noqa: E731
    titled = [(url, f"Sister-city story {i:06d}", i) for url, i in entries]
    if site == "asiae":
        rows = [
            {"link": u, "id": _ASIAE_ID.search(u).group(0), "title": t, "summary": t}  # type: ignore[union-attr]
            for u, t, _ in titled
        ]
        html = template.render(entries=rows, page=number, pages=pages, page_url=page_url)
    elif site == "chinesetoday":
        rows = [{"href": _root_relative(u), "title": t, "list_date": ""} for u, t, _ in titled]
        html = template.render(
            charset="utf-8",
            entries=rows,
            page=number,
            pages=pages,
            page_href=lambda n: _root_relative(page_url(n)),
        )
    else:  # the two column CMSs (crawler.replicas.render.ColumnReplica)
        rows = [{"url": u, "title": t, "date": _url_day(u), "summary": t} for u, t, _ in titled]
        html = template.render(
            entries=rows,
            pager=pager(pages, number, page_url),
            next_url=page_url(number + 1) if number < pages else None,
        )
    return html.encode("utf-8")


def serve(total: int, published: int, per_page: int, port_file: Path) -> None:
    """The page server process: mount ``/o<n>`` is the n-th origin. ``GET /_publish?n=N``
    makes the first N stories published (listed and served); ``GET /_counts`` returns the
    requests seen since the last call, by kind and status, and starts counting afresh."""
    found = fixtures()
    every = stories(total)
    mounts = {f"/o{n}": origin for n, origin in enumerate(origins(every_url(total, per_page)))}
    number_of = {url: i for i, (_, url, _) in enumerate(every)}
    state: dict[str, Any] = {"published": published, "counts": Counter()}
    listings: dict[int, dict[str, tuple[str, int, list[tuple[str, int]]]]] = {}
    rendered: dict[tuple[int, str], bytes] = {}

    def page(real: str) -> tuple[str, bytes, str] | None:
        """(kind, body, content type) of the real URL as things stand, None when not served."""
        shown = state["published"]
        if shown not in listings:
            listings[shown] = listing_pages(every[:shown], per_page)
        if real in listings[shown]:
            site, number, entries = listings[shown][real]
            if (shown, real) not in rendered:
                pages = sum(1 for s, _, _ in listings[shown].values() if s == site)
                rendered[shown, real] = render_listing(site, number, entries, pages)
            return "listing", rendered[shown, real], "text/html; charset=utf-8"
        i = number_of.get(real, shown)
        if i >= shown:
            return None
        site, _, k = every[i]
        _, body, headers = found[site][k]
        return "article", marked(body, i), headers.get("Content-Type", "text/html")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.startswith("/_publish?n="):
                state["published"] = int(self.path.split("=", 1)[1])
                self.answer(200, b"ok")
                return
            if self.path == "/_counts":
                counts, state["counts"] = state["counts"], Counter()
                self.answer(200, json.dumps(dict(counts)).encode())
                return
            mount, _, rest = self.path[1:].partition("/")
            found_page = page(mounts.get(f"/{mount}", "") + "/" + rest)
            if found_page is None:
                state["counts"]["missing/404"] += 1
                self.answer(404)
                return
            kind, body, content_type = found_page
            # Validators as the real sites send them, so an unchanged page gets a 304.
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                state["counts"][f"{kind}/304"] += 1
                self.answer(304, headers={"ETag": etag})
                return
            state["counts"][f"{kind}/200"] += 1
            self.answer(200, body, {"ETag": etag, "Content-Type": content_type})

    httpd = PageServer(("127.0.0.1", 0), Handler)
    port_file.write_text(str(httpd.server_address[1]))
    httpd.serve_forever()


@contextmanager
def page_server(total: int, published: int, per_page: int, folder: Path) -> Iterator[int]:
    """``serve`` in a process of its own; yields its port and stops it afterwards."""
    port_file = folder / "port"
    call = "from benchmarks.bench_rerun import serve; from pathlib import Path; "
    call += f"serve({total}, {published}, {per_page}, Path({str(port_file)!r}))"
    with server_process(call, port_file) as port:
        yield port


def control(port: int, path: str) -> Any:
    for _ in range(50):
        try:
            with urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
                return json.loads(answer.read()) if path == "/_counts" else None
        except URLError:
            time.sleep(0.1)
    raise RuntimeError(f"the page server does not answer {path}")


def crawl_settings(total: int, per_page: int, port: int, db: str, workdir: Path, concurrency: int):
    """The project's settings, politeness off, pointed at the page server."""
    from crawler.app.runner import project_settings

    urls = every_url(total, per_page)
    mounts = {origin: f"http://127.0.0.1:{port}/o{n}" for n, origin in enumerate(origins(urls))}
    return project_settings(
        {
            "ROBOTSTXT_OBEY": False,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "SITE_MIRRORS": json.dumps(mounts),
            "SITE_START_URLS": json.dumps({site: [listing_url(site, 1)] for site in SITES}),
            "SISTERCITY_DB_URL": db,
            "HTTPCACHE_DIR": str(workdir / "httpcache"),
            "SISTERCITY_FEEDS_ON_CLOSE": False,
            # The four spiders are one crawl: without this all but the first would stop at the
            # store's lock.
            "SISTERCITY_STORE_LOCKED": True,
        }
    )


def crawl(total: int, per_page: int, port: int, db: str, workdir: Path, concurrency: int) -> None:
    """One measured crawl with the real spiders in this process; prints its figures as JSON."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiderloader import SpiderLoader

    from benchmarks import synthetic
    from crawler.app.runner import spider_names
    from crawler.understanding import understand

    understand(synthetic.story(0))  # loads the gazetteer: start-up, not the crawl
    settings = crawl_settings(total, per_page, port, db, workdir, concurrency)
    closed: list[float] = []
    responses: list[float] = []
    process = CrawlerProcess(settings)
    loader = SpiderLoader.from_settings(settings)
    crawlers = [process.create_crawler(loader.load(site)) for site in spider_names(settings)]
    # From here: building and opening the crawlers (pipelines, the store's known stories, the
    # duplicate index seeded from the store) is part of every run, so it is timed.
    begun = time.perf_counter()
    for crawler in crawlers:
        crawler.signals.connect(
            lambda **_: responses.append(time.perf_counter()),
            signal=signals.response_received,
            weak=False,
        )
        crawler.signals.connect(
            lambda **_: closed.append(time.perf_counter()),
            signal=signals.spider_closed,
            weak=False,
        )
        process.crawl(crawler)
    process.start()
    stats = [dict(c.stats.get_stats()) for c in crawlers if c.stats is not None]

    def total_of(key: str) -> int:
        return sum(int(s.get(key, 0)) for s in stats)

    print(
        json.dumps(
            {
                "seconds": max(closed) - begun,
                # Where those seconds go: opening the spiders (the store, its known stories,
                # the HTTP cache) up to the first answer, answers, and closing after the last.
                "to_first_response": min(responses) - begun,
                "between_responses": max(responses) - min(responses),
                "after_last_response": max(closed) - max(responses),
                "stored_new": total_of("sistercity/store/new"),
                "articles_requested": total_of("sistercity/articles/requested"),
                "revisits": total_of("sistercity/revisit"),
                "failed": total_of("sistercity/fetch_failed"),
            }
        )
    )


def child(
    total: int, per_page: int, port: int, db: str, workdir: Path, concurrency: int
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_rerun",
        "--child",
        "1",
        "--pages",
        str(total),
        "--per-page",
        str(per_page),
        "--port",
        str(port),
        "--db",
        db,
        "--workdir",
        str(workdir),
        "--concurrency",
        str(concurrency),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    ended = time.perf_counter()
    if done.returncode != 0:
        raise RuntimeError(f"crawl failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # What a cron job waits for: the whole process, start-up (imports, the gazetteer) included.
    figures["process_seconds"] = ended - started
    counts = control(port, "/_counts")
    figures["requests"] = counts
    for kind in ("listing", "article"):
        figures[kind] = sum(n for key, n in counts.items() if key.startswith(kind + "/"))
    figures["total"] = sum(counts.values())
    return figures


def stored_stories(db_file: Path) -> int:
    with sqlite3.connect(db_file) as connection:
        return connection.execute("SELECT count(*) FROM stories").fetchone()[0]


def run_crawls(args: Any) -> dict[str, Any]:
    """The first crawl, the same again, and (with ``--new``) again after new stories."""
    total = args.pages + args.new
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sistercity-rerun-") as folder:
        workdir = Path(folder)
        db_file = workdir / "store.db"
        db = f"sqlite:///{db_file}"
        with page_server(total, args.pages, args.per_page, workdir) as port:
            control(port, "/_counts")  # starts counting from nothing

            def measured(name: str, what: str) -> None:
                progress(f"rerun: {what}")
                results[name] = child(total, args.per_page, port, db, workdir, args.concurrency)
                results[name]["stories_in_store"] = stored_stories(db_file)

            measured("first", f"first crawl, {args.pages} stories")
            measured("again", "the same crawl again, nothing new")
            if args.new:
                control(port, f"/_publish?n={total}")
                measured("new", f"again after {args.new} new stories")
    return results


def rows(results: dict[str, Any], new: int) -> list[list[Any]]:
    first = results["first"]
    labels = {
        "first": "first crawl",
        "again": "same crawl again, nothing new",
        "new": f"again after {new} new stories",
    }
    out = []
    for name, label in labels.items():
        if name not in results:
            continue
        r = results[name]
        counts = r["requests"]
        out.append(
            [
                label,
                f"{r['listing']} ({counts.get('listing/304', 0)} × 304)",
                f"{r['article']} ({counts.get('article/304', 0)} × 304)",
                r["total"],
                f"{r['total'] / first['total']:.1%}",
                f"{r['seconds']:.1f}",
                f"{r['seconds'] / first['seconds']:.1%}",
                f"{r['to_first_response']:.1f} / {r['between_responses']:.1f} / "
                f"{r['after_last_response']:.1f}",
                f"{r['process_seconds']:.1f} ({r['process_seconds'] / first['process_seconds']:.0%})",
                r["stored_new"],
                r["stories_in_store"],
            ]
        )
    return out


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(
        __doc__.split("\n")[0],
        argv,
        repeats=1,
        pages=1000,
        per_page=20,
        new=20,
        concurrency=16,
        child="",
        port=0,
        db="",
        workdir="",
    )
    if args.child:
        crawl(args.pages, args.per_page, args.port, args.db, Path(args.workdir), args.concurrency)
        return {}
    results = run_crawls(args)
    text = table(
        [
            "run",
            "listing requests",
            "article requests",
            "requests",
            "share of first's requests",
            "seconds",
            "share of first's time",
            "s: to first answer / answers / after last",
            "whole process s (share)",
            "stories stored new",
            "stories in store",
        ],
        rows(results, args.new),
    )
    report(
        f"Re-run with nothing new ({args.pages:,} stories, {args.per_page} a listing page, "
        f"concurrency {args.concurrency})",
        text,
        results,
        args,
    )
    return results


if __name__ == "__main__":
    run()
