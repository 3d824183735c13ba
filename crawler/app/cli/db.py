"""`sistercity db upgrade`: bring a store's schema up to date (Alembic migrations)."""

from __future__ import annotations

import argparse
from typing import Any

from crawler.app.cli import EXIT_CONFIG, fail
from crawler.config import default_db_url


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("db", help="manage the store's schema")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    for name, text in (
        ("upgrade", "apply every pending migration"),
        ("current", "show the schema revision"),
    ):
        sub = actions.add_parser(name, help=text, description=text[:1].upper() + text[1:] + ".")
        sub.add_argument("--db", help="SQLAlchemy URL of the store (default: var/sistercity.db)")
    return parser


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import current_revision, head_revision, upgrade

    url = args.db or default_db_url()
    try:
        if args.db_action == "upgrade":
            before = current_revision(url)
            upgrade(url)
            after = current_revision(url)
            print(
                f"{_safe(url)}: schema {before or 'empty'} -> {after}"
                if before != after
                else f"{_safe(url)}: schema up to date ({after})"
            )
        else:
            current = current_revision(url)
            head = head_revision()
            state = (
                "up to date"
                if current == head
                else f"behind (latest {head}); run `sistercity db upgrade`"
            )
            print(f"{_safe(url)}: schema {current or 'empty'}, {state}")
    except (SQLAlchemyError, OSError) as exc:
        fail(
            f"sistercity db: cannot use the store at {_safe(url)}: {exc.__class__.__name__}: {exc}".splitlines()[
                0
            ],
            exc,
        )
        return EXIT_CONFIG  # a store or disk error, not a site's
    return 0


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
