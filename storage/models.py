"""The store's tables (SQLAlchemy 2.x typed declarative models).

- ``stories`` is a story's identity; ``story_versions`` are append-only, written only when the
  normalized content changes; ``raw_pages`` keep each version's responses, gzip-compressed.
- ``places`` and ``partnerships`` are the register: one partnership per unordered pair of places.
  ``claims`` are the evidence: one row per field value a story version states about a pair.
  ``events`` group claims of the same happening. ``changes`` is the append-only change log and
  ``change_evidence`` ties each change to the story versions behind it.
- ``network_sizes`` are dated observations ("86 cities in 48 countries").
- ``crawl_runs``, ``site_runs`` and ``fetch_errors`` record what each crawl did.
- ``retry_queue`` holds the pages a crawl could not get (articles and listing pages), each with
  its next try; every crawl of the site fetches the due ones first, a success removes them.
- ``feed_outbox`` and ``feed_state`` let a feed rebuild touch only what changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.db import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class StoryRecord(Base):
    __tablename__ = "stories"
    __table_args__ = (UniqueConstraint("site", "canonical_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)  # Story.story_id
    site: Mapped[str] = mapped_column(String(64), index=True)
    canonical_url: Mapped[str] = mapped_column(String(2000))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    latest_version: Mapped[int] = mapped_column(Integer, default=1)


class StoryVersion(Base):
    __tablename__ = "story_versions"
    __table_args__ = (
        UniqueConstraint("story_id", "version"),
        # Covers the story feeds' filter, so they count and page without reading the versions.
        Index(
            "ix_story_versions_feed", "story_id", "is_partnership_story", "cause", "duplicate_of"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    version: Mapped[int]
    cause: Mapped[str] = mapped_column(String(16))  # new, edit (publisher) or reparse (our parser)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    fetched_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    raw_hash: Mapped[str] = mapped_column(String(64))
    parser_version: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    subtitle: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None]
    published_source: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    byline: Mapped[str | None] = mapped_column(Text)
    body: Mapped[list[Any]]
    captions: Mapped[list[Any]]
    pages: Mapped[list[Any]]
    extraction: Mapped[str] = mapped_column(String(16))
    # Derived by the understanding stage; may be refreshed in place by `sistercity reprocess`.
    is_partnership_story: Mapped[bool | None] = mapped_column(Boolean)
    confidence: Mapped[float | None] = mapped_column(Float)
    partnerships: Mapped[list[Any]]
    network_sizes: Mapped[list[Any]]
    event_keys: Mapped[list[Any]]
    duplicate_of: Mapped[str | None] = mapped_column(String(300))
    duplicate_kind: Mapped[str | None] = mapped_column(String(16))
    # Paragraph diff against the previous version (storage.diff), None for version 1.
    diff: Mapped[dict[str, Any] | None]


class RawPageRecord(Base):
    __tablename__ = "raw_pages"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("story_versions.id"))
    position: Mapped[int]
    url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[int]
    headers: Mapped[dict[str, Any]]
    body_gz: Mapped[bytes] = mapped_column(LargeBinary)


class PlaceRecord(Base):
    __tablename__ = "places"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # geonames:1797929
    name: Mapped[str] = mapped_column(String(200))
    local_name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    level: Mapped[str | None] = mapped_column(String(16))
    parent: Mapped[str | None] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)  # fixed at first sight: feed URL


class Partnership(Base):
    __tablename__ = "partnerships"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(401), unique=True)  # "<place a id>|<place b id>"
    place_a_id: Mapped[str] = mapped_column(ForeignKey("places.id"), index=True)
    place_b_id: Mapped[str] = mapped_column(ForeignKey("places.id"), index=True)
    relation: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(16))
    began: Mapped[str | None] = mapped_column(String(10))  # YYYY or YYYY-MM-DD
    latest_event: Mapped[str | None] = mapped_column(String(16))
    latest_event_date: Mapped[str | None] = mapped_column(String(10))
    first_reported: Mapped[datetime]
    last_reported: Mapped[datetime]
    retracted: Mapped[bool] = mapped_column(Boolean, default=False)
    change_count: Mapped[int] = mapped_column(Integer, default=0)


class Claim(Base):
    """One field value one story version states about one partnership: the evidence."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_partnership_active", "partnership_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("story_versions.id"), index=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    source: Mapped[str] = mapped_column(String(300))  # story key, or the story it duplicates
    field: Mapped[str] = mapped_column(String(16))  # relation, status, began, event
    value: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    reported_at: Mapped[datetime]
    well_supported: Mapped[bool] = mapped_column(Boolean)
    sentence: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    event_date: Mapped[str | None] = mapped_column(String(10))  # as stated by the sources
    anchor_date: Mapped[str] = mapped_column(
        String(10)
    )  # event date, else story date: for grouping
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ChangeRecord(Base):
    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(420), unique=True)  # "<partnership key>/<n>": tag id
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    kind: Mapped[str] = mapped_column(
        String(16)
    )  # new, field, event, conflict, retraction, reinstated
    field: Mapped[str | None] = mapped_column(String(16))
    old_value: Mapped[str | None] = mapped_column(String(32))
    new_value: Mapped[str | None] = mapped_column(String(32))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    relation: Mapped[str | None] = mapped_column(String(32))  # the pair's relation at the time
    at: Mapped[datetime]
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)


