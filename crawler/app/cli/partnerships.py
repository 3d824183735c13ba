"""`sistercity partnerships`: the register as it stands, filtered, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

FORMATS = ("table", "csv", "json", "jsonl")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "partnerships",
        help="list the partnership register",
        description=(
            "List every partnership in the register with its relation, status, start, latest "
            "event, sources and confidence. Filters combine."
        ),
    )
    parser.add_argument("--city", help="a place's English or local name (substring, any case)")
    parser.add_argument("--country", help="a place's country, ISO code (KR, CN, US…)")
    parser.add_argument("--status", help="proposed, active, suspended or terminated")
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="only pairs with a change logged on or after this date",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument("--db", help="SQLAlchemy URL of the store (default: var/sistercity.db)")
    return parser


def run(args: argparse.Namespace) -> int:
    from crawler.app.cli.find_store import existing_store_url_or_say
    from storage.exports import register_rows, to_csv, to_json, to_jsonl
    from storage.repository import StoryStore

    url = existing_store_url_or_say(args.db, "partnerships")
    if url is None:
        return 1
    with StoryStore.open(url) as store, store.session() as session:
        rows = register_rows(
            session, city=args.city, country=args.country, status=args.status, since=args.since
        )
    if args.format == "csv":
        sys.stdout.write(to_csv(rows))
    elif args.format == "json":
        sys.stdout.write(to_json(rows))
    elif args.format == "jsonl":
        sys.stdout.write(to_jsonl(rows))
    else:
        print_table(rows)
    return 0


def print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False) if sys.stdout.isatty() else Console(no_color=True, width=220)
    table = Table(title=f"Partnerships ({len(rows)})")
    for column in (
        "id",
        "places",
        "relation",
        "status",
        "since",
        "last event",
        "sources",
        "confidence",
    ):
        table.add_column(column)
    for r in rows:
        relation = (r["relation"] or "").replace("_", " ")
        if r["also_called"]:
            relation += " (also " + ", ".join(v.replace("_", " ") for v in r["also_called"]) + ")"
        event = " ".join(x for x in (r["last_event"], r["last_event_date"]) if x)
        table.add_row(
            r["id"],
            f"{r['place_a']} ({r['country_a']}) – {r['place_b']} ({r['country_b']})",
            relation,
            r["status"] or "",
            r["since"] or "",
            event,
            str(r["sources"]),
            "" if r["confidence"] is None else f"{r['confidence']:.2f}",
        )
    console.print(table)
