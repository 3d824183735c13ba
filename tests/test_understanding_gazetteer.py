"""The gazetteer: names in three scripts, romanizations, provinces, districts, homonyms."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.scraping.items import Story
from crawler.understanding import understand
from crawler.understanding.gazetteer import gazetteer


@pytest.mark.parametrize(
    ("name", "place_id"),
    [
        ("Qingdao", "geonames:1797929"),
        ("Tsingtao", "geonames:1797929"),
        ("青岛市", "geonames:1797929"),
        ("칭다오", "geonames:1797929"),
        ("Kwangju", "geonames:1841811"),
        ("光州", "geonames:1841811"),
        ("Liaoning", "iso3166-2:CN-LN"),
        ("경기도", "iso3166-2:KR-41"),
        ("京畿道", "iso3166-2:KR-41"),
        ("江南区", "own:kr-seoul-gangnam"),
        ("历城区", "own:cn-jinan-licheng"),
        ("Pusan", "geonames:1838524"),
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
    story = Story(
        site="t",
        url="https://t.invalid/1",
        canonical_url="https://t.invalid/1",
        title=title,
        body=body,
        published=datetime(2024, 4, 1, tzinfo=UTC),
        fetched_at=datetime.now(UTC),
    )
    return {p[k]["id"] for p in understand(story).partnerships for k in ("a", "b")}


def test_gwangju_in_gyeonggi_from_context() -> None:
    ids = _pair_ids(
        "Gwangju signs friendship city agreement with Liaocheng",
        [
            "Gwangju, Gyeonggi Province, signed a friendship city agreement with Liaocheng on March 29."
        ],
    )
    assert "geonames:1841810" in ids


def test_gwangju_metropolitan_city_by_default() -> None:
    ids = _pair_ids(
        "Gwangju signs friendship city agreement with Liaocheng",
        ["Gwangju signed a friendship city agreement with Liaocheng on March 29."],
    )
    assert "geonames:1841811" in ids


def test_district_tied_to_its_city() -> None:
    ids = _pair_ids(
        "Licheng District of Jinan and Gangnam District, Seoul renew sister city ties",
        ["Licheng District and Gangnam District became sister cities in 2007."],
    )
    assert ids == {"own:cn-jinan-licheng", "own:kr-seoul-gangnam"}


@pytest.mark.parametrize(
    ("name", "place_id"),
    [
        ("濟州特別自治道", "iso3166-2:KR-49"),
        ("廣州", "geonames:1809858"),
        ("福冈", "geonames:1863967"),
        ("海南", "iso3166-2:CN-HI"),
        ("辽宁", "iso3166-2:CN-LN"),
    ],
)
def test_traditional_simplified_and_short_province_names(name: str, place_id: str) -> None:
    assert place_id in [p.id for p in gazetteer().lookup(name)]


@pytest.mark.parametrize("surname", ["Cheng", "Yang", "Wei", "Peng", "Zhong"])
def test_one_syllable_romanizations_are_not_city_names(surname: str) -> None:
    # GeoNames lists "Cheng" for Zhengzhou; in a story it is a person's surname.
    assert [p for p in gazetteer().lookup(surname) if p.country == "CN"] == []


def test_cache_saves_loads_and_survives_a_broken_file(tmp_path, caplog) -> None:
    from crawler.understanding.gazetteer import Gazetteer, cache_key, load_or_build

    built = load_or_build(tmp_path)
    path = tmp_path / f"gazetteer-{cache_key()}.pickle"
    assert path.is_file()
    loaded = load_or_build(tmp_path)
    assert isinstance(loaded, Gazetteer) and loaded is not built
    assert len(loaded.places) == len(built.places)
    for name in ("Qingdao", "광주광역시", "Gyeonggi", "江南区"):
        assert [p.id for p in loaded.lookup(name)] == [p.id for p in built.lookup(name)]
    assert loaded.get("geonames:1797929") == built.get("geonames:1797929")
    assert [m.text for m in loaded.find_mentions("青岛与大邱")] == ["青岛", "大邱"]

    path.write_bytes(path.read_bytes()[:1000])  # a run killed while writing, say
    rebuilt = load_or_build(tmp_path)
    assert "unreadable" in caplog.text
    assert [p.id for p in rebuilt.lookup("Qingdao")] == [p.id for p in built.lookup("Qingdao")]
    assert load_or_build(tmp_path).get("geonames:1797929") is not None  # written anew


@pytest.mark.parametrize("table", ["data/hanja.yaml", "data/transcription.yaml"])
def test_cache_key_follows_the_reading_tables(monkeypatch, table: str) -> None:
    # The gazetteer indexes names made from these tables: a changed table must build it anew.
    from pathlib import Path

    from crawler.understanding.gazetteer import cache_key

    before = cache_key()
    real = Path.read_bytes

    def edited(self: Path) -> bytes:
        data = real(self)
        return data + b"\n# edited" if self.as_posix().endswith(table) else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert cache_key() != before


@pytest.mark.parametrize(
    ("name", "code"), [("俄羅斯", "RU"), ("俄罗斯", "RU"), ("台灣", "TW"), ("德國", "DE")]
)
def test_country_names_in_both_han_scripts(name: str, code: str) -> None:
    found = gazetteer().find_mentions(f"{name}的城市")
    assert [(m.text, m.country) for m in found] == [(name, code)]


def test_a_foreign_hangul_name_inside_a_longer_word_is_no_place() -> None:
    def names(text: str) -> list[str]:
        return [m.candidates[0].name for m in gazetteer().find_mentions(text) if m.candidates]

    assert "Goma" in names("콩고 고마시와 교류했다")
    assert "Goma" not in names("시민들은 고마워했다")
    assert "Goma" not in names("고마키시와 우호협력을 맺었다")


def test_korean_towns_also_go_by_their_revised_romanization() -> None:
    # GeoNames spells it the McCune-Reischauer way (Hongch'ŏn).
    assert [p.id for p in gazetteer().lookup("Hongcheon County")] == ["geonames:1844191"]


def test_a_transcription_takes_the_namesake_in_the_country_the_story_names() -> None:
    # 산후안 is indexed for Puerto Rico's San Juan; the story is about one in the Philippines.
    ids = _pair_ids(
        "원주시, 산후안시와 자매결연",
        ["원주시 대표단이 필리핀을 방문했다.", "원주시는 산후안시와 자매결연을 맺었다."],
    )
    assert "geonames:1689286" in ids
    assert "geonames:4568127" not in ids
