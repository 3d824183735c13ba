"""All of sistercity's settings. Scrapy's precedence applies: `-s NAME=value` and a spider's
`custom_settings` override these; the SISTERCITY_* environment variables are read here once."""

import os
import shutil

from scrapy.settings import default_settings

from crawler import __version__
from crawler.config import default_db_url, default_feeds_dir
from crawler.scraping.items import EXPORT_FIELDS
from crawler.scraping.sites import display_names

BOT_NAME = "sistercity"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.scraping.commands"
# `scrapy check`: each spider's callbacks on a sample page of its own site (crawler.scraping.contracts).
SPIDER_CONTRACTS = {
    "crawler.scraping.contracts.SampleContract": 10,
    "crawler.scraping.contracts.StoryContract": 20,
}

# --- Politeness ---------------------------------------------------------------------------
USER_AGENT = f"sistercity/{__version__} (+https://github.com/sistercity/sistercity; partnership news monitor)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# No article page is anywhere near this; a larger body is cut off by Scrapy, not parsed
# (Scrapy's default is 1 GiB).
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Seconds one story may spend in parsing and in each cleaning pipeline; past it the story is
# recorded as failed and the crawl goes on. 0: no limit.
SISTERCITY_STORY_TIME_BUDGET = 20.0

# Retries back off exponentially and honour Retry-After on 429/503.
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.scraping.middlewares.BackoffRetryMiddleware": 550,
}

# Conditional requests: the HTTP cache revalidates with If-None-Match / If-Modified-Since, and
# a 304 reuses the stored body. Requests carry `Cache-Control: max-age=0` (see NewsSpider) so a
# change monitor always asks the server instead of trusting a heuristic freshness.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
# Absolute: Scrapy reads a relative cache dir as inside the project's hidden .scrapy/ folder.
HTTPCACHE_DIR = os.path.abspath(os.environ.get("SISTERCITY_HTTPCACHE_DIR") or "var/httpcache")
# One compressed SQLite file per spider instead of six files per response (crawler/scraping/sqlitedbm.py).
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.DbmCacheStorage"
HTTPCACHE_DBM_MODULE = "crawler.scraping.sqlitedbm"

# --- Where to fetch from --------------------------------------------------------------------
# {"https://www.asiae.co.kr": "http://127.0.0.1:8765/asiae", ...}: requests for a real origin go
# to the mirror; items keep the real URLs.
SITE_MIRRORS = os.environ.get("SISTERCITY_SITE_MIRRORS", "{}")
# {"asiae": ["https://www.asiae.co.kr/en/list/..."], ...}: overrides a spider's start URLs.
SITE_START_URLS = os.environ.get("SISTERCITY_SITE_START_URLS", "{}")

DOWNLOAD_HANDLERS = {
    "http": "crawler.scraping.mirrors.MirrorDownloadHandler",
    "https": "crawler.scraping.mirrors.MirrorDownloadHandler",
}
# Requests marked `playwright` (listings a script fills in) go through the browser handler,
# built on the first such request; every other request through the plain HTTP handler.
SISTERCITY_INNER_DOWNLOAD_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
SISTERCITY_PLAIN_DOWNLOAD_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"

# Pages built by JavaScript go through Debian's Chromium; `playwright install` is not needed.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
CHROMIUM_PATH = os.environ.get(
    "SISTERCITY_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium"
)
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": CHROMIUM_PATH,
    "headless": True,
    # Without these Chromium keeps calling home, which a closed network refuses.
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ],
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000

# --- Items out ------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = EXPORT_FIELDS
FEED_EXPORTERS = {
    "json": "crawler.scraping.exporters.StoryJsonExporter",
    "jsonlines": "crawler.scraping.exporters.StoryJsonLinesExporter",
    "jsonl": "crawler.scraping.exporters.StoryJsonLinesExporter",
}

ITEM_PIPELINES: dict[str, int] = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.classify.ClassifyPipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
# Dotted path of callable(settings) -> iterable of stored story records (story_id, site,
# canonical_url, content_hash, title, body): the duplicate index's memory of earlier runs.
SISTERCITY_DEDUPE_SEED = "storage.loaders.dedupe_seed"
# Estimated Jaccard similarity of word 3-grams above which two stories are near-duplicates.
SISTERCITY_DEDUPE_NEAR_THRESHOLD = 0.8
# Only stories first seen this many days back are seeded into the near-duplicate index (near
# copies come within days); older ones by URL and content hash only. 0: every story.
SISTERCITY_DEDUPE_WINDOW_DAYS = 60
# Reports of the same pair and event dated this many days apart or less are one event.
SISTERCITY_EVENT_WINDOW_DAYS = 7

