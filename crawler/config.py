"""Where things live when no option says otherwise: one place for the default paths."""

from __future__ import annotations

import os
from pathlib import Path


def var_dir() -> Path:
    """The working directory for the store, feeds, logs and lock (``SISTERCITY_VAR_DIR``, else ./var)."""
    return Path(os.environ.get("SISTERCITY_VAR_DIR", "var"))


def default_db_url() -> str:
    return (
        os.environ.get("SISTERCITY_DB_URL")
        or f"sqlite:///{(var_dir() / 'sistercity.db').resolve()}"
    )


def default_feeds_dir() -> Path:
    return Path(os.environ.get("SISTERCITY_FEEDS_DIR") or var_dir() / "feeds")
