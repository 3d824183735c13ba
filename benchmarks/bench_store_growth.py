"""Per-story store cost as the store grows: ``StoryStore.record`` at 1k, 50k and 100k stored.

Filing must not slow down as the history grows (the issue's goal: the cost at 50k and 100k
stored at most 1.3× the cost at 1k). Filling a store to 100k stories through ``record`` takes
about an hour on this machine, so the fill is written in bulk with SQLAlchemy Core, row for row
the shape ``record`` leaves for a first report of a new pair: a story, its version, its gzipped
raw page, a partnership between two of 800 filler places, four claims (relation, status, began,
event), the event, the ``new`` change with its evidence, and two feed outbox rows. The timed
part goes through ``record`` itself.

At each size, ``--batch`` synthetic stories (``benchmarks/synthetic.py``, new pairs among the
benchmark's own places) are filed new, then again unchanged, then edited; each ``record`` is
timed on its own and the median is reported.

    python -m benchmarks.bench_store_growth [--sizes 1000,50000,100000] [--batch 200]
        [--backends sqlite,postgresql]
"""

from __future__ import annotations

import gzip
import hashlib
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from benchmarks import synthetic
from benchmarks.bench_store import postgres_url, sqlite_url
from benchmarks.harness import arguments, ms, progress, report, table
from storage import StoryStore
from storage.models import (
    ChangeEvidence,
    ChangeRecord,
    Claim,
    Event,
    FeedOutbox,
    Partnership,
    PlaceRecord,
    RawPageRecord,
    StoryRecord,
    StoryVersion,
)

FILL_PLACES = 400  # per country: 160,000 filler pairs
FILL_START = datetime(2015, 1, 1, tzinfo=UTC)
CHUNK = 2000


def _place_rows() -> list[dict[str, Any]]:
    rows = []
    for country in ("CN", "KR"):
        for n in range(FILL_PLACES):
            name = f"Fill {country} {n:03d}"
            rows.append(
                {
                    "id": f"fill:{country.lower()}:{n:03d}",
                    "name": name,
                    "local_name": name,
                    "country": country,
                    "level": "city",
                    "parent": None,
                    "slug": f"fill-{country.lower()}-{n:03d}",
                }
            )
    return rows


def _ids(conn: Any, model: Any) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(model.id), 0))) or 0)


def fill(store: StoryStore, start: int, stop: int) -> None:
    """Filler stories ``start`` .. ``stop - 1`` written in bulk (see the module docstring)."""
    body_html = gzip.compress(b"<html><body><p>filler</p></body></html>" * 20, mtime=0)
    with store.engine.begin() as conn:
        if start == 0:
            conn.execute(insert(PlaceRecord), _place_rows())
        base = {
            m: _ids(conn, m)
            for m in (StoryRecord, StoryVersion, Partnership, Event, ChangeRecord, FeedOutbox)
        }
        claim_id = _ids(conn, Claim)
        raw_id = _ids(conn, RawPageRecord)
        for chunk in range(start, stop, CHUNK):
            rows: dict[Any, list[dict[str, Any]]] = {}
            for i in range(chunk, min(stop, chunk + CHUNK)):
                k = i - start + 1
                sid, vid = base[StoryRecord] + k, base[StoryVersion] + k
                pid, eid, cid = base[Partnership] + k, base[Event] + k, base[ChangeRecord] + k
                cn, kr = divmod(i, FILL_PLACES)
                cn %= FILL_PLACES
                a, b = f"fill:cn:{cn:03d}", f"fill:kr:{kr:03d}"
                at = FILL_START + timedelta(minutes=30 * i)
                day = at.date().isoformat()
                site = synthetic.SITES[i % 4]
                url = f"https://{site}.example/fill/{i}.html"
                title = f"Fill {i} and partner sign sister city agreement"
                body = [f"Filler story {i}.", "The two sides agreed to work together."]
                rows.setdefault(StoryRecord, []).append(
                    dict(
                        id=sid,
                        key=f"{site}/fill/{i}",
                        site=site,
                        canonical_url=url,
                        first_seen=at,
                        last_seen=at,
                        latest_version=1,
                    )
                )
                rows.setdefault(StoryVersion, []).append(
                    dict(
                        id=vid,
                        story_id=sid,
                        version=1,
                        cause="new",
                        run_id=None,
                        fetched_at=at,
                        content_hash=hashlib.sha256(f"c{i}".encode()).hexdigest(),
                        raw_hash=hashlib.sha256(f"r{i}".encode()).hexdigest(),
                        parser_version=f"{site}/1",
                        url=url,
                        title=title,
                        subtitle=None,
                        published=at,
                        published_source="dateline",
                        language="en",
                        byline=None,
                        body=body,
                        captions=[],
                        pages=[url],
                        extraction="site",
                        is_partnership_story=True,
                        confidence=0.9,
                        partnerships=[{"a": {"id": a}, "b": {"id": b}, "relation": "sister"}],
                        network_sizes=[],
                        event_keys=[f"{a}|{b}|established|{day}"],
                        duplicate_of=None,
                        duplicate_kind=None,
                        diff=None,
                    )
                )
                raw_id += 1
                rows.setdefault(RawPageRecord, []).append(
                    dict(
                        id=raw_id,
                        version_id=vid,
                        position=0,
                        url=url,
                        status=200,
                        headers={"Content-Type": "text/html"},
                        body_gz=body_html,
                    )
                )
                rows.setdefault(Partnership, []).append(
                    dict(
                        id=pid,
                        key=f"{a}|{b}",
                        place_a_id=a,
                        place_b_id=b,
                        relation="sister",
                        status="active",
                        began=day,
                        latest_event="established",
                        latest_event_date=day,
                        first_reported=at,
                        last_reported=at,
                        retracted=False,
                        change_count=1,
                    )
                )
                rows.setdefault(Event, []).append(
                    dict(
                        id=eid,
                        partnership_id=pid,
                        kind="established",
                        event_date=day,
                        anchor_date=day,
                        active=True,
                    )
                )
                for fld, value in (
                    ("relation", "sister"),
                    ("status", "active"),
                    ("began", day),
                    ("event", "established"),
                ):
                    claim_id += 1
                    rows.setdefault(Claim, []).append(
                        dict(
                            id=claim_id,
                            partnership_id=pid,
                            version_id=vid,
                            story_id=sid,
                            source=f"{site}/fill/{i}",
                            field=fld,
                            value=value,
                            event_id=eid if fld == "event" else None,
                            reported_at=at,
                            well_supported=True,
                            sentence=body[1],
                            active=True,
                        )
                    )
                rows.setdefault(ChangeRecord, []).append(
                    dict(
                        id=cid,
                        key=f"{a}|{b}/1",
                        partnership_id=pid,
                        kind="new",
                        field=None,
                        old_value=None,
                        new_value=None,
                        event_id=eid,
                        relation="sister",
                        at=at,
                        title=title,
                        summary="Sister-city agreement signed.",
                    )
                )
                rows.setdefault(ChangeEvidence, []).append(dict(change_id=cid, version_id=vid))
                outbox = base[FeedOutbox] + 2 * k
                rows.setdefault(FeedOutbox, []).extend(
                    [
                        dict(id=outbox - 1, change_id=None, version_id=vid),
                        dict(id=outbox, change_id=cid, version_id=None),
                    ]
                )
            for model in (
                StoryRecord,
                StoryVersion,
                RawPageRecord,
                Partnership,
                Event,
                Claim,
                ChangeRecord,
                ChangeEvidence,
                FeedOutbox,
            ):
                conn.execute(insert(model), rows[model])
        if conn.dialect.name == "postgresql":
            for name in (
                "stories",
                "story_versions",
                "raw_pages",
                "partnerships",
                "events",
                "claims",
                "changes",
                "feed_outbox",
            ):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))


