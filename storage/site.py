"""The browsable register: static HTML pages written with the feeds (Jinja2 templates in
``storage/templates``).

- ``index.html``: latest changes, a table of every partnership (sortable and filterable with
  ``register.js``, complete without it), crawl health, and every feed;
- ``places/<slug>.html``: one place's partnerships; ``countries/<iso>.html``: one country's;
- ``pairs/<slug a>--<slug b>.html``: one pair's fields and history with source links;
- ``health.html``: the last crawl of each site and the open health flags.

Links between pages are relative, so the pages work from a file:// path and behind any base
URL; feed links use the configured base URL as the feeds do. Names, not codes: countries by
their English name (pycountry), sites by their name (``SISTERCITY_SITE_NAMES``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.exports import STREAM_ROWS, change_histories, country_name, pair_slug
from storage.models import NetworkSize, Partnership, PlaceRecord, SiteRun, StoryRecord

RELATION_NAMES = {
    "sister": "sister cities",
    "friendship": "friendship cities",
    "friendly_cooperation": "friendly cooperation",
    "other": "partners",
}
STATIC = ("register.css", "register.js", "feed.xsl")
LATEST = 20

_env: Environment | None = None


def environment() -> Environment:
    global _env
    if _env is None:
        _env = Environment(
            loader=PackageLoader("storage", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    return _env


def _relation_words(value: str | None) -> str:
    return RELATION_NAMES.get(value or "", value or "unknown")


def _decorate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the rows with the words the pages show (the rows also go to the exports)."""
    return [
        {
            **r,
            "country_a_name": country_name(r["country_a"]),
            "country_b_name": country_name(r["country_b"]),
            "relation_words": _relation_words(r["relation"]),
            "also_words": ", ".join(_relation_words(v) for v in r["also_called"]),
        }
        for r in rows
    ]


def filter_choices(rows: list[dict[str, Any]]) -> dict[str, Any]:
    codes = sorted({c for r in rows for c in (r["country_a"], r["country_b"]) if c})
    relations = [v for v in RELATION_NAMES if any(r["relation"] == v for r in rows)]
    statuses = sorted({r["status"] for r in rows if r["status"]})
    return {
        "countries": sorted(((c, country_name(c)) for c in codes), key=lambda x: x[1]),
        "relations": [(v, RELATION_NAMES[v]) for v in relations],
        "statuses": statuses,
    }


def _health(session: Session, flags: Sequence[dict[str, Any]], site_name: Callable[[str], str]):
    latest = (
        select(SiteRun.site, func.max(SiteRun.run_id).label("run_id"))
        .group_by(SiteRun.site)
        .subquery()
    )
    sites = []
    for row in session.scalars(
        select(SiteRun)
        .join(latest, (SiteRun.site == latest.c.site) & (SiteRun.run_id == latest.c.run_id))
        .order_by(SiteRun.site)
    ):
        state = "running" if row.finished_at is None else "ok"
        if row.flags:
            state = "; ".join(str(f.get("kind")) for f in row.flags)
        sites.append(
            {
                "name": site_name(row.site),
                "when": row.started_at.strftime("%Y-%m-%d %H:%M"),
                "pages": sum(int(v) for v in (row.responses_by_status or {}).values()),
                "new": row.stories_new,
                "state": state,
            }
        )
    open_flags = [
        {
            "site": site_name(str(f.get("site"))),
            "message": f.get("message"),
            "since": str(f.get("raised_at", ""))[:10],
        }
        for f in flags
    ]
    return sites, open_flags


def render_health(session: Session, config: Any, flags: Sequence[dict[str, Any]]) -> bytes:
    """health.html: the last crawl of each site and the open flags. It changes with every
    crawl, so it is its own page (written with health.atom) and index.html stays put."""
    sites, open_flags = _health(session, flags, config.site_name)
    return (
        environment()
        .get_template("health.html")
        .render(
            root="",
            head_feeds=[{"title": "Crawl health", "href": config.url("health.atom")}],
            version=config.version,
            health_feed=config.url("health.atom"),
            sites=sites,
            flags=open_flags,
        )
        .encode("utf-8")
    )


