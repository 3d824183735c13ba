"""Stories for the store, register and feed tests, built the way the pipelines fill them.

The facts come from the project's seed stories (Binzhou–Goyang 25th anniversary, Gwangju–Qingdao
agreement of 2024-11-21, Licheng–Gangnam renewed ties, Qingdao's network of 86 cities); the
sentences are our own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from crawler.scraping.items import RawPage, Story

KST = timezone(timedelta(hours=9))
CST = timezone(timedelta(hours=8))

QINGDAO = {
    "name": "Qingdao",
    "local_name": "青岛",
    "country": "CN",
    "level": "city",
    "id": "geonames:1797929",
    "parent": "Shandong",
}
GWANGJU = {
    "name": "Gwangju",
    "local_name": "광주",
    "country": "KR",
    "level": "city",
    "id": "geonames:1841811",
    "parent": "Gwangju",
}
GWANGJU_GG = {
    "name": "Gwangju",
    "local_name": "광주시",
    "country": "KR",
    "level": "city",
    "id": "geonames:1842025",
    "parent": "iso3166-2:KR-41",
    "parent_name": "Gyeonggi",
}
BINZHOU = {
    "name": "Binzhou",
    "local_name": "滨州",
    "country": "CN",
    "level": "city",
    "id": "geonames:1816336",
    "parent": "Shandong",
}
GOYANG = {
    "name": "Goyang",
    "local_name": "고양",
    "country": "KR",
    "level": "city",
    "id": "geonames:1842485",
    "parent": "Gyeonggi",
}
LICHENG = {
    "name": "Licheng",
    "local_name": "历城区",
    "country": "CN",
    "level": "district",
    "id": "geonames:1803331",
    "parent": "Jinan",
}
GANGNAM = {
    "name": "Gangnam",
    "local_name": "강남구",
    "country": "KR",
    "level": "district",
    "id": "geonames:8224650",
    "parent": "Seoul",
}


def pair(a: dict[str, Any], b: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A partnership dict as the understanding stage writes it: smaller id in ``a``."""
    first, second = sorted((a, b), key=lambda p: p["id"])
    return {
        "a": first,
        "b": second,
        "relation": "sister",
        "event": "mentioned",
        "since_year": None,
        "event_date": None,
        "evidence": "",
        **fields,
    }


def make_story(
    site: str,
    article: str,
    title: str,
    body: list[str],
    *,
    fetched: datetime,
    published: datetime | None = None,
    partnerships: list[dict[str, Any]] | None = None,
    network_sizes: list[dict[str, Any]] | None = None,
    parser_version: str | None = None,
    raw_html: str | None = None,
    confidence: float | None = 0.9,
    duplicate_of: str | None = None,
) -> Story:
    url = f"https://{site}.example/{article}"
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    html = raw_html if raw_html is not None else f"<html><h1>{title}</h1>{paragraphs}</html>"
    content = json.dumps([title, body], ensure_ascii=False)
    published = published or fetched
    return Story(
        site=site,
        url=url,
        canonical_url=url,
        title=title,
        published=published,
        published_source="dateline",
        language="en",
        body=list(body),
        pages=[url],
        parser_version=parser_version or f"{site}/1",
        fetched_at=fetched,
        raw=[
            RawPage(
                url=url,
                status=200,
                headers={"Content-Type": "text/html; charset=utf-8"},
                body=html.encode(),
            )
        ],
        story_id=f"{site}/{published:%Y%m%d}/{article}",
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
        is_partnership_story=bool(partnerships),
        confidence=confidence if partnerships else 0.1,
        partnerships=partnerships or [],
        network_sizes=network_sizes or [],
        duplicate_of=duplicate_of,
        duplicate_kind="near" if duplicate_of else None,
    )


def asiae_gwangju_qingdao(
    fetched: datetime, body_extra: list[str] | None = None, **kw: Any
) -> Story:
    return make_story(
        "asiae",
        "2024112211525203153",
        "Gwangju and Qingdao sign a sister city agreement",
        [
            "Gwangju said on the 22nd that it signed a sister city cooperation agreement with Qingdao "
            "at Qingdao City Hall on the 21st.",
            "It is the city's first agreement with a Chinese city in seven years.",
            *(body_extra or []),
        ],
        fetched=fetched,
        published=datetime(2024, 11, 22, 11, 52, tzinfo=KST),
        partnerships=[
            pair(
                GWANGJU,
                QINGDAO,
                relation="sister",
                event="established",
                event_date="2024-11-21",
                evidence="Gwangju signed a sister city cooperation agreement with Qingdao on the 21st.",
            )
        ],
        **kw,
    )


def chinadaily_qingdao_gwangju(
    fetched: datetime, article: str = "c_1050223", days: int = 0
) -> Story:
    return make_story(
        "chinadaily_shandong",
        article,
        "Qingdao forms friendly cooperation ties with Gwangju",
        [
            "Qingdao and Gwangju of South Korea signed a friendly cooperation agreement on Nov 21.",
            "The two cities plan exchanges in trade, tourism and education.",
        ],
        fetched=fetched,
        published=datetime(2024, 11, 27, 9, 0, tzinfo=CST) + timedelta(days=days),
        partnerships=[
            pair(
                QINGDAO,
                GWANGJU,
                relation="friendly_cooperation",
                event="established",
                event_date="2024-11-21",
                evidence="Qingdao and Gwangju signed a friendly cooperation agreement on Nov 21.",
            )
        ],
    )


