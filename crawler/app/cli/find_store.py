"""Opening the store for commands that only read it: never create an empty database.

Without ``--db`` or ``SISTERCITY_DB_URL`` the default store is used, and when it does not
exist yet, the demo's store (``var/demo/sistercity.db``, left by `make demo`). When neither
exists the command says where it looked instead of creating an empty file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from crawler.config import default_db_url, var_dir

DEMO_DIR = Path("var/demo")


class NoStore(LookupError):
    pass


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    database = parsed.database or ""
    return Path(database) if database and database != ":memory:" else None


def existing_store_url(explicit: str | None) -> str:
    """The URL of a store that exists; ``NoStore`` with the places looked at otherwise."""
    candidates = [explicit] if explicit else [default_db_url()]
    if not explicit and default_db_url() == f"sqlite:///{(var_dir() / 'sistercity.db').resolve()}":
        candidates.append(f"sqlite:///{(DEMO_DIR / 'sistercity.db').resolve()}")
    looked = []
    for url in candidates:
        path = _sqlite_path(url)
        if path is None or path.exists():
            return url
        looked.append(str(path))
    raise NoStore(
        "no store found (looked at " + ", ".join(looked) + "); run `sistercity crawl` or "
        "`make demo` first, or pass --db"
    )


def existing_store_url_or_say(explicit: str | None, command: str) -> str | None:
    """``existing_store_url``, or None after saying on stderr where ``command`` looked."""
    try:
        return existing_store_url(explicit)
    except NoStore as exc:
        print(f"sistercity {command}: {exc}", file=sys.stderr)
        return None
