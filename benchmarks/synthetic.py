"""Synthetic stories for the store and feed benchmarks, filled in the way the pipelines fill them.

Story ``n`` reports one partnership, so recording it adds exactly one change to the register's
log. The pairs come from a fixed pool of 60 Chinese and 120 Korean places (7,200 pairs) in a
shuffled order: after the first few hundred stories every place, and so every city feed,
exists, and a bigger store has more history per feed rather than more feeds. Place ids are
``bench:<country>:<n>``, names are made up; nothing here claims a real partnership.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

from crawler.scraping.items import RawPage, Story

SITES = ("asiae", "china_org_cn", "chinadaily_shandong", "chinesetoday")
CN_PLACES = 60
KR_PLACES = 120
START = datetime(2020, 1, 1, 9, 0, tzinfo=UTC)
_PAIRS = list(product(range(CN_PLACES), range(KR_PLACES)))
random.Random(7).shuffle(_PAIRS)
MAX_STORIES = len(_PAIRS)

PARAGRAPHS = [
    "Officials from both cities met at the city hall to sign the agreement on {day}.",
    "The two sides agreed to work together on trade, tourism, education and culture.",
    "A youth exchange programme and a joint trade fair are planned for next year.",
    "The mayor said the partnership would bring the people of both cities closer.",
    "Delegations will visit each other every year under the agreement.",
]


def place(country: str, number: int) -> dict[str, Any]:
    name = f"{'Hexi' if country == 'CN' else 'Namsan'} {number:03d}"
    return {
        "name": name,
        "local_name": name,
        "country": country,
        "level": "city",
        "id": f"bench:{country.lower()}:{number:03d}",
        "parent": "Shandong" if country == "CN" else "Gyeonggi",
    }


def story(n: int, *, edition: int = 1, fetched: datetime | None = None) -> Story:
    """Story ``n`` (0-based) at ``edition`` (2 and later change the last paragraph)."""
    if n >= MAX_STORIES:
        raise ValueError(f"at most {MAX_STORIES} synthetic stories, not {n + 1}")
    cn, kr = _PAIRS[n]
    a, b = sorted((place("CN", cn), place("KR", kr)), key=lambda p: p["id"])
    site = SITES[n % len(SITES)]
    published = START + timedelta(hours=6 * n)
    day = published.date()
    title = f"{a['name']} and {b['name']} sign sister city agreement"
    body = [p.format(day=day.isoformat()) for p in PARAGRAPHS]
    if edition > 1:
        body[-1] = f"Delegations will visit each other twice a year (update {edition})."
    url = f"https://{site}.example/news/{day:%Y%m%d}/{n}.html"
    html = f"<html><body><h1>{title}</h1>{''.join(f'<p>{p}</p>' for p in body)}</body></html>"
    partnership = {
        "a": a,
        "b": b,
        "relation": "sister",
        "event": "established",
        "since_year": day.year,
        "event_date": day.isoformat(),
        "evidence": body[0],
    }
    return Story(
        site=site,
        url=url,
        canonical_url=url,
        title=title,
        published=published,
        published_source="dateline",
        language="en",
        body=body,
        pages=[url],
        extraction="site",
        parser_version=f"{site}/1",
        fetched_at=fetched or published + timedelta(hours=1),
        raw=[
            RawPage(
                url=url,
                status=200,
                headers={"Content-Type": "text/html; charset=utf-8"},
                body=html.encode("utf-8"),
            )
        ],
        paragraph_languages=["en"] * len(body),
        story_id=f"{site}/{day:%Y%m%d}/{n}",
        content_hash=hashlib.sha256("\n".join([title, *body]).encode()).hexdigest(),
        event_keys=[f"{a['id']}|{b['id']}|established|{day.isoformat()}"],
        is_partnership_story=True,
        confidence=0.9,
        partnerships=[partnership],
        network_sizes=[],
    )