def binzhou_goyang(fetched: datetime) -> Story:
    return make_story(
        "chinadaily_shandong",
        "c_692691",
        "Binzhou celebrates 25th sister city anniversary with Goyang",
        [
            "Binzhou held an online conference with Goyang on Dec 6 to mark 25 years as sister cities.",
            "Goyang's mayor said Binzhou was the city's first international sister city.",
        ],
        fetched=fetched,
        published=datetime(2021, 12, 16, 10, 0, tzinfo=CST),
        partnerships=[
            pair(
                BINZHOU,
                GOYANG,
                relation="sister",
                event="anniversary",
                since_year=1996,
                event_date="2021-12-06",
                evidence="Binzhou and Goyang marked the 25th anniversary of their sister city ties.",
            )
        ],
    )


def licheng_gangnam(fetched: datetime, since_year: int = 2007) -> Story:
    return make_story(
        "china_org_cn",
        "content_43087770",
        "Licheng and Gangnam renew sister city ties",
        [
            f"Licheng District and Gangnam District became sister cities in {since_year}.",
            "A Jinan delegation visited Gangnam on April 10.",
        ],
        fetched=fetched,
        published=datetime(2025, 4, 18, 16, 33, tzinfo=CST),
        partnerships=[
            pair(
                LICHENG,
                GANGNAM,
                relation="sister",
                event="renewed",
                since_year=since_year,
                event_date="2025-04-10",
                evidence=f"Licheng and Gangnam officially became sister cities in {since_year}.",
            )
        ],
    )


def qingdao_network(fetched: datetime) -> Story:
    return make_story(
        "chinesetoday",
        "12245",
        "Qingdao expands its sister-city network",
        ["Qingdao has friendly relations with 86 cities in 48 countries, officials said."],
        fetched=fetched,
        published=datetime(2023, 10, 6, 9, 0, tzinfo=CST),
        network_sizes=[
            {
                "place": QINGDAO,
                "cities": 86,
                "countries": 48,
                "as_of": "2023-10-06",
                "evidence": "Qingdao has friendly relations with 86 cities in 48 countries.",
            }
        ],
    )


def not_partnership(fetched: datetime) -> Story:
    return make_story(
        "asiae",
        "2024120110000000001",
        "Port cargo volumes rise",
        ["Cargo volumes at the port rose four percent in November."],
        fetched=fetched,
    )


OSAKA = {
    "name": "Osaka",
    "local_name": "大阪",
    "country": "JP",
    "level": "city",
    "id": "geonames:1853909",
    "parent": "Osaka",
}


def register_history(start: datetime) -> list[list[Story]]:
    """Batches of stories, each a crawl's worth, that change the register page by page in the
    ways an incremental build must follow: new pairs and places, a new country (every filter
    list changes), a second source with no change logged, a network size alone, a field edit,
    a retraction (its places lose their only pair), a copy of a story (same source, higher
    confidence) and an edition of an older story."""
    from benchmarks import synthetic

    def at(hours: int) -> datetime:
        return start + timedelta(hours=hours)

    osaka = pair(QINGDAO, OSAKA, relation="friendship", event="exchange", event_date="2025-04-01")
    return [
        [asiae_gwangju_qingdao(at(0)), binzhou_goyang(at(1))]
        + [synthetic.story(n) for n in range(6)],
        [make_story("asiae", "osaka", "Qingdao and Osaka", ["Exchange."], fetched=at(2))],
        [
            make_story(
                "asiae",
                "osaka",
                "Qingdao and Osaka",
                ["Qingdao and Osaka held an exchange."],
                fetched=at(3),
                partnerships=[osaka],
            )
        ],
        [licheng_gangnam(at(4))],
        [chinadaily_qingdao_gwangju(at(5))],
        [qingdao_network(at(6))],
        [licheng_gangnam(at(7), since_year=2008), not_partnership(at(7))],
        [
            make_story(
                "chinadaily_shandong",
                "c_692691",
                "Binzhou news",
                ["No ties mentioned."],
                fetched=at(8),
                published=datetime(2021, 12, 16, 10, 0, tzinfo=CST),
            )
        ],
        [
            make_story(
                "chinesetoday",
                "osaka-copy",
                "Qingdao and Osaka",
                ["Qingdao and Osaka held an exchange."],
                fetched=at(9),
                partnerships=[osaka],
                confidence=0.97,
                duplicate_of="asiae/20250501/osaka",
            )
        ],
        [synthetic.story(n) for n in range(6, 9)] + [synthetic.story(2, edition=2)],
    ]


def build_through_history(
    store: Any, folder: Path, config: Any, start: datetime
) -> Iterator[tuple[int, Path, Path]]:
    """Replay ``register_history``: file each batch in ``store``, then build the feeds
    incrementally into ``folder / "incremental"`` (one folder for every step) and in full
    into a new ``folder / "full-<step>"``; yields (step, incremental folder, full folder) for
    the caller to compare after each batch."""
    from storage.feeds import build_feeds

    incremental = folder / "incremental"
    for step, batch in enumerate(register_history(start)):
        for story in batch:
            store.record(story)
        build_feeds(store, incremental, config)
        full = folder / f"full-{step}"
        build_feeds(store, full, config, full=True)
        yield step, incremental, full
