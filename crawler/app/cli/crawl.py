"""`sistercity crawl [SITE ...]`: the command cron runs.

Crawls the chosen sites (default: all) in one process, updates the store, rebuilds the feeds,
checks each site's health and prints a summary. Exit codes: 0 all sites fine; 1 a site failed
or is flagged; 2 usage error; 75 another crawl holds the lock.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from crawler.app.cli import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    add_setting_option,
    check_settings,
)
from crawler.config import default_db_url, default_feeds_dir, var_dir

logger = logging.getLogger("sistercity.crawl")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2024-01-31: {text!r}") from None


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl the sites, update the store and the feeds",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sites", nargs="*", metavar="SITE", help="site slugs (default: all)")
    parser.add_argument("--since", type=_date, help="walk listings back to this date (YYYY-MM-DD)")
    parser.add_argument("--full", action="store_true", help="walk every listing page")
    parser.add_argument("--url", help="fetch this one story (any of the four sites)")
    parser.add_argument("--dry-run", action="store_true", help="fetch and classify, write nothing")
    parser.add_argument("--db", help="SQLAlchemy URL of the store (default: var/sistercity.db)")
    parser.add_argument(
        "--feeds-dir", type=Path, help="where feeds are written (default: var/feeds)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="crawl with N processes sharing one Redis queue (scrapy-redis; see README)",
    )
    parser.add_argument(
        "--local-workers",
        type=int,
        metavar="N",
        help="of the --workers, start N here; the others join from other hosts",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("SISTERCITY_REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="Redis URL for --workers (default: $SISTERCITY_REDIS_URL or local)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--verbose", "-v", action="store_true", help="log progress to stderr")
    add_setting_option(parser)
    return parser


def configure_logging(verbose: bool, interactive: bool, log_file: Path | None) -> None:
    """INFO to the log file; on stderr WARNING and up (everything with --verbose), or nothing but
    errors while a live progress display owns the terminal."""
    root = logging.getLogger()
    root.handlers.clear()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setLevel(logging.INFO)
        file_handler.setFormatter(fmt)
        root.addHandler(file_handler)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.DEBUG if verbose else logging.ERROR if interactive else logging.WARNING)
    stderr.setFormatter(fmt)
    root.addHandler(stderr)
    for noisy in ("scrapy.core.scraper", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)


def run(args: argparse.Namespace) -> int:
    from crawler.app.runner import project_settings, spider_for_url, spider_names

    overrides: dict[str, Any] = dict(args.set)
    check_settings(project_settings(), overrides)
    settings = project_settings(overrides)
    known = spider_names(settings)
    spider_args: dict[str, dict[str, str]] = {}
    if args.url:
        site = spider_for_url(settings, args.url)
        if site is None:
            print(
                f"sistercity crawl: no site's article pattern matches {args.url}", file=sys.stderr
            )
            return EXIT_USAGE
        sites = [site]
        spider_args[site] = {"url": args.url}
    else:
        unknown = sorted(set(args.sites) - set(known))
        if unknown:
            print(
                f"sistercity crawl: unknown site {', '.join(unknown)}; known: {', '.join(known)}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        sites = sorted(set(args.sites)) or known
        for site in sites:
            spider_args[site] = {}
            if args.full:
                spider_args[site]["full"] = "1"
            if args.since:
                spider_args[site]["since"] = args.since.isoformat()

    if args.workers is not None and (args.workers < 1 or args.dry_run):
        print("sistercity crawl: --workers takes N >= 1, without --dry-run", file=sys.stderr)
        return EXIT_USAGE
    db_url = args.db or settings.get("SISTERCITY_DB_URL") or default_db_url()
    feeds_dir = args.feeds_dir or default_feeds_dir()
    from sqlalchemy.engine import make_url

    parsed_url = make_url(db_url)  # a malformed --db fails here, in one line, not after the crawl
    if args.workers and parsed_url.get_backend_name() != "postgresql":
        print("sistercity crawl: --workers needs a PostgreSQL store (--db)", file=sys.stderr)
        return EXIT_USAGE
    if not args.dry_run:
        check_writable(feeds_dir, "feeds directory")
    interactive = sys.stderr.isatty() and not args.json and not args.verbose
    configure_logging(
        args.verbose, interactive, None if args.dry_run else var_dir() / "logs" / "crawl.log"
    )
    overrides["SISTERCITY_DB_URL"] = db_url
    if args.dry_run:
        overrides["ITEM_PIPELINES"] = {
            k: v for k, v in settings.getdict("ITEM_PIPELINES").items() if "store" not in k.lower()
        }
        overrides["HTTPCACHE_ENABLED"] = False
        overrides["SISTERCITY_KNOWN_URLS"] = None
        overrides["SISTERCITY_RETRY_QUEUE"] = None
        overrides["SISTERCITY_KNOWN_PAGES"] = None
        overrides["SISTERCITY_DEDUPE_SEED"] = None
        return _dry_run(args, project_settings(overrides), sites, spider_args, interactive)

    from crawler.app.lock import LockHeld, store_lock

    # The lock is the store's (beside a SQLite file, in the PostgreSQL server), so crawls from
    # two var directories into one store never overlap; `scrapy crawl` takes the same one.
    overrides["SISTERCITY_STORE_LOCKED"] = True
    try:
        with store_lock(db_url, var_dir()):
            return _crawl_and_store(
                args, sites, spider_args, overrides, db_url, feeds_dir, interactive
            )
    except LockHeld as exc:
        print(f"sistercity crawl: {exc}; not starting", file=sys.stderr)
        return EXIT_LOCKED


def check_writable(folder: Path, what: str) -> None:
    """Create ``folder`` when missing and prove a file can be written there, before crawling
    (a crawl whose feeds cannot be written would only fail at its very end)."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test.", suffix=".tmp"):
            pass
    except OSError as exc:
        raise ConfigError(f"{what} {folder} is not writable: {exc.strerror or exc}") from exc


