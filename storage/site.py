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
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.exports import country_name, partnership_history, register_rows
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
    for r in rows:
        r["country_a_name"] = country_name(r["country_a"])
        r["country_b_name"] = country_name(r["country_b"])
        r["relation_words"] = _relation_words(r["relation"])
        r["also_words"] = ", ".join(_relation_words(v) for v in r["also_called"])
    return rows


def _choices(rows: list[dict[str, Any]]) -> dict[str, Any]:
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
    pairs: set[int] | None = None,
) -> dict[str, bytes]:
    """Every page by file name. ``latest``: (date, title, pair id) of the newest changes;
    ``feeds``: {title, href, latest} of each feed; ``pairs``: ids of the pairs whose pages
    need rendering (None: all). The index and place pages are always rendered; health.html
    comes from ``render_health``."""
    env = environment()
    rows = _decorate(register_rows(session))
    places = {p.id: p for p in session.scalars(select(PlaceRecord))}
    base = {
        "version": config.version,
        **_choices(rows),
    }
    files: dict[str, bytes] = {}
    by_key = {r["_key"]: r for r in rows}
    used_places = {pid for key in by_key for pid in key.split("|")}
    story_count = int(session.scalar(select(func.count(StoryRecord.id))) or 0)
    files["index.html"] = (
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
        .encode("utf-8")
    )
    place_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, r in by_key.items():
        for pid in key.split("|"):
            place_rows[pid].append(r)
    sizes: dict[str, list[str]] = defaultdict(list)
    for size in session.scalars(
        select(NetworkSize).where(NetworkSize.active.is_(True)).order_by(NetworkSize.as_of)
    ):
        parts = [
            f"{size.cities} partner cities" if size.cities else "",
            f"in {size.countries} countries" if size.countries else "",
        ]
        text = " ".join(p for p in parts if p)
        if text:
            sizes[size.place_id].append(f"{text} (as of {size.as_of})")
    place_template = env.get_template("place.html")
    for pid, prow in place_rows.items():
        place = places[pid]
        files[f"places/{place.slug}.html"] = place_template.render(
            **base,
            root="../",
            head_feeds=[{"title": place.name, "href": config.url(f"cities/{place.slug}.atom")}],
            heading=place.name,
            local=place.local_name,
            subtitle=f"{country_name(place.country)}.",
            rows=prow,
            sizes=sizes.get(pid, []),
            feed_href=config.url(f"cities/{place.slug}.atom"),
        ).encode("utf-8")
    for code, name in base["countries"]:
        crow = [r for r in rows if code in (r["country_a"], r["country_b"])]
        files[f"countries/{code.lower()}.html"] = place_template.render(
            **base,
            root="../",
            head_feeds=[{"title": name, "href": config.url(f"countries/{code.lower()}.atom")}],
            heading=name,
            local=None,
            subtitle="Partnerships of its places.",
            rows=crow,
            sizes=[],
            feed_href=config.url(f"countries/{code.lower()}.atom"),
        ).encode("utf-8")
    pair_template = env.get_template("pair.html")
    query = select(Partnership)
    if pairs is not None:
        query = query.where(Partnership.id.in_(pairs))
    for p in session.scalars(query):
        history = partnership_history(session, p)
        a, b = places[p.place_a_id], places[p.place_b_id]
        row = by_key.get(p.key)
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
            for c in reversed(history["changes"])
        ]
        files[f"pairs/{history['id']}.html"] = pair_template.render(
            **base,
            root="../",
            head_feeds=[],
            a={**vars_of(a), "country_name": country_name(a.country)},
            b={**vars_of(b), "country_name": country_name(b.country)},
            row=row,
            changes=changes,
        ).encode("utf-8")
    for name in STATIC:
        files[name] = resources.files("storage").joinpath("templates", name).read_bytes()
    return files


def vars_of(place: PlaceRecord) -> dict[str, Any]:
    return {"name": place.name, "local_name": place.local_name, "slug": place.slug}
