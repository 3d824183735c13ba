"""A place the gazetteer lacks: recognised by its form, kept with ``id: null`` and its surface
name, and carried through the register into the feeds instead of being dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser

from crawler.understanding import understand
from crawler.understanding.fingerprint import event_key
from crawler.understanding.gazetteer import gazetteer
from crawler.understanding.places import open_mentions
from storage import StoryStore
from storage.feeds import FeedConfig, build_feeds
from tests.storeconf import *  # noqa: F403
from tests.storefactory import make_story

FETCHED = datetime(2025, 6, 3, 1, 0, tzinfo=UTC)


def _open(text: str) -> list[tuple[str, str | None, str]]:
    found = open_mentions(text, gazetteer().find_mentions(text))
    return [(m.text, m.candidates[0].country or None, m.hint or "") for m in found]


def test_suffixed_names_are_places_and_the_stated_country_is_theirs() -> None:
    # An invented prefecture: 미야자키현 itself is in the gazetteer now.
    assert ("조르베크현", "JP", "province") in _open("충북 보은군과 일본 조르베크현의 자매결연")
    assert ("青松郡", "KR", "county") in _open("宿迁市与韩国青松郡缔结友好城市")
    assert ("Zorbek County", None, "county") in _open("It twinned with Zorbek County in 2019.")


def test_common_words_and_offices_are_not_places() -> None:
    assert _open("두 도시는 자매도시 협약을 맺었다") == []
    assert _open("两位市长出席了庆祝两市友好城市的活动") == []
    assert _open("The League signed a sister city agreement") == []


def test_a_name_next_to_a_relation_term_is_a_place() -> None:
    assert [t for t, _, _ in _open("Brampton has a sister city relationship with Zorbekstad.")] == [
        "Zorbekstad"
    ]


def _story() -> object:
    return make_story(
        "asiae",
        "2025060300001",
        "Qingdao signs sister city agreement with Zorbek County",
        [
            "Qingdao signed a sister city agreement with Zorbek County, Kenya, on June 2.",
            "The two cities will exchange students.",
        ],
        fetched=FETCHED,
    )


def test_the_pair_is_kept_with_a_null_id_and_the_surface_name() -> None:
    story = understand(_story())
    assert story.is_partnership_story
    (pair,) = story.partnerships
    unresolved = pair["a"] if pair["a"]["id"] is None else pair["b"]
    assert (unresolved["id"], unresolved["local_name"], unresolved["country"]) == (
        None,
        "Zorbek County",
        "KE",
    )
    assert unresolved["unresolved"] is True
    assert "unresolved:KE:Zorbek County" in event_key(pair)


def test_an_unresolved_pair_reaches_the_register_and_the_feed(
    sqlite_store: StoryStore, tmp_path: Path
) -> None:
    story = understand(_story())
    change = sqlite_store.record(story)
    assert change.partnerships_new == 1
    build_feeds(sqlite_store, tmp_path, FeedConfig(entries=50))
    feed = feedparser.parse((tmp_path / "partnerships.atom").read_bytes())
    (entry,) = feed.entries
    assert "Zorbek County (KE)" in entry.title and "Qingdao (CN)" in entry.title
    marks = [t for t in entry.tags if t.term == "place:unresolved"]
    assert [t.label for t in marks] == ["Zorbek County: not in the gazetteer"]


def test_a_place_of_no_stated_country_gets_no_country_feed(
    sqlite_store: StoryStore, tmp_path: Path
) -> None:
    story = make_story(
        "asiae",
        "2025060300002",
        "Qingdao signs sister city agreement",
        ["Qingdao signed a sister city agreement with Zorbekstad on June 2."],
        fetched=FETCHED,
    )
    story = understand(story)
    (pair,) = story.partnerships
    assert {pair["a"]["country"], pair["b"]["country"]} == {"CN", ""}
    sqlite_store.record(story)
    build_feeds(sqlite_store, tmp_path, FeedConfig(entries=50))
    assert not (tmp_path / "countries" / ".atom").exists()
    assert (tmp_path / "countries" / "cn.atom").exists()
    (entry,) = feedparser.parse((tmp_path / "partnerships.atom").read_bytes()).entries
    assert "" not in {t.term for t in entry.tags}


def test_a_hangul_transcription_is_matched_by_sound_in_the_stated_country() -> None:
    gaz = gazetteer()
    assert gaz.sounding_like("하바로프스크", "RU")[0].name == "Khabarovsk"
    # Korean drops an English r before a consonant and keeps a Russian one.
    assert gaz.sounding_like("스트랫퍼드", "CA")[0].name == "Stratford"
    assert gaz.sounding_like("이르쿠츠크", "RU")[0].name == "Irkutsk"
    # Only in the country the text states, and only when the spellings are alike as well.
    assert gaz.sounding_like("하바로프스크", "JP") == []
    assert all(p.name != "Virginia" for p in gaz.sounding_like("프레즈노", "US"))


def _open_places(text: str) -> dict[str, tuple[str, str, str, str]]:
    found = open_mentions(text, gazetteer().find_mentions(text))
    return {
        m.text: (
            m.candidates[0].id,
            m.candidates[0].name,
            m.candidates[0].country,
            m.candidates[0].level,
        )
        for m in found
    }


def test_a_foreign_town_in_hangul_resolves_to_its_geonames_city() -> None:
    found = _open_places("안산시는 캐나다 스트랫퍼드시와 우호교류를 맺었다")
    assert found["스트랫퍼드시"][1:3] == ("Stratford", "CA")
    assert found["스트랫퍼드시"][0].startswith("geonames:")


def test_a_region_named_after_its_city_stays_unresolved_under_the_city_name() -> None:
    place_id, name, country, level = _open_places(
        "경남도는 러시아 하바로프스크주와 자매결연을 맺었다"
    )["하바로프스크주"]
    assert (name, country, level) == ("Khabarovsk", "RU", "province")
    assert place_id.startswith("unresolved:")


def test_a_ward_after_its_city_and_level_word_takes_that_country() -> None:
    # A ward GeoNames lacks (스미다 is now known by its transcription, Sumida).
    place_id, name, country, level = _open_places(
        "서울 중구는 일본 도쿄도 분쿄구와 자매결연을 맺었다"
    )["분쿄구"]
    assert (name, country, level) == ("Bunkyo", "JP", "district")


def test_a_date_before_a_han_name_is_not_part_of_it() -> None:
    names = [t for t, _, _ in _open("今年2月柯岩堡市与青岛市缔结姊妹城市")]
    assert "柯岩堡市" in names
    assert all(not n.startswith("月") for n in names)


def test_a_country_in_traditional_script_is_stated_for_the_town_after_it() -> None:
    assert ("柯岩堡市", "RU", "city") in _open("青岛市与俄羅斯柯岩堡市缔结友好城市")


def test_korean_districts_of_one_name_in_two_cities_stay_two_places() -> None:
    found = open_mentions(
        "부산 동구와 인천 동구는 중국 칭저우시와 교류했다",
        gazetteer().find_mentions("부산 동구와 인천 동구는 중국 칭저우시와 교류했다"),
    )
    districts = [m.candidates[0] for m in found if m.text == "동구"]
    assert [(p.local_name, p.name) for p in districts] == [
        ("부산 동구", "Dong"),
        ("인천 동구", "Dong"),
    ]
    assert len({p.id for p in districts}) == 2
    assert [gazetteer().get(p.parent).name for p in districts] == ["Busan", "Incheon"]
