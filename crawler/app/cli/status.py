"""`sistercity status`: recent crawls per site, the health flags still open and the pages
waiting in the retry queue."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("status", help="recent runs per site and open health flags")
    parser.add_argument("--db", help="SQLAlchemy URL of the store (default: var/sistercity.db)")
    parser.add_argument("--runs", type=int, default=5, help="runs shown per site")
    parser.add_argument("--json", action="store_true", help="print as JSON")
    return parser


def site_run_dict(row: Any) -> dict[str, Any]:
    return {
        "run_id": row.run_id,
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "requests": row.requests,
        "responses_by_status": dict(row.responses_by_status or {}),
        "stories": {
            "new": row.stories_new,
            "changed": row.stories_changed,
            "unchanged": row.stories_unchanged,
            "error": row.stories_error,
        },
        "partnerships": {"new": row.partnerships_new, "changed": row.partnerships_changed},
        "extraction": dict(row.extraction or {}),
        "errors": row.errors,
        "duration_seconds": row.duration,
        "flags": list(row.flags or []),
    }


def run_statuses(store: Any) -> dict[int, str]:
    from sqlalchemy import select

    from storage.models import CrawlRun

    with store.session() as session:
        return dict(session.execute(select(CrawlRun.id, CrawlRun.status)).tuples().all())


def run(args: argparse.Namespace) -> int:
    from crawler.app.cli.find_store import NoStore, existing_store_url
    from crawler.app.runner import project_settings, spider_names
    from storage.repository import StoryStore

    try:
        url = existing_store_url(args.db)
    except NoStore as exc:  # never create an empty store just to say it is empty
        print(f"sistercity status: {exc}", file=sys.stderr)
        return 1
    with StoryStore(url) as store:
        sites = spider_names(project_settings())
        data = {
            "sites": {
                site: [site_run_dict(r) for r in store.recent_site_runs(site, args.runs)]
                for site in sites
            },
            "open_flags": store.open_flags(),
            "retry_queue": store.retry_queue_sizes(),
        }
        # How each crawl run ended: ok, flagged, or killed (marked by the run that came next).
        statuses = run_statuses(store)
        for runs in data["sites"].values():
            for r in runs:
                r["run_status"] = statuses.get(r["run_id"])
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False) if sys.stdout.isatty() else Console(no_color=True, width=200)
    table = Table(title="Recent crawls")
    for column in (
        "site",
        "run",
        "started (UTC)",
        "pages",
        "stories new/chg/same/err",
        "partnerships new/chg",
        "generic",
        "seconds",
        "flags",
    ):
        table.add_column(column)
    for site, runs in data["sites"].items():
        if not runs:
            table.add_row(site, "-", "never crawled", "", "", "", "", "", "")
        for r in runs:
            s, p = r["stories"], r["partnerships"]
            table.add_row(
                site,
                f"{r['run_id']} (killed)" if r["run_status"] == "killed" else str(r["run_id"]),
                r["started_at"][:19].replace("T", " "),
                str(sum(r["responses_by_status"].values())),
                f"{s['new']}/{s['changed']}/{s['unchanged']}/{s['error']}",
                f"{p['new']}/{p['changed']}",
                str(r["extraction"].get("generic", 0)),
                f"{r['duration_seconds'] or 0:.1f}",
                str(len(r["flags"])) if r["flags"] else "",
            )
    console.print(table)
    if data["open_flags"]:
        console.print("Open health flags:")
        for flag in data["open_flags"]:
            console.print(f"  [{flag['kind']}] {flag['message']} (since {flag['raised_at'][:16]})")
    else:
        console.print("No open health flags.")
    queued = data["retry_queue"]
    console.print(
        "Retry queue: "
        + (", ".join(f"{site} {n}" for site, n in sorted(queued.items())) or "empty")
    )
    return 0
