"""The register as rows people and data tools read: `sistercity partnerships`, and the data
files written with the feeds (``partnerships.csv``, ``partnerships.json``, ``datapackage.json``).

One row per partnership still in the register (a retracted pair is left out). The columns are
``COLUMNS``; docs/store-and-feeds.md describes each, and ``datapackage.json`` carries the same
descriptions as a Frictionless Table Schema.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pycountry
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from storage.models import (
    ChangeEvidence,
    ChangeRecord,
    Claim,
    Partnership,
    PlaceRecord,
    StoryRecord,
    StoryVersion,
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless Table Schema type
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("id", "string", "stable pair id: the two places' slugs joined by '--'"),
    Column("place_a", "string", "first place (English name)"),
    Column("place_a_local", "string", "first place in its own script, when known"),
    Column("country_a", "string", "first place's country, ISO 3166-1 alpha-2"),
    Column("place_b", "string", "second place (English name)"),
    Column("place_b_local", "string", "second place in its own script, when known"),
    Column("country_b", "string", "second place's country, ISO 3166-1 alpha-2"),
    Column(
        "relation",
        "string",
        "sister, friendship, friendly_cooperation or other: the closest tie a source reports",
    ),
    Column("also_called", "string", "other relation wordings sources use, ';'-separated"),
    Column("status", "string", "proposed, active, suspended or terminated"),
    Column("since", "string", "when the partnership began: YYYY or YYYY-MM-DD"),
    Column("last_event", "string", "latest event reported (established, anniversary, …)"),
    Column("last_event_date", "string", "its date, YYYY-MM-DD"),
    Column("first_reported", "datetime", "publication time of the oldest story reporting it"),
    Column("last_reported", "datetime", "publication time of the newest story reporting it"),
    Column("last_change", "datetime", "when the register last logged a change for it"),
    Column("changes", "integer", "change-log entries so far"),
    Column("sources", "integer", "independent stories behind it (copies count once)"),
    Column("source_urls", "string", "those stories' URLs, ';'-separated, oldest first"),
    Column("confidence", "number", "highest classifier confidence among those stories (0 to 1)"),
)
NAMES = tuple(c.name for c in COLUMNS)


@functools.cache
def country_name(code: str | None) -> str:
    """'KR' -> 'Korea, Republic of' is what ISO says; people read the common name. Cached: the
    pages name two countries per row."""
    if not code:
        return "unknown country"
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code.upper()
    return str(getattr(country, "common_name", None) or country.name)


def pair_slug(a: PlaceRecord, b: PlaceRecord) -> str:
    return f"{a.slug}--{b.slug}"


def _since_filter(value: date | datetime | str) -> datetime:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value


def register_rows(
    session: Session,
    *,
    city: str | None = None,
    country: str | None = None,
    status: str | None = None,
    since: date | datetime | str | None = None,
    partnership_ids: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """The register's rows, sorted by pair id. ``city`` matches either place's English or local
    name (case-insensitive substring), ``country`` either place's ISO code, ``since`` keeps pairs
    with a change logged on or after that date, ``partnership_ids`` those pairs only.

    Four streamed column queries (pairs, their last change, their relation wordings, their
    sources), each joined to the chosen pairs rather than given their ids: the cost grows with
    the register, never with a query per pair, and no story text is loaded."""
    places = {p.id: p for p in session.scalars(select(PlaceRecord))}
    chosen = [Partnership.retracted.is_(False)]
    if partnership_ids is not None:
        chosen.append(Partnership.id.in_(list(partnership_ids)))
    if status:
        chosen.append(Partnership.status == status)
    if since is not None:
        changed = select(ChangeRecord.partnership_id).where(ChangeRecord.at >= _since_filter(since))
        chosen.append(Partnership.id.in_(changed))
    if country:
        code = country.upper()
        in_country = select(PlaceRecord.id).where(PlaceRecord.country == code)
        chosen.append(
            or_(Partnership.place_a_id.in_(in_country), Partnership.place_b_id.in_(in_country))
        )
    if city:
        needle = city.casefold()
        ids = [
            p.id
            for p in places.values()
            if needle in p.name.casefold() or needle in (p.local_name or "").casefold()
        ]
        chosen.append(or_(Partnership.place_a_id.in_(ids), Partnership.place_b_id.in_(ids)))
    last_change = dict(
        _stream(
            session,
            select(ChangeRecord.partnership_id, func.max(ChangeRecord.at))
            .join(Partnership, ChangeRecord.partnership_id == Partnership.id)
            .where(*chosen)
            .group_by(ChangeRecord.partnership_id),
        )
    )
    relations: dict[int, set[str]] = defaultdict(set)
    sources: dict[int, dict[str, tuple[datetime, str]]] = defaultdict(dict)
    confidence: dict[int, float] = {}
    active = (Claim.active.is_(True), *chosen)
    worded = (
        select(Claim.partnership_id, Claim.value)
        .join(Partnership, Claim.partnership_id == Partnership.id)
        .where(Claim.field == "relation", *active)
        .distinct()
    )
    for pid, value in _stream(session, worded):
        relations[pid].add(value)
    # A version states several fields about a pair: one row per pair, source and version.
    reports = (
        select(
            Claim.partnership_id,
            Claim.source,
            StoryRecord.canonical_url,
            StoryVersion.published,
            StoryVersion.fetched_at,
            StoryVersion.confidence,
        )
        .join(Partnership, Claim.partnership_id == Partnership.id)
        .join(StoryRecord, Claim.story_id == StoryRecord.id)
        .join(StoryVersion, Claim.version_id == StoryVersion.id)
        .where(*active)
        .distinct()
    )
    for pid, source, url, published, fetched_at, score in _stream(session, reports):
        when = published or fetched_at
        known = sources[pid].get(source)
        if known is None or (when, url) < known:
            sources[pid][source] = (when, url)
        if score is not None:
            confidence[pid] = max(confidence.get(pid, 0.0), float(score))
    rows = []
    for p in _stream(session, select(*PAIR_COLUMNS).where(*chosen)):
        a, b = places[p.place_a_id], places[p.place_b_id]
        urls = [url for _, url in sorted(sources[p.id].values())]
        rows.append(
            {
                "id": pair_slug(a, b),
                "place_a": a.name,
                "place_a_local": a.local_name,
                "country_a": a.country,
                "place_b": b.name,
                "place_b_local": b.local_name,
                "country_b": b.country,
                "relation": p.relation,
                "also_called": sorted(relations[p.id] - {p.relation or ""}),
                "status": p.status,
                "since": p.began,
                "last_event": p.latest_event,
                "last_event_date": p.latest_event_date,
                "first_reported": p.first_reported,
                "last_reported": p.last_reported,
                "last_change": last_change.get(p.id),
                "changes": p.change_count,
                "sources": len(sources[p.id]),
                "source_urls": urls,
                "confidence": round(confidence[p.id], 3) if p.id in confidence else None,
                "_key": p.key,
                "_pid": p.id,
            }
        )
    rows.sort(key=lambda r: r["id"])
    return rows


PAIR_COLUMNS = (
    Partnership.id,
    Partnership.key,
    Partnership.place_a_id,
    Partnership.place_b_id,
    Partnership.relation,
    Partnership.status,
    Partnership.began,
    Partnership.latest_event,
    Partnership.latest_event_date,
    Partnership.first_reported,
    Partnership.last_reported,
    Partnership.change_count,
)
STREAM_ROWS = 2000  # rows fetched at a time by the streamed queries


def _stream(session: Session, query: Select[Any]) -> Iterator[Any]:
    return iter(session.execute(query.execution_options(yield_per=STREAM_ROWS)))


def find_partnership(session: Session, ident: str) -> Partnership | None:
    """A pair by its id (``qingdao-cn--gwangju-kr``, either order), its store key
    (``geonames:1797929|geonames:1841811``) or its row number."""
    by_key = session.scalars(select(Partnership).where(Partnership.key == ident)).one_or_none()
    if by_key is not None:
        return by_key
    if ident.isdigit():
        return session.get(Partnership, int(ident))
    first, sep, second = ident.partition("--")
    if not sep:
        return None
    slugs = dict(
        session.execute(
            select(PlaceRecord.slug, PlaceRecord.id).where(PlaceRecord.slug.in_((first, second)))
        ).all()
    )
    if first not in slugs or second not in slugs:
        return None
    key = "|".join(sorted((slugs[first], slugs[second])))
    return session.scalars(select(Partnership).where(Partnership.key == key)).one_or_none()


def partnership_history(session: Session, p: Partnership) -> dict[str, Any]:
    """One pair: its register row (also when retracted), and every change with its sources."""
    a = session.get_one(PlaceRecord, p.place_a_id)
    b = session.get_one(PlaceRecord, p.place_b_id)
    row = next(iter(register_rows(session, partnership_ids=[p.id])), None)
    changes = next((found for _, found in change_histories(session, [p.id])), [])
    return {
        "id": pair_slug(a, b),
        "key": p.key,
        "places": [
            {"id": x.id, "name": x.name, "local_name": x.local_name, "country": x.country}
            for x in (a, b)
        ],
        "retracted": p.retracted,
        "row": _public(row) if row else None,
        "changes": changes,
    }


def change_histories(
    session: Session, partnership_ids: Collection[int] | None = None
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(pair id, its changes oldest first, each with its sources) for the chosen pairs (None:
    every pair), in pair id order, from one streamed query over changes and their evidence."""
    query = (
        select(
            ChangeRecord.partnership_id,
            ChangeRecord.id,
            ChangeRecord.key,
            ChangeRecord.kind,
            ChangeRecord.at,
            ChangeRecord.title,
            ChangeRecord.summary,
            ChangeRecord.field,
            ChangeRecord.old_value,
            ChangeRecord.new_value,
            StoryRecord.site,
            StoryRecord.canonical_url,
            StoryVersion.title.label("source_title"),
            StoryVersion.version,
            StoryVersion.published,
        )
        .outerjoin(ChangeEvidence, ChangeEvidence.change_id == ChangeRecord.id)
        .outerjoin(StoryVersion, StoryVersion.id == ChangeEvidence.version_id)
        .outerjoin(StoryRecord, StoryRecord.id == StoryVersion.story_id)
        .order_by(
            ChangeRecord.partnership_id, ChangeRecord.id, StoryVersion.fetched_at, StoryVersion.id
        )
    )
    if partnership_ids is not None:
        query = query.where(ChangeRecord.partnership_id.in_(list(partnership_ids)))
    pair: int | None = None
    change: int | None = None
    changes: list[dict[str, Any]] = []
    for r in _stream(session, query):
        if r.partnership_id != pair:
            if pair is not None:
                yield pair, changes
            pair, changes = r.partnership_id, []
        if r.id != change:
            change = r.id
            changes.append(
                {
                    "key": r.key,
                    "kind": r.kind,
                    "at": r.at,
                    "title": r.title,
                    "summary": r.summary,
                    "field": r.field,
                    "old": r.old_value,
                    "new": r.new_value,
                    "sources": [],
                }
            )
        if r.site is not None:
            changes[-1]["sources"].append(
                {
                    "site": r.site,
                    "url": r.canonical_url,
                    "title": r.source_title,
                    "version": r.version,
                    "published": r.published,
                }
            )
    if pair is not None:
        yield pair, changes


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def iso(value: datetime) -> str:
    """UTC with a Z: the Table Schema's default datetime format."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plain_data(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_data(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def plain_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: ISO datetimes, lists kept."""
    return [plain_data(_public(r)) for r in rows]


