"""The browsable register: static HTML pages written with the feeds (Jinja2 templates in
``storage/templates``).

- ``index.html``: the counts, latest changes, links to the register's table pages and to each
  country, crawl health, and every feed;
- ``register/<n>.html``: the table of every partnership (sortable and filterable with
  ``register.js``, complete without it), ``TABLE_PAGE`` rows a page in the order the pairs
  entered the register (pair id), so that one change re-renders the page(s) it falls on;
- ``places/<slug>.html``: one place's partnerships; ``countries/<iso>.html`` (then
  ``countries/<iso>-<n>.html``): one country's, paged as the register's table;
- ``pairs/<slug a>--<slug b>.html``: one pair's fields and history with source links;
- ``health.html``: the last crawl of each site and the open health flags.

Links between pages are relative, so the pages work from a file:// path and behind any base
URL; feed links use the configured base URL as the feeds do. Names, not codes: countries by
their English name (pycountry), sites by their name (``SISTERCITY_SITE_NAMES``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select, union
from sqlalchemy.orm import Session, aliased

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


def register_choices(session: Session) -> dict[str, Any]:
    """What the filter forms offer: the countries, relations and statuses of the pairs in the
    register (retracted ones left out), from three DISTINCT queries."""
    listed = Partnership.retracted.is_(False)
    place_ids = union(
        select(Partnership.place_a_id).where(listed), select(Partnership.place_b_id).where(listed)
    ).subquery()
    codes = set(
        session.scalars(
            select(PlaceRecord.country).distinct().where(PlaceRecord.id.in_(select(place_ids)))
        )
    )
    present = set(session.scalars(select(Partnership.relation).distinct().where(listed)))
    statuses = set(session.scalars(select(Partnership.status).distinct().where(listed)))
    return {
        "countries": sorted(((c, country_name(c)) for c in codes if c), key=lambda x: x[1]),
        "relations": [(v, RELATION_NAMES[v]) for v in RELATION_NAMES if v in present],
        "statuses": sorted(s for s in statuses if s),
    }


def _register_counts(session: Session) -> dict[str, int]:
    listed = Partnership.retracted.is_(False)
    place_ids = union(
        select(Partnership.place_a_id).where(listed), select(Partnership.place_b_id).where(listed)
    ).subquery()
    return {
        "partnership_count": int(session.scalar(select(func.count()).where(listed)) or 0),
        "place_count": int(session.scalar(select(func.count()).select_from(place_ids)) or 0),
        "story_count": int(session.scalar(select(func.count(StoryRecord.id))) or 0),
    }


ALL = "*"  # the table group of every partnership; the others are ISO country codes
TABLE_PAGE = 500  # rows of a register table page


def table_layout(session: Session, groups: Collection[str] | None = None) -> dict[str, list[int]]:
    """The pair ids of each table group (``ALL`` and the country codes ``groups``; None: all
    of them), in id order: the order pairs entered the register, so a new pair lands on the
    last page. One streamed query of three columns per pair."""
    a, b = aliased(PlaceRecord), aliased(PlaceRecord)
    query = (
        select(Partnership.id, a.country, b.country)
        .join(a, Partnership.place_a_id == a.id)
        .join(b, Partnership.place_b_id == b.id)
        .where(Partnership.retracted.is_(False))
        .order_by(Partnership.id)
    )
    layout: dict[str, list[int]] = defaultdict(list)
    every = layout[ALL]
    for pid, ca, cb in session.execute(query.execution_options(yield_per=STREAM_ROWS)):
        every.append(pid)
        for code in {ca, cb}:
            if code and (groups is None or code in groups):
                layout[code].append(pid)
    return {g: ids for g, ids in layout.items() if groups is None or g in groups or g == ALL}


def table_pages(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + TABLE_PAGE] for i in range(0, len(ids), TABLE_PAGE)] or [[]]


def page_signatures(ids: Sequence[int]) -> list[str]:
    """What each page of a group shows besides its rows' content: its pairs, whether a page
    follows and, on the first page, the group's count and pages. A page whose signature and
    pairs are unchanged since the last build is the same page."""
    pages = table_pages(ids)
    signatures = []
    for number, chunk in enumerate(pages, 1):
        head = f"{len(ids)},{len(pages)}" if number == 1 else ""
        text = f"{number < len(pages)}|{head}|{','.join(map(str, chunk))}"
        signatures.append(hashlib.sha256(text.encode()).hexdigest()[:16])
    return signatures


def table_page_name(group: str, number: int) -> str:
    """The file of page ``number`` (from 1) of a table group."""
    if group == ALL:
        return f"register/{number}.html"
    code = group.lower()
    return f"countries/{code}.html" if number == 1 else f"countries/{code}-{number}.html"


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
    choices: dict[str, Any] | None = None,
    layout: dict[str, list[int]] | None = None,
    tables: dict[str, set[int]] | None = None,
) -> Iterator[tuple[str, bytes | None]]:
    """(file name, bytes) of each page, as it is rendered; bytes None: a place page that no
    longer has a partnership, to remove. ``latest``: (date, title, pair id) of the newest
    changes; ``feeds``: {title, href, latest} of each feed; ``rows``: the register rows
    (``register_rows``) of every pair the pages to render show; ``pages``: the place and pair
    pages to render (None: all); ``choices``: ``register_choices``; ``layout``: the pair ids
    of each table group (``table_layout``); ``tables``: the pages (numbers from 1) to render
    of each group (None: every page of ``layout``). index.html is always rendered;
    health.html comes from ``render_health``."""
    env = environment()
    pages = pages or Pages()
    choices = choices if choices is not None else register_choices(session)
    layout = layout if layout is not None else table_layout(session)
    rows = _decorate(rows)
    places = {p.id: p for p in session.scalars(select(PlaceRecord))}
    base = {"version": config.version, **choices}
    by_key = {r["_key"]: r for r in rows}
    counts = _register_counts(session)
    index_pages = len(table_pages(range(counts["partnership_count"])))
    yield (
        "index.html",
        env.get_template("index.html")
        .render(
            **base,
            **counts,
            root="",
            head_feeds=[{"title": "Every change", "href": config.url("partnerships.atom")}],
            country_count=len(base["countries"]),
            table_size=TABLE_PAGE,
            table_pages=[
                (n, table_page_name(ALL, n))
                for n in range(1, index_pages + 1)
                if counts["partnership_count"]
            ],
            latest=[{"date": d, "title": t, "pair": p} for d, t, p in latest],
            feeds_url=config.url("partnerships.atom"),
            opml_url=config.url("feeds.opml"),
            feeds=feeds,
            health_feed=config.url("health.atom"),
        )
        .encode("utf-8"),
    )
    yield from _table_pages(config, env, base, rows, layout, tables)
    yield from _place_pages(session, config, env, base, rows, places, pages.places)
    yield from _pair_pages(session, config, env, base, by_key, places, pages.pairs)
    for name in STATIC:
        yield name, resources.files("storage").joinpath("templates", name).read_bytes()


@dataclass
class Pages:
    """The place (ids), country (ISO codes) and pair (ids) pages to render; None: all."""

    places: set[str] | None = None
    countries: set[str] | None = None
    pairs: set[int] | None = None


def _table_pages(
    config: Any,
    env: Environment,
    base: dict[str, Any],
    rows: list[dict[str, Any]],
    layout: dict[str, list[int]],
    tables: dict[str, set[int]] | None,
) -> Iterator[tuple[str, bytes]]:
    """The register's table pages and each country's, ``TABLE_PAGE`` rows a page."""
    template = env.get_template("table.html")
    by_id = {r["_pid"]: r for r in rows}
    names = dict(base["countries"])
    for group, ids in layout.items():
        chosen = None if tables is None else tables.get(group, set())
        if chosen is not None and not chosen:
            continue
        if group == ALL:
            heading, subtitle, feed = (
                "Every partnership",
                "The whole register.",
                "partnerships.atom",
            )
        else:
            heading, subtitle = names.get(group, group), "Partnerships of its places."
            feed = f"countries/{group.lower()}.atom"
        chunks = table_pages(ids)

        def href(n: int, group: str = group) -> str:
            return table_page_name(group, n).rpartition("/")[2]

        for number, chunk in enumerate(chunks, 1):
            if chosen is not None and number not in chosen:
                continue
            start = (number - 1) * TABLE_PAGE
            yield (
                table_page_name(group, number),
                template.render(
                    **base,
                    root="../",
                    head_feeds=[{"title": heading, "href": config.url(feed)}],
                    heading=heading,
                    subtitle=subtitle,
                    feed_href=config.url(feed),
                    rows=[by_id[i] for i in chunk],
                    number=number,
                    total=len(ids),
                    size=TABLE_PAGE,
                    pages=[(n, href(n)) for n in range(1, len(chunks) + 1)] if number == 1 else [],
                    first=start + 1,
                    last=start + len(chunk),
                    prev=href(number - 1) if number > 1 else None,
                    next=href(number + 1) if number < len(chunks) else None,
                    first_href=href(1),
                ).encode("utf-8"),
            )


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