def render_site(
    session: Session,
    config: Any,
    *,
    latest: Sequence[tuple[str, str, str]],
    feeds: Sequence[dict[str, Any]],
    rows: list[dict[str, Any]],
    pages: Pages | None = None,
) -> Iterator[tuple[str, bytes | None]]:
    """(file name, bytes) of each page, as it is rendered; bytes None: a place or country page
    that no longer has a partnership, to remove. ``latest``: (date, title, pair id) of the
    newest changes; ``feeds``: {title, href, latest} of each feed; ``rows``: the register
    (``register_rows``); ``pages``: the place, country and pair pages to render (None: all).
    index.html is always rendered; health.html comes from ``render_health``."""
    env = environment()
    pages = pages or Pages()
    rows = _decorate(rows)
    places = {p.id: p for p in session.scalars(select(PlaceRecord))}
    base = {
        "version": config.version,
        **filter_choices(rows),
    }
    by_key = {r["_key"]: r for r in rows}
    used_places = {pid for key in by_key for pid in key.split("|")}
    story_count = int(session.scalar(select(func.count(StoryRecord.id))) or 0)
    yield (
        "index.html",
        env.get_template("index.html")
        .render(
            **base,
            root="",
            head_feeds=[{"title": "Every change", "href": config.url("partnerships.atom")}],
            rows=rows,
            place_count=len(used_places),
            country_count=len(base["countries"]),
            story_count=story_count,
            latest=[{"date": d, "title": t, "pair": p} for d, t, p in latest],
            feeds_url=config.url("partnerships.atom"),
            opml_url=config.url("feeds.opml"),
            feeds=feeds,
            health_feed=config.url("health.atom"),
        )
        .encode("utf-8"),
    )
    yield from _place_pages(session, config, env, base, rows, places, pages.places)
    yield from _country_pages(config, env, base, rows, pages.countries)
    yield from _pair_pages(session, config, env, base, by_key, places, pages.pairs)
    for name in STATIC:
        yield name, resources.files("storage").joinpath("templates", name).read_bytes()


@dataclass
class Pages:
    """The place (ids), country (ISO codes) and pair (ids) pages to render; None: all."""

    places: set[str] | None = None
    countries: set[str] | None = None
    pairs: set[int] | None = None


def _network_sizes(session: Session, chosen: set[str] | None) -> dict[str, list[str]]:
    sizes: dict[str, list[str]] = defaultdict(list)
    query = select(NetworkSize).where(NetworkSize.active.is_(True)).order_by(NetworkSize.as_of)
    if chosen is not None:
        query = query.where(NetworkSize.place_id.in_(chosen))
    for size in session.scalars(query):
        parts = [
            f"{size.cities} partner cities" if size.cities else "",
            f"in {size.countries} countries" if size.countries else "",
        ]
        text = " ".join(p for p in parts if p)
        if text:
            sizes[size.place_id].append(f"{text} (as of {size.as_of})")
    return sizes


def _place_pages(
    session: Session,
    config: Any,
    env: Environment,
    base: dict[str, Any],
    rows: list[dict[str, Any]],
    places: dict[str, PlaceRecord],
    chosen: set[str] | None,
) -> Iterator[tuple[str, bytes | None]]:
    place_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        for pid in r["_key"].split("|"):
            if chosen is None or pid in chosen:
                place_rows[pid].append(r)
    sizes = _network_sizes(session, chosen)
    place_template = env.get_template("place.html")
    for pid, prow in place_rows.items():
        place = places[pid]
        yield (
            f"places/{place.slug}.html",
            place_template.render(
                **base,
                root="../",
                head_feeds=[{"title": place.name, "href": config.url(f"cities/{place.slug}.atom")}],
                heading=place.name,
                local=place.local_name,
                subtitle=f"{country_name(place.country)}.",
                rows=prow,
                sizes=sizes.get(pid, []),
                feed_href=config.url(f"cities/{place.slug}.atom"),
            ).encode("utf-8"),
        )
    for pid in sorted((chosen or set()) - set(place_rows)):
        if pid in places:
            yield f"places/{places[pid].slug}.html", None