def csv_line(row: dict[str, Any]) -> str:
    """One row as a CSV record (with its newline)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([_cell(row[name]) for name in NAMES])
    return out.getvalue()


CSV_HEADER = csv_line({name: name for name in NAMES})


def json_line(row: dict[str, Any]) -> str:
    """One row as a line of ``partnerships.json`` (no newline, no comma)."""
    return json.dumps(plain_data(_public(row)), ensure_ascii=False)


def to_csv(rows: list[dict[str, Any]]) -> str:
    return CSV_HEADER + "".join(csv_line(row) for row in rows)


def _json_array(lines: list[str]) -> str:
    """A JSON array with one row a line: the C encoder writes each line, and the file diffs
    line by line like the CSV."""
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def to_json(rows: list[dict[str, Any]]) -> str:
    return _json_array([json_line(r) for r in rows])


def to_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in plain_rows(rows))


def datapackage(version: str, base_url: str | None = None) -> dict[str, Any]:
    """A Frictionless Data Package descriptor for the two data files."""
    fields = []
    for c in COLUMNS:
        item: dict[str, Any] = {"name": c.name, "type": c.type, "description": c.description}
        if c.name in {"relation"}:
            item["constraints"] = {
                "enum": ["sister", "friendship", "friendly_cooperation", "other"]
            }
        if c.name == "status":
            item["constraints"] = {"enum": ["proposed", "active", "suspended", "terminated"]}
        if c.name == "id":
            item["constraints"] = {"required": True, "unique": True}
        fields.append(item)
    schema = {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}
    return {
        "name": "sistercity-partnerships",
        "title": "Sister-city partnerships",
        "description": (
            "Partnerships between places (sister, friendship and friendly cooperation cities) "
            "as reported by the news sites sistercity crawls; one row per pair."
        ),
        "version": version,
        "licenses": [
            {
                "name": "ODC-BY-1.0",
                "path": "https://opendatacommons.org/licenses/by/1-0/",
                "title": "Open Data Commons Attribution License 1.0",
            }
        ],
        **({"homepage": base_url} if base_url else {}),
        "resources": [
            {
                "name": "partnerships",
                "path": "partnerships.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            },
            {
                "name": "partnerships-json",
                "path": "partnerships.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
            },
        ],
    }


def _descriptor(version: str, base_url: str | None) -> bytes:
    return (json.dumps(datapackage(version, base_url), ensure_ascii=False, indent=2) + "\n").encode(
        "utf-8"
    )


def export_files(
    rows: list[dict[str, Any]], version: str, base_url: str | None = None
) -> dict[str, bytes]:
    """The data files written beside the feeds, by name, from the register's ``rows``
    (``register_rows``: every row, in id order)."""
    return {
        "partnerships.csv": to_csv(rows).encode("utf-8"),
        "partnerships.json": to_json(rows).encode("utf-8"),
        "datapackage.json": _descriptor(version, base_url),
    }


def _row_lines(csv_text: str, json_text: str) -> tuple[list[str], list[str]] | None:
    """The record lines of the two data files, after checking that they pair up one to one
    (same ids in the same order), or None when they do not (a record over several lines, a
    file from another version): then the caller reads the whole register instead."""
    csv_lines = csv_text.splitlines(keepends=True)
    json_lines = json_text.split("\n")
    if not csv_lines or csv_lines[0] != CSV_HEADER or json_lines[-1] != "":
        return None
    json_lines.pop()
    if json_lines == ["[]"]:
        json_lines = []
    elif len(json_lines) < 3 or json_lines[0] != "[" or json_lines[-1] != "]":
        return None
    else:
        json_lines = [line.removesuffix(",") for line in json_lines[1:-1]]
    csv_lines = csv_lines[1:]
    if len(csv_lines) != len(json_lines):
        return None
    for c, j in zip(csv_lines, json_lines, strict=True):
        if not j.startswith('{"id": "') or not j.startswith(c.split(",", 1)[0] + '"', 8):
            return None
    return csv_lines, json_lines


def updated_export_files(
    old: dict[str, bytes],
    rows: list[dict[str, Any]],
    changed_ids: Collection[str],
    version: str,
    base_url: str | None = None,
) -> dict[str, bytes] | None:
    """The data files after some pairs changed, from the files ``old`` (by name, as a build
    wrote them): the records of the pairs ``changed_ids`` (their ids: slugs) are dropped and
    those of ``rows`` (the changed pairs still in the register) put in, in id order. The other
    records are kept as bytes: no register read, no row rendered. None when the old files do
    not pair up (see ``_row_lines``). Gives what ``export_files`` gives from every row."""
    try:
        lines = _row_lines(
            old["partnerships.csv"].decode("utf-8"), old["partnerships.json"].decode("utf-8")
        )
    except (KeyError, UnicodeDecodeError):
        return None
    if lines is None:
        return None
    records = {c.split(",", 1)[0]: (c, j) for c, j in zip(*lines, strict=True)}
    for ident in changed_ids:
        records.pop(ident, None)
    for row in rows:
        records[row["id"]] = (csv_line(row), json_line(row))
    ordered = [records[k] for k in sorted(records)]
    return {
        "partnerships.csv": (CSV_HEADER + "".join(c for c, _ in ordered)).encode("utf-8"),
        "partnerships.json": _json_array([j for _, j in ordered]).encode("utf-8"),
        "datapackage.json": _descriptor(version, base_url),
    }
