"""`sistercity partnership ID`: one pair, its register fields and its whole history."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "partnership",
        help="show one partnership and its history",
        description=(
            "Show one partnership: its register fields and every change logged for it, with "
            "the stories behind each. ID is the pair id `sistercity partnerships` prints "
            "(qingdao-cn--gwangju-kr, either order) or the store key."
        ),
    )
    parser.add_argument("id", metavar="ID", help="pair id, e.g. qingdao-cn--gwangju-kr")
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.add_argument("--db", help="SQLAlchemy URL of the store (default: var/sistercity.db)")
    return parser


def run(args: argparse.Namespace) -> int:
    from crawler.app.cli.find_store import existing_store_url_or_say
    from storage.exports import find_partnership, partnership_history, plain_data
    from storage.repository import StoryStore

    url = existing_store_url_or_say(args.db, "partnership")
    if url is None:
        return 1
    with StoryStore.open(url) as store, store.session() as session:
        p = find_partnership(session, args.id)
        if p is None:
            print(
                f"sistercity partnership: no partnership {args.id!r} "
                "(see `sistercity partnerships` for the ids)",
                file=sys.stderr,
            )
            return 1
        data = plain_data(partnership_history(session, p))
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    a, b = data["places"]
    print(f"{a['name']} ({a['country']}) – {b['name']} ({b['country']})   [{data['id']}]")
    row = data["row"]
    if row is None:
        print("  retracted: no source reports it any more")
    else:
        relation = (row["relation"] or "unknown").replace("_", " ")
        if row["also_called"]:
            relation += " (also called " + ", ".join(row["also_called"]).replace("_", " ") + ")"
        print(f"  relation:   {relation}")
        print(f"  status:     {row['status'] or 'unknown'}")
        print(f"  since:      {row['since'] or 'unknown'}")
        event = " ".join(x for x in (row["last_event"], row["last_event_date"]) if x)
        print(f"  last event: {event or 'none'}")
        print(f"  sources:    {row['sources']}   confidence: {row['confidence']}")
    print("History:")
    for change in data["changes"]:
        print(f"  {change['at'][:10]}  [{change['kind']}] {change['summary']}")
        for source in change["sources"]:
            print(f"      {source['site']}: {source['title']} <{source['url']}>")
    return 0