def _country_pages(
    config: Any,
    env: Environment,
    base: dict[str, Any],
    rows: list[dict[str, Any]],
    chosen: set[str] | None,
) -> Iterator[tuple[str, bytes | None]]:
    place_template = env.get_template("place.html")
    listed = {code for code, _ in base["countries"]}
    country_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        for code in {r["country_a"], r["country_b"]}:
            if chosen is None or code in chosen:
                country_rows[code].append(r)
    for code, name in base["countries"]:
        if chosen is not None and code not in chosen:
            continue
        crow = country_rows[code]
        yield (
            f"countries/{code.lower()}.html",
            place_template.render(
                **base,
                root="../",
                head_feeds=[{"title": name, "href": config.url(f"countries/{code.lower()}.atom")}],
                heading=name,
                local=None,
                subtitle="Partnerships of its places.",
                rows=crow,
                sizes=[],
                feed_href=config.url(f"countries/{code.lower()}.atom"),
            ).encode("utf-8"),
        )
    for code in sorted((chosen or set()) - listed):
        yield f"countries/{code.lower()}.html", None


PAIR_CHUNK = 500  # pairs whose history one query reads on an incremental build


def _pair_histories(
    session: Session, chosen: set[int] | None
) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """(pair columns, its changes) for the chosen pairs (None: all) in id order: a full build
    streams two queries side by side, an incremental one reads the pairs a chunk at a time."""
    ordered = sorted(chosen) if chosen is not None else None
    chunks = (
        [None]
        if ordered is None
        else [ordered[i : i + PAIR_CHUNK] for i in range(0, len(ordered), PAIR_CHUNK)]
    )
    columns = (Partnership.id, Partnership.key, Partnership.place_a_id, Partnership.place_b_id)
    for chunk in chunks:
        query = select(*columns).order_by(Partnership.id)
        if chunk is not None:
            query = query.where(Partnership.id.in_(chunk))
        histories = change_histories(session, chunk)
        pending = next(histories, None)
        for pair in session.execute(query.execution_options(yield_per=STREAM_ROWS)):
            while pending is not None and pending[0] < pair.id:
                pending = next(histories, None)
            yield pair, pending[1] if pending is not None and pending[0] == pair.id else []


def _pair_pages(
    session: Session,
    config: Any,
    env: Environment,
    base: dict[str, Any],
    by_key: dict[str, dict[str, Any]],
    places: dict[str, PlaceRecord],
    chosen: set[int] | None,
) -> Iterator[tuple[str, bytes | None]]:
    pair_template = env.get_template("pair.html")
    for p, history in _pair_histories(session, chosen):
        a, b = places[p.place_a_id], places[p.place_b_id]
        changes = [
            {
                "date": c["at"].date().isoformat(),
                "kind": c["kind"],
                "summary": c["summary"],
                "sources": [
                    {
                        "url": s["url"]
                        if str(s["url"]).startswith(("http://", "https://"))
                        else None,
                        "title": s["title"],
                        "site": config.site_name(s["site"]),
                        "published": s["published"].date().isoformat() if s["published"] else None,
                    }
                    for s in c["sources"]
                ],
            }
            for c in reversed(history)
        ]
        yield (
            f"pairs/{pair_slug(a, b)}.html",
            pair_template.render(
                **base,
                root="../",
                head_feeds=[],
                a={**vars_of(a), "country_name": country_name(a.country)},
                b={**vars_of(b), "country_name": country_name(b.country)},
                row=by_key.get(p.key),
                changes=changes,
            ).encode("utf-8"),
        )


def vars_of(place: PlaceRecord) -> dict[str, Any]:
    return {"name": place.name, "local_name": place.local_name, "slug": place.slug}
