"""Which places a relation sentence links: made-up sentences in English, Chinese and Korean."""

from __future__ import annotations

import pytest

from tests.understood import pair_names, understood


def _pairs(title: str, *body: str) -> set[frozenset[str]]:
    return pair_names(understood(title, *body, published="2024-05-01T00:00:00+00:00"))


def _pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Two pairs of cities sign sister city agreements",
            "Jeonju and Suzhou, Dalian and Ulsan signed sister city agreements on Monday.",
            {_pair("Jeonju", "Suzhou"), _pair("Dalian", "Ulsan")},
        ),
        (
            "友好城市签约",
            "苏州市与全州市、大连市与蔚山市签署了友好城市协议。",
            {_pair("Jeonju", "Suzhou"), _pair("Dalian", "Ulsan")},
        ),
        (
            "자매결연 체결",
            "수원시와 하노이시, 울산시와 다롄시가 자매결연을 체결했다.",
            {_pair("Suwon", "Hanoi"), _pair("Dalian", "Ulsan")},
        ),
    ],
)
def test_a_list_of_pairs_is_read_pair_by_pair(
    title: str, body: str, expected: set[frozenset[str]]
) -> None:
    assert _pairs(title, body) == expected


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Sister city forum opens",
            "At the forum held in Hangzhou, Suzhou and Jeonju signed a sister city agreement.",
        ),
        ("友好城市大会开幕", "在杭州举行的友好城市大会上,苏州市与全州市签署了友好城市协议。"),
        (
            "자매도시 회의",
            "항저우에서 열린 자매도시 회의에서 쑤저우시와 전주시가 자매결연을 체결했다.",
        ),
    ],
)
def test_the_host_of_a_meeting_is_not_a_partner(title: str, body: str) -> None:
    assert _pairs(title, body) == {_pair("Suzhou", "Jeonju")}


def test_a_locator_written_right_before_a_place_is_not_its_partner() -> None:
    found = _pairs(
        "台山市与巴西圣若泽多斯坎波斯市签署友好合作备忘录",
        "台山市与巴西圣保罗州圣若泽多斯坎波斯市友好合作关系备忘录签约仪式在线上举行。",
    )
    assert found == {_pair("Taishan", "São José dos Campos")}


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Coventry pauses twinning with Volgograd",
            [
                "Coventry City Council wrote to Volgograd to pause the twinning link.",
                "The council also plans a twinning link with the Ukrainian city of Mariupol.",
            ],
            {_pair("Coventry", "Volgograd"), _pair("Coventry", "Mariupol")},
        ),
        (
            "湘潭市代表团出访",
            ["湘潭市代表团近日出访。", "2015年,该市与日本大分市缔结友好城市关系。"],
            {_pair("Xiangtan", "Ōita")},
        ),
        (
            "양주시, 일본 교류 일정 취소",
            [
                "양주시가 일본 방문 일정을 취소했다.",
                "시는 2012년 일본 오이타시와 자매결연을 체결했다.",
            ],
            {_pair("Yangju", "Ōita")},
        ),
    ],
)
def test_a_lone_partner_beside_a_relation_term_pairs_with_the_story_subject(
    title: str, body: list[str], expected: set[frozenset[str]]
) -> None:
    assert _pairs(title, *body) == expected


def test_a_lone_place_far_after_the_term_in_han_text_is_no_partner() -> None:
    # Chinese writes the partner before the term; a place after it is something else.
    found = _pairs(
        "湘潭市与大分市缔结友好城市",
        "湘潭市与日本大分市缔结友好城市。",
        "两市缔结友好城市后,代表团还将访问东京。",
    )
    assert found == {_pair("Xiangtan", "Ōita")}


def test_our_city_is_the_story_subject() -> None:
    found = _pairs(
        "张掖市与安徽宣城市缔结友好城市",
        "张掖市代表团赴安徽访问。",
        "在兰州举行的甘肃省与安徽省合作协议签约仪式上,我市与安徽宣城市正式缔结为友好城市。",
    )
    assert found == {_pair("Zhangye", "Xuancheng")}


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "수원시, 베트남 후에시와 자매결연",
            [
                "수원시는 베트남 후에시와 자매결연 협약을 맺었다고 14일 밝혔다.",
                "시의 해외도시 자매결연은 2010년 일본 아사히카와시 이후 14년 만이다.",
            ],
            {("Suwon", "Huế"), ("Suwon", "Asahikawa")},
        ),
        (
            "苏州市与越南顺化市结为友好城市",
            [
                "苏州市与越南顺化市签署协议，正式结为友好城市。",
                "此前苏州市最近一次缔结友好城市是日本金泽市。",
            ],
            {("Suzhou", "Huế"), ("Suzhou", "Kanazawa")},
        ),
    ],
)
def test_a_partner_written_after_the_relation_term_is_paired_with_the_subject(
    title: str, body: list[str], expected: set[tuple[str, str]]
) -> None:
    """Korean and Chinese also write a lone partner after the relation term ("자매결연은 …
    아사히카와시 이후", "缔结友好城市是金泽市"): it is the story's subject's partner."""
    assert _pairs(title, *body) == {_pair(a, b) for a, b in expected}


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Denver choir honoured",
            [
                "Denver and Takayama became sister cities in 1960.",
                "The sister city choir of Denver sang at the John F. Kennedy Center last week.",
            ],
            {("Denver", "Takayama")},
        ),
        (
            "수원시, 베트남 후에시와 자매결연",
            [
                "수원시는 베트남 후에시와 자매결연 협약을 맺었다.",
                "후에시 세종학당 학생들도 자매결연 협약식에 참석했다.",
            ],
            {("Suwon", "Huế")},
        ),
        (
            "苏州市与越南顺化市结为友好城市",
            [
                "苏州市与越南顺化市签署协议，正式结为友好城市。",
                "顺化市长还参观了苏州市的友好城市合作交流中心，南京中心也派员出席。",
            ],
            {("Suzhou", "Huế")},
        ),
    ],
)
def test_an_organisation_named_after_a_place_is_no_partner(
    title: str, body: list[str], expected: set[tuple[str, str]]
) -> None:
    """A centre, an institute or a school named after a person or a city ("Kennedy Center",
    "세종학당", "南京中心") is no partner of the pair."""
    assert _pairs(title, *body) == {_pair(a, b) for a, b in expected}