def _crawl(
    settings: Any, sites: list[str], spider_args: dict[str, dict[str, str]], interactive: bool
) -> dict[str, Any]:
    from crawler.app.runner import run_spiders

    if not interactive:
        return run_spiders(settings, sites, spider_args)
    from crawler.app.progress import LiveProgress

    with LiveProgress(sites) as live:
        return run_spiders(settings, sites, spider_args, progress=live.update)


def _crawl_and_store(
    args: argparse.Namespace,
    sites: list[str],
    spider_args: dict[str, dict[str, str]],
    overrides: dict[str, Any],
    db_url: str,
    feeds_dir: Path,
    interactive: bool,
) -> int:
    from crawler.app.health import HealthSettings, evaluate
    from crawler.app.runner import project_settings
    from storage.feeds import FeedConfig, publish
    from storage.repository import StoryStore

    with StoryStore(db_url) as store:
        mark_killed_runs(store)
        run_id = store.start_run(sites)
        overrides["SISTERCITY_RUN_ID"] = run_id
        settings = project_settings(overrides)
        if args.workers:
            from crawler.app.workers import run_workers

            # The workers share this run and the lock held here; the feeds are built below, once.
            results = run_workers(
                args.redis, sites, spider_args, overrides, args.workers, args.local_workers
            )
        else:
            results = _crawl(settings, sites, spider_args, interactive)
        store.settle_pending()  # the run's change log, independent of the stories' order
        health = HealthSettings.from_settings(settings)
        now = datetime.now(UTC)
        rows: dict[str, dict[str, Any]] = {}
        for site in sites:
            result = results[site]
            store.finish_site_run(run_id, site, result.store_stats())
            history = [result.run_record()] + [
                site_run_record(row)
                for row in store.recent_site_runs(site, health.empty_runs)
                if row.run_id != run_id
            ]
            flags = evaluate(
                site, history, store.new_story_times(site), now, f"run-{run_id}", health
            )
            for flag in flags:
                logger.warning("Health: %s", flag.message)
            store.finish_site_run(run_id, site, {"flags": [f.as_dict() for f in flags]})
            row = store.recent_site_runs(site, 1)[0]
            rows[site] = summary_row(result, row)
            if args.workers:
                rows[site]["worker_requests"] = result.worker_requests
        store.finish_run(run_id, "flagged" if any(r["flags"] for r in rows.values()) else "ok")
        publish(store, feeds_dir, FeedConfig.from_settings(settings))
    return _report(args, rows, {"run_id": run_id, "feeds_dir": str(feeds_dir), "db": db_url})


def mark_killed_runs(store: Any) -> int:
    """Runs still "running" when a crawl holds the store's lock were killed (SIGKILL, power
    loss): the lock proves no one else is running. They are marked ``killed``."""
    from sqlalchemy import update

    from storage.models import CrawlRun

    with store.session() as session:
        done = session.execute(
            update(CrawlRun)
            .where(CrawlRun.status == "running")
            .values(status="killed", finished_at=datetime.now(UTC))
        )
        count = int(done.rowcount or 0)
    if count:
        logger.warning("Marked %d earlier crawl run(s) killed: they ended without finishing", count)
    return count


def site_run_record(row: Any) -> Any:
    """A stored site run as the health checks see it."""
    from crawler.app.health import RunRecord

    ok = sum(int(n) for status, n in (row.responses_by_status or {}).items() if status[0] in "23")
    return RunRecord(
        finished=True,
        requests=row.requests,
        responses_ok=ok,
        stories=row.stories_new + row.stories_changed + row.stories_unchanged,
        generic=int((row.extraction or {}).get("generic", 0)),
        failed_fetches=row.stories_error,
    )


def summary_row(result: Any, row: Any | None) -> dict[str, Any]:
    """One site's line of the summary: the crawl's own numbers, the store's counts when stored."""
    data = result.as_dict()
    if row is not None:
        data["stories"] = {
            "new": row.stories_new,
            "changed": row.stories_changed,
            "unchanged": row.stories_unchanged,
            "error": row.stories_error,
        }
        data["partnerships"] = {"new": row.partnerships_new, "changed": row.partnerships_changed}
        data["flags"] = list(row.flags or [])
    else:
        data["flags"] = []
    return data


def _dry_run(
    args: argparse.Namespace,
    settings: Any,
    sites: list[str],
    spider_args: dict[str, dict[str, str]],
    interactive: bool,
) -> int:
    results = _crawl(settings, sites, spider_args, interactive)
    rows = {site: summary_row(results[site], None) for site in sites}
    for site in sites:  # what was fetched and how it was understood; nothing was stored
        rows[site]["fetched"] = results[site].fetched
    return _report(args, rows, {"dry_run": True})


def _report(
    args: argparse.Namespace, rows: dict[str, dict[str, Any]], extra: dict[str, Any]
) -> int:
    failed = [s for s, r in rows.items() if r["finish_reason"] != "finished" or r["flags"]]
    code = EXIT_FAILED if failed else EXIT_OK
    if args.json:
        print(json.dumps({**extra, "exit_code": code, "sites": rows}, indent=2, ensure_ascii=False))
    elif code != EXIT_OK or args.verbose or sys.stdout.isatty():
        from crawler.app.progress import print_summary

        print_summary(rows, extra)
    return code