# Callable(settings, site) -> set of canonical URLs already stored; listing pages stop paging
# when every story on a page is in it. None: every run pages as far as the listing goes.
SISTERCITY_KNOWN_URLS = "storage.loaders.known_urls"
# Callable(settings, site) -> the store's retry queue (storage.loaders.RetryQueue): pages that
# failed (articles and listing pages) are queued and fetched first by the next crawls; None: no
# queue (dry runs). The first retry comes with the next run, later ones back off from
# SISTERCITY_RETRY_BACKOFF_MINUTES doubling up to SISTERCITY_RETRY_BACKOFF_MAX_HOURS.
SISTERCITY_RETRY_QUEUE = "storage.loaders.retry_queue"
SISTERCITY_RETRY_BACKOFF_MINUTES = 60
SISTERCITY_RETRY_BACKOFF_MAX_HOURS = 24
# Revisits: each run re-checks (with conditional requests) up to SISTERCITY_REVISIT_BUDGET stored
# stories published in the last SISTERCITY_REVISIT_DAYS days, least recently fetched first, so
# an edit to a story deep in the listing is still seen. 0 turns revisits off.
SISTERCITY_REVISIT_DAYS = 14
SISTERCITY_REVISIT_BUDGET = 20
# Callable(settings, site) -> {canonical URL: (raw hash, parser version)} of stored stories: a
# page fetched again with the same bytes (a 304 or an identical 200) for the same parser is
# filed as seen again without parsing or understanding. None: every page is parsed.
SISTERCITY_KNOWN_PAGES = "storage.loaders.known_pages"

# --- The store and the feeds (storage/) ----------------------------------------------------
# Any SQLAlchemy URL; default: the SQLite file var/sistercity.db (or SISTERCITY_VAR_DIR).
SISTERCITY_DB_URL = default_db_url()
# Stories are filed on a writer thread, one transaction per batch of this many stories or
# per this many seconds, whichever comes first (1: each story on its own, on the crawl thread).
SISTERCITY_STORE_BATCH_SIZE = 100
SISTERCITY_STORE_BATCH_SECONDS = 2.0
# At most this many stories wait for the writer (0: two batches); more wait in the pipeline,
# with their crawl's downloads paused until the writer has taken a batch.
SISTERCITY_STORE_MAX_QUEUED = 0
# Set by `sistercity crawl`: the crawl run the stored stories belong to.
SISTERCITY_RUN_ID = None
# One crawl at a time per store: `scrapy crawl` takes the store's lock through this extension;
# `sistercity crawl` takes it itself and sets SISTERCITY_STORE_LOCKED.
EXTENSIONS = {"crawler.app.lock.StoreLockExtension": 0}
# Scrapy's remote control (an HTTP server per crawler that runs the Python code sent to it,
# announced in a job file) is left out: a cron crawl has no use for it, and loading it imports
# aiohttp (0.3 s and 10 MB a crawl), even when switched off or set to None in EXTENSIONS
# (Scrapy imports every class named there). To have it back, add
# "scrapy.extensions.remote_control.RemoteControl": 0 to EXTENSIONS.
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
}
SISTERCITY_STORE_LOCKED = False
# A claim from a story the classifier is less sure of than this only wins when a second
# independent story agrees.
SISTERCITY_REGISTER_MIN_CONFIDENCE = 0.5
# Feeds directory; default: var/feeds (or SISTERCITY_FEEDS_DIR).
SISTERCITY_FEEDS_DIR = str(default_feeds_dir())
# Rebuild the feeds when a spider closes (plain `scrapy crawl`); `sistercity crawl` builds them once.
SISTERCITY_FEEDS_ON_CLOSE = False
# Entries per feed document; older entries move to RFC 5005 archive pages of this size.
SISTERCITY_FEED_ENTRIES = 50
# Archive pages a site, country or city feed keeps (0: all); partnerships.atom and stories.atom
# keep every page, so the whole history stays reachable there.
SISTERCITY_FEED_MAX_ARCHIVE_PAGES = 20
# Where the feeds are served from: absolute links in feeds, OPML and index.html.
SISTERCITY_FEEDS_BASE_URL = os.environ.get("SISTERCITY_FEEDS_BASE_URL", "http://127.0.0.1:8080/")
# Authority and year of the tag: URIs that identify feeds and entries (RFC 4151). Never change.
SISTERCITY_TAG_AUTHORITY = "sistercity.github.io,2026"
# The version written into feeds and datapackage.json (storage/ does not import crawler/).
SISTERCITY_VERSION = __version__
# The sites' names as people know them, for the browsable register and the data files: each
# spider's display_name (crawler.scraping.sites); set this to override.
SISTERCITY_SITE_NAMES = display_names(SPIDER_MODULES)

LOG_LEVEL = os.environ.get("SISTERCITY_LOG_LEVEL", "INFO")
