"""``StoryStore``: the one way in and out of the store.

``record(story)`` files one fetched story and says what it did to the store (urlwatch's job
states): ``new``, ``changed`` (the publisher edited it), ``unchanged`` or ``error``. A version is
written only when the normalized content changes; when only our parsing changed (the same raw
bytes, other text) the version is written with cause ``reparse`` and the fetch counts as
unchanged, so a parser upgrade never looks like an edit.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import open_engine, upgrade
from storage.diff import paragraph_diff
from storage.garbled import GARBLED_LIMIT, garbled_share
from storage.models import (
    ChangeEvidence,
    ChangeRecord,
    CrawlRun,
    FeedOutbox,
    FetchError,
    NetworkSize,
    Partnership,
    RawPageRecord,
    RetryEntry,
    SiteRun,
    StoryRecord,
    StoryVersion,
)
from storage.register import Register, RegisterConfig

logger = logging.getLogger(__name__)

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
# Fields the understanding stage derives. When the text is unchanged but the first four differ
# (a reprocess, a better classifier), the version's derived fields are refreshed in place; the
# last three depend on what else a run saw, so alone they never trigger a refresh.
DERIVED_FIELDS = (
    "is_partnership_story",
    "confidence",
    "partnerships",
    "network_sizes",
    "event_keys",
    "duplicate_of",
    "duplicate_kind",
)
UNDERSTANDING_FIELDS = DERIVED_FIELDS[:4]


@dataclass(frozen=True, kw_only=True)
class SeenAgain:
    """A story fetched again with the bytes of its stored latest version, parsed by the same
    parser version: nothing to parse or file, only the sighting (``last_seen``, the run's
    unchanged count). The crawler sends it instead of the story to skip parse and pipelines."""

    site: str
    canonical_url: str
    url: str
    fetched_at: datetime


class StoryRejected(ValueError):
    """The story cannot be filed as it is (missing URL, naive date…): recorded as an error."""


@dataclass(frozen=True, kw_only=True)
class StoreConfig:
    """Register rules; the Scrapy settings SISTERCITY_EVENT_WINDOW_DAYS etc. map onto these."""

    event_window_days: int = 7
    min_confidence: float = 0.5
    # Leave every touched pair for settle_pending, as a crawl run does, even for stories filed
    # without a run: a plain `scrapy crawl` settles once at the end, so its change log does not
    # depend on the order stories arrive in either.
    settle_at_end: bool = False


@dataclass(kw_only=True)
class Change:
    """What ``record`` did: ``kind`` is new, changed, unchanged or error."""

    kind: str
    story_key: str = ""
    version: int | None = None
    reparsed: bool = False
    reason: str = ""
    partnership_changes: list[str] = field(default_factory=list)
    partnerships_new: int = 0
    partnerships_changed: int = 0


@dataclass(kw_only=True)
class StoredPage:
    """A raw response read back from the store (same shape as ``crawler.scraping.items.RawPage``)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes


