"""The gazetteer: names in three scripts, romanizations, provinces, districts, homonyms."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.items import Story
from crawler.understanding import understand
from crawler.understanding.gazetteer import gazetteer


@pytest.mark.parametrize(
    ("name", "place_id"),
    [
        ("Qingdao", "geonames:1797929"), ("Tsingtao", "geonames:1797929"), ("青岛市", "geonames:1797929"),
        ("칭다오", "geonames:1797929"), ("Kwangju", "geonames:1841811"), ("光州", "geonames:1841811"),
        ("Liaoning", "iso3166-2:CN-LN"), ("경기도", "iso3166-2:KR-41"), ("京畿道", "iso3166-2:KR-41"),
        ("江南区", "own:kr-seoul-gangnam"), ("历城区", "own:cn-jinan-licheng"), ("Pusan", "geonames:1838524"),
    ],
)
def test_names_in_three_scripts_and_romanizations(name: str, place_id: str) -> None:
    assert place_id in [p.id for p in gazetteer().lookup(name)]


def test_places_carry_english_and_local_names() -> None:
    gwangju = gazetteer().get("geonames:1841811")
    assert (gwangju.name, gwangju.local_name, gwangju.country) == ("Gwangju", "광주광역시", "KR")
    gangnam = gazetteer().get("own:kr-seoul-gangnam")
    assert gangnam.level == "district" and gangnam.parent == "geonames:1835848"


def _pair_ids(title: str, body: list[str]) -> set[str]:
    story = Story(site="t", url="https://t.invalid/1", canonical_url="https://t.invalid/1", title=title,
                  body=body, published=datetime(2024, 4, 1, tzinfo=UTC), fetched_at=datetime.now(UTC))
    return {p[k]["id"] for p in understand(story).partnerships for k in ("a", "b")}


def test_gwangju_in_gyeonggi_from_context() -> None:
    ids = _pair_ids("Gwangju signs friendship city agreement with Liaocheng",
                    ["Gwangju, Gyeonggi Province, signed a friendship city agreement with Liaocheng on March 29."])
    assert "geonames:1841810" in ids


def test_gwangju_metropolitan_city_by_default() -> None:
    ids = _pair_ids("Gwangju signs friendship city agreement with Liaocheng",
                    ["Gwangju signed a friendship city agreement with Liaocheng on March 29."])
    assert "geonames:1841811" in ids


def test_district_tied_to_its_city() -> None:
    ids = _pair_ids("Licheng District of Jinan and Gangnam District, Seoul renew sister city ties",
                    ["Licheng District and Gangnam District became sister cities in 2007."])
    assert ids == {"own:cn-jinan-licheng", "own:kr-seoul-gangnam"}