def timed_pass(store: StoryStore, stories: list[Any], kind: str) -> tuple[float, float]:
    """Median wall time and median CPU time of this process per ``record``. On a loaded
    machine the CPU time is the steadier figure (SQLite works in this process; PostgreSQL's
    own work shows only in the wall time)."""
    wall, cpu = [], []
    for story in stories:
        start, start_cpu = time.perf_counter(), time.process_time()
        change = store.record(story)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if change.kind != kind:
            raise RuntimeError(f"expected {kind}, the store said {change.kind}: {change}")
    return statistics.median(wall), statistics.median(cpu)


def measure(url: str, sizes: list[int], batch: int) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    filled = 0
    offset = 0
    with StoryStore.open(url) as store:
        for size in sizes:
            progress(f"store growth: filling to {size:,} stories")
            start = time.perf_counter()
            fill(store, filled, size - offset)
            filled = size - offset
            progress(f"  filled in {time.perf_counter() - start:.0f} s; timing {batch} stories")
            numbers = range(offset, offset + batch)
            first = [synthetic.story(n) for n in numbers]
            again = [
                synthetic.story(n, fetched=s.fetched_at + timedelta(days=1))
                for n, s in zip(numbers, first, strict=True)
            ]
            edited = [
                synthetic.story(n, edition=2, fetched=s.fetched_at + timedelta(days=2))
                for n, s in zip(numbers, first, strict=True)
            ]
            out[size] = {}
            for name, stories, kind in (
                ("new", first, "new"),
                ("unchanged", again, "unchanged"),
                ("changed", edited, "changed"),
            ):
                out[size][name], out[size][f"{name}_cpu"] = timed_pass(store, stories, kind)
            offset += batch
    return out


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(
        __doc__.split("\n")[0],
        argv,
        repeats=1,
        sizes="1000,50000,100000",
        batch=200,
        backends="sqlite,postgresql",
    )
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results: dict[str, Any] = {}
    rows = []
    for backend in args.backends.split(","):
        opener = {"sqlite": sqlite_url, "postgresql": postgres_url}[backend]
        with opener() as url:
            found = measure(url, sizes, args.batch)
        results[backend] = found
        low = found[sizes[0]]
        for size in sizes:
            cost = found[size]
            rows.append(
                [backend, f"{size:,}"]
                + [
                    f"{ms(cost[name])} ({cost[name] / low[name]:.2f}×)"
                    for name in ("new", "unchanged", "changed")
                ]
                + [
                    f"{ms(cost[f'{name}_cpu'])} ({cost[f'{name}_cpu'] / low[f'{name}_cpu']:.2f}×)"
                    for name in ("new", "changed")
                ]
            )
    text_out = table(
        [
            "backend",
            "stories stored",
            "new: ms/story (vs smallest)",
            "unchanged: ms/story",
            "changed: ms/story",
            "new: CPU ms/story",
            "changed: CPU ms/story",
        ],
        rows,
    )
    report("Store cost as the store grows", text_out, results, args)
    return results


if __name__ == "__main__":
    run()
