"""Classes of errors first seen on real news, each pinned by a made-up story of its shape."""

from __future__ import annotations

from crawler.scraping.items import Story
from crawler.understanding.gazetteer import gazetteer
from tests.understood import pair_names, understood


def _understand(title: str, body: list[str]) -> Story:
    return understood(title, *body, published="2024-05-01T00:00:00+00:00")


_names = pair_names


def test_common_words_are_no_small_towns_names() -> None:
    g = gazetteer()
    for word in ("League", "Republic", "Federal", "青年", "联合", "위해"):
        assert g.lookup(word) == [], word
    assert g.lookup("Ulaanbaatar")  # a big city's other spelling is


def test_possessives_and_accented_names_are_found() -> None:
    text = "Brampton's sister city is Luleå."
    found = {m.text for m in gazetteer().find_mentions(text)}
    assert {"Brampton", "Luleå"} <= found


def test_a_list_sentence_pairs_in_order() -> None:
    story = _understand(
        "Three pairs of cities sign sister city agreements",
        [
            "Qingdao and Busan, Jinan and Suwon, Yantai and Ulsan signed sister city "
            "agreements on April 30."
        ],
    )
    assert _names(story) == {
        frozenset(("Qingdao", "Busan")),
        frozenset(("Jinan", "Suwon")),
        frozenset(("Yantai", "Ulsan")),
    }


def test_an_announced_suspension_is_the_news() -> None:
    story = _understand(
        "Tokyo to suspend exchanges with Moscow",
        [
            "The governor of Tokyo, a sister city of Moscow, said she will suspend exchange "
            "programs between the two cities."
        ],
    )
    (pair,) = story.partnerships
    assert pair["event"] == "suspended"


def test_a_domestic_pair_beside_an_international_one_is_a_co_mention() -> None:
    story = _understand(
        "Lyon and Yokohama become sister cities",
        [
            "Lyon and Yokohama signed a sister city agreement on Monday.",
            "After the sister city ceremony the delegation from Lyon travelled on to Marseille.",
        ],
    )
    assert _names(story) == {frozenset(("Lyon", "Yokohama"))}


def test_a_domestic_pair_alone_is_kept() -> None:
    story = _understand(
        "Zhangye and Xuancheng become friendship cities",
        ["Zhangye and Xuancheng signed a friendship city agreement on Monday."],
    )
    assert _names(story) == {frozenset(("Zhangye", "Xuancheng"))}


def test_years_of_twinning_marked_is_an_anniversary() -> None:
    story = _understand(
        "Lyon marks 25 years of twinning with Yokohama",
        ["Lyon marks 25 years of twinning with Yokohama with a week of concerts."],
    )
    [pair] = story.partnerships
    assert pair["event"] == "anniversary"
    assert pair["since_year"] == 1999


def test_a_pledge_to_reaffirm_is_no_renewal() -> None:
    story = _understand(
        "Lyon and Yokohama celebrate their sister city ties",
        [
            "Lyon and Yokohama on Friday celebrated the 30th anniversary of their sister city "
            "relationship, pledging to reaffirm and deepen their partnership."
        ],
    )
    [pair] = story.partnerships
    assert pair["event"] == "anniversary"


def test_a_transcription_of_unknown_country_beside_a_home_place_is_not_reported() -> None:
    story = _understand(
        "宜兴市与凯山丰威汉市结为友好城市", ["宜兴市与凯山丰威汉市签署友好城市协议。"]
    )
    assert story.is_partnership_story
    assert story.partnerships == []


def test_a_home_place_of_unknown_country_beside_a_foreign_partner_is_reported() -> None:
    # An invented city: the gazetteer knows 통영시 now.
    story = _understand(
        "한빛벌시, 이탈리아 나폴리와 자매결연",
        ["한빛벌시는 15일 이탈리아 나폴리와 자매결연을 체결했다고 밝혔다."],
    )
    assert {p["local_name"] for p in (story.partnerships[0]["a"], story.partnerships[0]["b"])} == {
        "한빛벌시",
        "Naples",
    }


def test_a_place_right_after_its_country_is_the_namesake_there() -> None:
    g = gazetteer()
    # Chinese and Korean names of countries beyond the curated few are known.
    assert [m.country for m in g.find_mentions("필리핀")] == ["PH"]
    assert [m.country for m in g.find_mentions("加拿大")] == ["CA"]
    story = _understand(
        "홍천군, 필리핀 산후안시와 자매결연",
        ["홍천군은 필리핀 산후안시와 자매결연 협정을 체결했다고 밝혔다."],
    )
    [pair] = story.partnerships
    assert {pair["a"]["country"], pair["b"]["country"]} == {"KR", "PH"}


def test_a_list_is_anchored_on_the_place_that_has_it() -> None:
    story = _understand(
        "Lyon signs a sister city agreement with Yokohama",
        [
            "Lyon signed a sister city agreement with Yokohama on Monday.",
            "Yokohama is a port city and Yokohama is proud of its port.",
            "In addition to Yokohama, Lyon has three other sister cities: Montreal, Canada, "
            "Leipzig, Germany and Birmingham, England.",
        ],
    )
    pairs = _names(story)
    assert frozenset(("Lyon", "Leipzig")) in pairs
    assert not any("Yokohama" in p and "Leipzig" in p for p in pairs)


def test_two_partners_of_the_speaker_are_not_paired_together() -> None:
    story = _understand(
        "부산-나고야 자매결연",
        [
            "부산시는 29일 나고야시와 자매결연 협정을 체결했다.",
            "시장은 “나고야시와 자매결연은 지난해 상하이시와 자매결연을 맺은 데 이어 "
            "두 번째”라고 말했다.",
        ],
    )
    pairs = _names(story)
    assert frozenset(("Busan", "Shanghai")) in pairs
    assert frozenset(("Nagoya", "Shanghai")) not in pairs
