"""The diff store: story versions, the partnership register with its change log, crawl runs, and
the Atom feeds built from them. Nothing here imports Scrapy."""

from storage.db import open_engine, upgrade
from storage.repository import Change, StoreConfig, StoryStore

__all__ = ["Change", "StoreConfig", "StoryStore", "open_engine", "upgrade"]