def content_hash(title: str, body: Sequence[str]) -> str:
    """Fallback content hash when the normalize stage did not set one."""
    payload = json.dumps([title, list(body)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def raw_hash(pages: Iterable[Any]) -> str:
    digest = hashlib.sha256()
    for page in pages:
        digest.update(page.url.encode("utf-8"))
        digest.update(b"\0")
        digest.update(page.body)
        digest.update(b"\0")
    return digest.hexdigest()


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise StoryRejected(f"{name} is a naive datetime; the store needs a time zone")
    return value


class StoryStore:
    """Repository over one database. Open with ``StoryStore.open(url)``; close when done."""

    def __init__(self, url: str, config: StoreConfig | None = None, *, migrate: bool = True):
        if migrate:
            upgrade(url)
        self.url = url
        self.config = config or StoreConfig()
        self.engine = open_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(
        cls, url: str, config: StoreConfig | None = None, *, migrate: bool = True
    ) -> StoryStore:
        return cls(url, config, migrate=migrate)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> StoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    def _register(self, session: Session) -> Register:
        return Register(
            session,
            RegisterConfig(
                event_window_days=self.config.event_window_days,
                min_confidence=self.config.min_confidence,
            ),
        )

    # --- stories -------------------------------------------------------------------------
    def record(self, story: Any, run_id: int | None = None) -> Change:
        """File one story (a ``crawler.scraping.items.Story``) and apply its claims to the register."""
        if isinstance(story, SeenAgain):
            with self.session() as session:
                return self._seen_again(session, story, run_id)
        try:
            self._validate(story)
        except StoryRejected as exc:
            self.record_error(
                run_id, getattr(story, "url", "") or "", str(exc), site=getattr(story, "site", None)
            )
            return Change(
                kind=ERROR, story_key=getattr(story, "story_id", "") or "", reason=str(exc)
            )
        with self.session() as session:
            change = self._record(session, story, run_id)
            if run_id is not None:
                self._count(session, run_id, story.site, change)
        return change

    def record_many(self, stories: Sequence[Any], run_id: int | None = None) -> list[Change]:
        """File ``stories`` in order in one transaction: one commit (one fsync) for the batch.

        Same result as calling ``record`` on each. When the batch fails as a whole (a story the
        database refuses, a row another process wrote meanwhile), it is rolled back and each
        story is filed again on its own, so one bad story costs its batch only time."""
        if len(stories) <= 1:
            return [self.record(story, run_id) for story in stories]
        try:
            with self.session() as session:
                changes = []
                counted: list[tuple[str, Change]] = []
                for story in stories:
                    if isinstance(story, SeenAgain):
                        changes.append(self._seen_again(session, story, None))
                        counted.append((story.site, changes[-1]))
                        continue
                    try:
                        self._validate(story)
                    except StoryRejected as exc:
                        changes.append(self._reject(session, story, run_id, exc))
                        continue
                    changes.append(self._record(session, story, run_id))
                    counted.append((story.site, changes[-1]))
                if run_id is not None:
                    # One update per site for the batch instead of one per story.
                    for site in sorted({site for site, _ in counted}):
                        mine = [c for s, c in counted if s == site]
                        self._count(session, run_id, site, *mine)
                return changes
        except Exception:  # noqa: BLE001 - whatever failed, filing one by one tells which
            logger.warning("A batch of %d stories failed; filing them one by one", len(stories))
            return [self._record_alone(story, run_id) for story in stories]

    def _record_alone(self, story: Any, run_id: int | None) -> Change:
        try:
            try:
                return self.record(story, run_id)
            except IntegrityError:
                # Another process sharing the store (a crawl's other worker) inserted the same
                # place or pair meanwhile; filed again, the story finds that row.
                return self.record(story, run_id)
        except Exception as exc:  # noqa: BLE001 - one story must not stop the others
            logger.exception("Could not store %s", getattr(story, "url", story))
            reason = f"{type(exc).__name__}: {exc}"
            self.record_error(run_id, getattr(story, "url", "") or "", reason, story.site)
            return Change(kind=ERROR, story_key=getattr(story, "story_id", "") or "", reason=reason)

    def _seen_again(self, session: Session, seen: SeenAgain, run_id: int | None) -> Change:
        _aware(seen.fetched_at, "fetched_at")
        row = session.scalars(
            select(StoryRecord).where(
                StoryRecord.site == seen.site, StoryRecord.canonical_url == seen.canonical_url
            )
        ).one_or_none()
        if row is None:
            raise StoryRejected(f"{seen.canonical_url} was seen again but is not in the store")
        row.last_seen = max(row.last_seen, seen.fetched_at)
        change = Change(kind=UNCHANGED, story_key=row.key, version=row.latest_version)
        if run_id is not None:
            self._count(session, run_id, seen.site, change)
        return change

    def page_fingerprints(self, site: str) -> dict[str, tuple[str, str, int]]:
        """canonical URL -> (raw hash, parser version, number of pages) of each of ``site``'s
        latest versions: what a fetch must match to be filed as seen again without parsing."""
        with self.sessions() as session:
            rows = session.execute(
                select(
                    StoryRecord.canonical_url,
                    StoryVersion.raw_hash,
                    StoryVersion.parser_version,
                    StoryVersion.pages,
                )
                .join(
                    StoryVersion,
                    and_(
                        StoryVersion.story_id == StoryRecord.id,
                        StoryVersion.version == StoryRecord.latest_version,
                    ),
                )
                .where(StoryRecord.site == site)
            )
            return {url: (rhash, parser, len(pages)) for url, rhash, parser, pages in rows}

    def _reject(self, session: Session, story: Any, run_id: int | None, exc: Exception) -> Change:
        site = getattr(story, "site", None)
        url = getattr(story, "url", "") or ""
        session.add(FetchError(run_id=run_id, site=site, url=url, reason=str(exc), at=_now()))
        if run_id is not None and site:
            site_run = self._site_run(session, run_id, site)
            site_run.stories_error += 1
            site_run.errors += 1
        return Change(kind=ERROR, story_key=getattr(story, "story_id", "") or "", reason=str(exc))

    def _validate(self, story: Any) -> None:
        for name in ("site", "url", "canonical_url"):
            if not getattr(story, name, None):
                raise StoryRejected(f"story has no {name}")
        if not story.title and not story.body:
            raise StoryRejected("story has neither title nor body")
        # Mojibake from a wrong charset must never reach the register or the feeds (it would
        # read as the story withdrawing its claims): the version is quarantined and refetched.
        garbled = garbled_share(" ".join([story.title or "", *story.body]))
        if garbled > GARBLED_LIMIT:
            raise StoryRejected(
                f"garbled text ({garbled:.0%} replacement characters or mojibake): quarantined"
            )
        _aware(story.fetched_at, "fetched_at")
        _aware(story.published, "published")

    def _defer(self, run_id: int | None) -> bool:
        return run_id is not None or self.config.settle_at_end

    def _record(self, session: Session, story: Any, run_id: int | None) -> Change:
        key = (
            story.story_id
            or f"{story.site}/{hashlib.sha1(story.canonical_url.encode()).hexdigest()}"
        )
        chash = story.content_hash or content_hash(story.title, story.body)
        rhash = raw_hash(story.raw)
        row = session.scalars(
            select(StoryRecord).where(
                StoryRecord.site == story.site, StoryRecord.canonical_url == story.canonical_url
            )
        ).one_or_none()
        if row is None:
            row = session.scalars(select(StoryRecord).where(StoryRecord.key == key)).one_or_none()
        register = self._register(session)
        if row is None:
            row = StoryRecord(
                key=key,
                site=story.site,
                canonical_url=story.canonical_url,
                first_seen=story.fetched_at,
                last_seen=story.fetched_at,
                latest_version=1,
            )
            session.add(row)
            session.flush()
            version = self._write_version(session, row, story, 1, "new", chash, rhash, None, run_id)
            result = register.apply(row, version, defer=self._defer(run_id))
            return Change(kind=NEW, story_key=row.key, version=1, **result)
        latest = self._latest_version(session, row.id)
        row.last_seen = max(row.last_seen, story.fetched_at)
        if chash == latest.content_hash:
            if all(
                getattr(latest, name) == _plain(getattr(story, name))
                for name in UNDERSTANDING_FIELDS
            ):
                return Change(kind=UNCHANGED, story_key=row.key, version=latest.version)
            # Same text, new understanding (a reprocess or a better classifier): refresh the
            # derived fields of the version in place and re-apply its claims.
            for name in DERIVED_FIELDS:
                setattr(latest, name, _plain(getattr(story, name)))
            session.add(FeedOutbox(version_id=latest.id))  # it may now belong in the feeds
            session.flush()
            result = register.apply(row, latest, defer=self._defer(run_id))
            return Change(kind=UNCHANGED, story_key=row.key, version=latest.version, **result)
        # Same bytes from the site, different text: our parsing changed, not the story.
        reparse = rhash == latest.raw_hash
        diff = paragraph_diff(latest.title, list(latest.body), story.title, list(story.body))
        number = latest.version + 1
        version = self._write_version(
            session,
            row,
            story,
            number,
            "reparse" if reparse else "edit",
            chash,
            rhash,
            diff,
            run_id,
        )
        row.latest_version = number
        result = register.apply(row, version, defer=self._defer(run_id))
        kind = UNCHANGED if reparse else CHANGED
        return Change(kind=kind, story_key=row.key, version=number, reparsed=reparse, **result)

    def _write_version(
        self,
        session: Session,
        row: StoryRecord,
        story: Any,
        number: int,
        cause: str,
        chash: str,
        rhash: str,
        diff: dict[str, Any] | None,
        run_id: int | None,
    ) -> StoryVersion:
        version = StoryVersion(
            story_id=row.id,
            version=number,
            cause=cause,
            run_id=run_id,
            fetched_at=story.fetched_at,
            content_hash=chash,
            raw_hash=rhash,
            parser_version=story.parser_version or "unknown",
            url=story.url,
            title=story.title,
            subtitle=story.subtitle,
            published=story.published,
            published_source=story.published_source,
            language=story.language,
            byline=story.byline,
            body=list(story.body),
            captions=list(story.captions),
            pages=list(story.pages),
            extraction=story.extraction,
            diff=diff,
            **{name: _plain(getattr(story, name)) for name in DERIVED_FIELDS},
        )
        session.add(version)
        session.flush()
        if cause != "reparse":
            session.add(FeedOutbox(version_id=version.id))
        for position, page in enumerate(story.raw):
            session.add(
                RawPageRecord(
                    version_id=version.id,
                    position=position,
                    url=page.url,
                    status=page.status,
                    headers=dict(page.headers),
                    body_gz=gzip.compress(page.body, mtime=0),
                )
            )
        return version

    @staticmethod
    def _latest_version(session: Session, story_pk: int) -> StoryVersion:
        return session.scalars(
            select(StoryVersion)
            .where(StoryVersion.story_id == story_pk)
            .order_by(StoryVersion.version.desc())
            .limit(1)
        ).one()

    def record_error(
        self, run_id: int | None, url: str, reason: str, site: str | None = None
    ) -> None:
        """A fetch or parse that ended in an error: kept with its run, counted for its site."""
        with self.session() as session:
            session.add(FetchError(run_id=run_id, site=site, url=url, reason=reason, at=_now()))
            if run_id is not None and site:
                site_run = self._site_run(session, run_id, site)
                site_run.stories_error += 1
                site_run.errors += 1

    def history(self, story_key: str) -> list[StoryVersion]:
        """Every version of a story, oldest first."""
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(StoryVersion)
                    .join(StoryRecord, StoryVersion.story_id == StoryRecord.id)
                    .where(StoryRecord.key == story_key)
                    .order_by(StoryVersion.version)
                )
            )

    def latest(self, story_key: str) -> StoryVersion | None:
        versions = self.history(story_key)
        return versions[-1] if versions else None

    def story(self, story_key: str) -> StoryRecord | None:
        with self.sessions() as session:
            return session.scalars(
                select(StoryRecord).where(StoryRecord.key == story_key)
            ).one_or_none()

    def raw_pages(self, version_id: int) -> list[StoredPage]:
        with self.sessions() as session:
            rows = session.scalars(
                select(RawPageRecord)
                .where(RawPageRecord.version_id == version_id)
                .order_by(RawPageRecord.position)
            )
            return [
                StoredPage(
                    url=r.url,
                    status=r.status,
                    headers=dict(r.headers),
                    body=gzip.decompress(r.body_gz),
                )
                for r in rows
            ]

    def latest_versions(
        self, site: str | None = None, since: date | None = None
    ) -> list[tuple[StoryRecord, StoryVersion]]:
        """Each story's latest version (optionally for one site, or last seen since a date)."""
        with self.sessions() as session:
            query = (
                select(StoryRecord, StoryVersion)
                .join(StoryVersion, StoryVersion.story_id == StoryRecord.id)
                .where(StoryVersion.version == StoryRecord.latest_version)
                .order_by(StoryRecord.id)
            )
            if site:
                query = query.where(StoryRecord.site == site)
            if since:
                query = query.where(
                    StoryRecord.last_seen >= datetime.combine(since, datetime.min.time(), UTC)
                )
            return [(s, v) for s, v in session.execute(query)]

    def known_canonical_urls(self, site: str) -> set[str]:
        with self.sessions() as session:
            return set(
                session.scalars(select(StoryRecord.canonical_url).where(StoryRecord.site == site))
            )

    def latest_version_id(self) -> int:
        """The id of the newest story version (0 in an empty store): it changes whenever a
        story is added or changed, so it tells whether the stories read earlier are current."""
        with self.sessions() as session:
            return int(session.scalar(select(func.max(StoryVersion.id))) or 0)

    def fingerprint_records(self, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """The latest version of every story, oldest story first, for the dedupe stage's
        cross-run index. With ``since``, a story first seen before it comes with its URL and
        content hash only (title "" and body []): near copies appear within days of each other,
        while exact copies are still caught by the hash, so only recent text is worth hashing."""
        if since is not None and since.tzinfo is None:
            raise ValueError("fingerprint_records: since must be timezone-aware")
        with self.sessions() as session:
            latest = and_(
                StoryVersion.story_id == StoryRecord.id,
                StoryVersion.version == StoryRecord.latest_version,
            )
            texts: dict[int, tuple[str, list[Any]]] = {}
            recent = select(StoryRecord.id, StoryVersion.title, StoryVersion.body).join(
                StoryVersion, latest
            )
            if since is not None:
                recent = recent.where(StoryRecord.first_seen >= since)
            for story_id, title, body in session.execute(recent):
                texts[story_id] = (title, list(body))
            query = (
                select(
                    StoryRecord.id,
                    StoryRecord.key,
                    StoryRecord.site,
                    StoryRecord.canonical_url,
                    StoryVersion.content_hash,
                )
                .join(StoryVersion, latest)
                .order_by(StoryRecord.id)
            )
            for story_id, key, site, canonical_url, content_hash in session.execute(query):
                title, body = texts.get(story_id, ("", []))
                yield {
                    "story_id": key,
                    "site": site,
                    "canonical_url": canonical_url,
                    "content_hash": content_hash,
                    "title": title,
                    "body": body,
                }

    # --- register reads ------------------------------------------------------------------
    def partnerships(self) -> list[Partnership]:
        with self.sessions() as session:
            return list(session.scalars(select(Partnership).order_by(Partnership.key)))

    def partnership(self, key: str) -> Partnership | None:
        with self.sessions() as session:
            return session.scalars(select(Partnership).where(Partnership.key == key)).one_or_none()

    def changes(self, partnership_key: str | None = None) -> list[ChangeRecord]:
        """The change log, oldest first."""
        with self.sessions() as session:
            query = select(ChangeRecord).order_by(ChangeRecord.id)
            if partnership_key:
                query = query.join(
                    Partnership, ChangeRecord.partnership_id == Partnership.id
                ).where(Partnership.key == partnership_key)
            return list(session.scalars(query))

    def change_evidence(self, change_key: str) -> list[tuple[str, int]]:
        """(story key, version) pairs behind a change."""
        from storage.models import ChangeEvidence

        with self.sessions() as session:
            query = (
                select(StoryRecord.key, StoryVersion.version)
                .join(StoryVersion, StoryVersion.story_id == StoryRecord.id)
                .join(ChangeEvidence, ChangeEvidence.version_id == StoryVersion.id)
                .join(ChangeRecord, ChangeRecord.id == ChangeEvidence.change_id)
                .where(ChangeRecord.key == change_key)
                .order_by(StoryRecord.key, StoryVersion.version)
            )
            return [(k, v) for k, v in session.execute(query)]

    def field_evidence(self, partnership_key: str) -> dict[str, dict[str, list[str]]]:
        """For each field, each value still supported and the story versions behind it."""
        with self.sessions() as session:
            return self._register(session).field_evidence(partnership_key)

    def network_sizes(self, place_id: str) -> list[NetworkSize]:
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(NetworkSize)
                    .where(NetworkSize.place_id == place_id, NetworkSize.active.is_(True))
                    .order_by(NetworkSize.as_of, NetworkSize.id)
                )
            )

    def register_snapshot(self) -> dict[str, Any]:
        """The whole register as plain data: what SQLite and PostgreSQL must agree on."""
        with self.sessions() as session:
            return self._register(session).snapshot()

    # --- crawl runs ----------------------------------------------------------------------
    def settle_pending(self) -> int:
        """Settle the pairs a crawl run's stories touched (stories filed with a ``run_id`` leave
        them pending, so the run's change log does not depend on the order they arrived in);
        each changed pair counts once for every site that reported it in the batch. Returns
        the number of changes logged."""
        with self.session() as session:
            logged = self._register(session).settle_pending()
            counted: set[tuple[int, int, str]] = set()
            for pid, changes in logged.items():
                if not changes or any(c.kind == "new" for c in changes):
                    continue
                for change in changes:
                    for run_id, site in session.execute(
                        select(StoryVersion.run_id, StoryRecord.site)
                        .join(StoryRecord, StoryVersion.story_id == StoryRecord.id)
                        .join(ChangeEvidence, ChangeEvidence.version_id == StoryVersion.id)
                        .where(ChangeEvidence.change_id == change.id)
                    ):
                        if run_id is None or (pid, run_id, site) in counted:
                            continue
                        counted.add((pid, run_id, site))
                        row = self._site_run(session, run_id, site)
                        row.partnerships_changed += 1
            return sum(len(c) for c in logged.values())

    def start_run(self, sites: Sequence[str], started_at: datetime | None = None) -> int:
        with self.session() as session:
            run = CrawlRun(started_at=started_at or _now(), status="running", sites=sorted(sites))
            session.add(run)
            session.flush()
            for site in sorted(sites):
                self._site_run(session, run.id, site)
            return run.id

    def finish_site_run(self, run_id: int, site: str, stats: dict[str, Any]) -> None:
        """Store a site's crawl statistics. Keys (all optional): started_at, finished_at,
        requests, responses_by_status, stories {new, changed, unchanged, error},
        partnerships {new, changed}, extraction, errors (or errors_add, added to the errors
        the store counted itself), duration, flags. Story and
        partnership counts the store counted itself are kept unless given here."""
        with self.session() as session:
            row = self._site_run(session, run_id, site)
            if stats.get("finished_at") or row.finished_at is None:
                row.finished_at = stats.get("finished_at") or _now()
            if stats.get("started_at"):
                row.started_at = stats["started_at"]
            for name in ("requests", "errors"):
                if name in stats:
                    setattr(row, name, int(stats[name]))
            if stats.get("errors_add"):
                row.errors += int(stats["errors_add"])
            for name in ("responses_by_status", "extraction"):
                if name in stats:
                    setattr(
                        row, name, {str(k): int(v) for k, v in sorted(dict(stats[name]).items())}
                    )
            for group in ("stories", "partnerships"):
                for verb, value in dict(stats.get(group) or {}).items():
                    setattr(row, f"{group}_{verb}", int(value))
            if "flags" in stats:
                row.flags = list(stats["flags"])
            if stats.get("duration") is not None:
                row.duration = float(stats["duration"])
            elif row.duration is None and row.finished_at is not None:
                row.duration = (row.finished_at - row.started_at).total_seconds()

    def finish_run(self, run_id: int, status: str) -> None:
        self.settle_pending()  # the run's change log, once all its stories are in
        with self.session() as session:
            run = session.get(CrawlRun, run_id)
            if run is None:
                raise KeyError(f"no crawl run {run_id}")
            run.status = status
            run.finished_at = _now()

    def recent_site_runs(self, site: str, n: int = 10) -> list[SiteRun]:
        """The site's last ``n`` runs, newest first."""
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(SiteRun)
                    .where(SiteRun.site == site)
                    .order_by(SiteRun.run_id.desc())
                    .limit(n)
                )
            )

    def new_story_times(self, site: str) -> list[datetime]:
        """When each of the site's stories was first seen, oldest first."""
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(StoryRecord.first_seen)
                    .where(StoryRecord.site == site)
                    .order_by(StoryRecord.first_seen)
                )
            )

    def open_flags(self) -> list[dict[str, Any]]:
        """Health flags of each site's most recent finished run (what ``health.atom`` shows)."""
        with self.sessions() as session:
            latest = (
                select(SiteRun.site, func.max(SiteRun.run_id).label("run_id"))
                .where(SiteRun.finished_at.is_not(None))
                .group_by(SiteRun.site)
                .subquery()
            )
            rows = session.scalars(
                select(SiteRun)
                .join(
                    latest, and_(SiteRun.site == latest.c.site, SiteRun.run_id == latest.c.run_id)
                )
                .order_by(SiteRun.site)
            )
            return [dict(flag) for row in rows for flag in (row.flags or [])]

    def run(self, run_id: int) -> CrawlRun | None:
        with self.sessions() as session:
            return session.get(CrawlRun, run_id)

    def fetch_errors(self, run_id: int) -> list[FetchError]:
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(FetchError).where(FetchError.run_id == run_id).order_by(FetchError.id)
                )
            )

    @staticmethod
    def _site_run(session: Session, run_id: int, site: str) -> SiteRun:
        row = session.scalars(
            select(SiteRun).where(SiteRun.run_id == run_id, SiteRun.site == site)
        ).one_or_none()
        if row is None:
            row = SiteRun(
                run_id=run_id,
                site=site,
                started_at=_now(),
                requests=0,
                responses_by_status={},
                extraction={},
                flags=[],
                stories_new=0,
                stories_changed=0,
                stories_unchanged=0,
                stories_error=0,
                partnerships_new=0,
                partnerships_changed=0,
                errors=0,
            )
            session.add(row)
            session.flush()
        return row

    def _count(self, session: Session, run_id: int, site: str, *changes: Change) -> None:
        row = self._site_run(session, run_id, site)
        kinds: dict[str, int] = {}
        for change in changes:
            kinds[change.kind] = kinds.get(change.kind, 0) + 1
        values: dict[str, Any] = {
            f"stories_{kind}": getattr(SiteRun, f"stories_{kind}") + n for kind, n in kinds.items()
        }
        values["partnerships_new"] = SiteRun.partnerships_new + sum(
            c.partnerships_new for c in changes
        )
        values["partnerships_changed"] = SiteRun.partnerships_changed + sum(
            c.partnerships_changed for c in changes
        )
        session.execute(update(SiteRun).where(SiteRun.id == row.id).values(values))

    # --- retry queue ---------------------------------------------------------------------
    def fetch_failed(
        self,
        run_id: int | None,
        site: str,
        url: str,
        reason: str,
        kind: str = "article",
        now: datetime | None = None,
        backoff: timedelta = timedelta(hours=1),
        max_backoff: timedelta = timedelta(days=1),
    ) -> RetryEntry:
        """A page the crawl could not get: kept as a fetch error of the run (counted in the
        site's errors) and queued for the next crawls. The first retry is due at once (the
        next run); each further failure waits ``backoff * 2**(attempts - 2)``, at most
        ``max_backoff``."""
        now = now or _now()
        with self.session() as session:
            session.add(FetchError(run_id=run_id, site=site, url=url, reason=reason, at=now))
            if run_id is not None:
                site_run = self._site_run(session, run_id, site)
                site_run.errors += 1
                if kind == "article":
                    site_run.stories_error += 1
            return self._queue(session, site, url, reason, kind, now, backoff, max_backoff)

    def queue_retry(
        self,
        site: str,
        url: str,
        reason: str,
        kind: str = "article",
        now: datetime | None = None,
        backoff: timedelta = timedelta(hours=1),
        max_backoff: timedelta = timedelta(days=1),
    ) -> RetryEntry:
        """Queue a page for the next crawls without counting an error (already counted)."""
        with self.session() as session:
            return self._queue(
                session, site, url, reason, kind, now or _now(), backoff, max_backoff
            )

    @staticmethod
    def _queue(
        session: Session,
        site: str,
        url: str,
        reason: str,
        kind: str,
        now: datetime,
        backoff: timedelta,
        max_backoff: timedelta,
    ) -> RetryEntry:
        entry = session.scalars(
            select(RetryEntry).where(RetryEntry.site == site, RetryEntry.url == url)
        ).one_or_none()
        if entry is None:
            entry = RetryEntry(
                site=site,
                url=url,
                kind=kind,
                reason=reason,
                attempts=1,
                first_failed=now,
                last_failed=now,
                next_try=now,
            )
            session.add(entry)
        else:
            entry.attempts += 1
            entry.reason = reason
            entry.kind = kind
            entry.last_failed = now
            entry.next_try = now + min(backoff * 2 ** (entry.attempts - 2), max_backoff)
        session.flush()
        return entry

    def due_retries(
        self, site: str, now: datetime | None = None, limit: int | None = None
    ) -> list[RetryEntry]:
        """The site's queued pages whose next try has come, longest waiting first."""
        with self.sessions() as session:
            query = (
                select(RetryEntry)
                .where(RetryEntry.site == site, RetryEntry.next_try <= (now or _now()))
                .order_by(RetryEntry.next_try, RetryEntry.id)
            )
            if limit is not None:
                query = query.limit(limit)
            return list(session.scalars(query))

    def retry_done(self, site: str, urls: Iterable[str]) -> int:
        """Take pages fetched at last off the queue; how many were queued."""
        wanted = sorted(set(urls))
        if not wanted:
            return 0
        with self.session() as session:
            rows = list(
                session.scalars(
                    select(RetryEntry).where(RetryEntry.site == site, RetryEntry.url.in_(wanted))
                )
            )
            for row in rows:
                session.delete(row)
            return len(rows)

    def retry_queue(self, site: str | None = None) -> list[RetryEntry]:
        with self.sessions() as session:
            query = select(RetryEntry).order_by(RetryEntry.site, RetryEntry.next_try)
            if site:
                query = query.where(RetryEntry.site == site)
            return list(session.scalars(query))

    def retry_queue_sizes(self) -> dict[str, int]:
        """Queued pages per site."""
        with self.sessions() as session:
            query = select(RetryEntry.site, func.count(RetryEntry.id)).group_by(RetryEntry.site)
            return {site: int(n) for site, n in session.execute(query)}

    def revisit_candidates(self, site: str, since: datetime, limit: int) -> list[str]:
        """URLs (as last fetched) of the site's stories published (else first seen) since
        ``since``, least recently fetched first: what a crawl re-checks beyond the listing's
        first pages."""
        if limit <= 0:
            return []
        with self.sessions() as session:
            query = (
                select(StoryVersion.url)
                .select_from(StoryRecord)
                .join(
                    StoryVersion,
                    and_(
                        StoryVersion.story_id == StoryRecord.id,
                        StoryVersion.version == StoryRecord.latest_version,
                    ),
                )
                .where(
                    StoryRecord.site == site,
                    func.coalesce(StoryVersion.published, StoryRecord.first_seen) >= since,
                )
                .order_by(StoryRecord.last_seen, StoryRecord.id)
                .limit(limit)
            )
            return list(session.scalars(query))

    def count_versions(self) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count(StoryVersion.id))) or 0)


def _plain(value: Any) -> Any:
    """Round-trip through JSON so stored and fresh values compare equal (tuples, dates…)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _now() -> datetime:
    return datetime.now(UTC)