class ChangeEvidence(Base):
    __tablename__ = "change_evidence"

    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("story_versions.id"), primary_key=True)


class NetworkSize(Base):
    __tablename__ = "network_sizes"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[str] = mapped_column(ForeignKey("places.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("story_versions.id"), index=True)
    cities: Mapped[int | None]
    countries: Mapped[int | None]
    as_of: Mapped[str | None] = mapped_column(String(10))
    sentence: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # running, ok, failed, interrupted…
    sites: Mapped[list[Any]]


class SiteRun(Base):
    __tablename__ = "site_runs"
    __table_args__ = (UniqueConstraint("run_id", "site"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    site: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    requests: Mapped[int] = mapped_column(Integer, default=0)
    responses_by_status: Mapped[dict[str, Any]]
    stories_new: Mapped[int] = mapped_column(Integer, default=0)
    stories_changed: Mapped[int] = mapped_column(Integer, default=0)
    stories_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    stories_error: Mapped[int] = mapped_column(Integer, default=0)
    partnerships_new: Mapped[int] = mapped_column(Integer, default=0)
    partnerships_changed: Mapped[int] = mapped_column(Integer, default=0)
    extraction: Mapped[dict[str, Any]]
    errors: Mapped[int] = mapped_column(Integer, default=0)
    duration: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[list[Any]]


class FetchError(Base):
    __tablename__ = "fetch_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    site: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class RetryEntry(Base):
    """A page that failed and must be fetched again: one row per (site, URL)."""

    __tablename__ = "retry_queue"
    __table_args__ = (
        UniqueConstraint("site", "url"),
        Index("ix_retry_queue_due", "site", "next_try"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(16))  # article or listing
    reason: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed: Mapped[datetime]
    last_failed: Mapped[datetime]
    next_try: Mapped[datetime]


class FeedOutbox(Base):
    """Every change or story version that feeds must show, in the order it happened."""

    __tablename__ = "feed_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("story_versions.id"))


class FeedState(Base):
    """What each feed file last contained, so a rebuild rewrites only what changed."""

    __tablename__ = "feed_state"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer, default=0)
    archive_pages: Mapped[int] = mapped_column(Integer, default=0)
    # The newest entries as index.html lists them ([title, link, date]), kept when the feed is
    # built so the index never re-reads the history; None until then.
    latest: Mapped[list[Any] | None]


class StoreMeta(Base):
    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
