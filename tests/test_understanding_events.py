"""Events per pair, in English, Korean and Chinese: what a story reports about a partnership.

The sentences are written for these tests (no corpus text): one story per language and event,
plus the ways an old tie shows itself (a founding told as background, an anniversary, "its
sister city") that turn a signing or a visit under it into something other than a founding.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawler.understanding.rules import EVENT_CUES_DIR, compile_rules, load_event_cues, rules
from tests.understood import understood


def _events(title: str, *body: str, published: str = "2025-09-05T07:00:00+00:00") -> set[str]:
    """The events of the story's pairs."""
    return {p["event"] for p in understood(title, *body, published=published).partnerships}


def _pairs(title: str, *body: str) -> dict[frozenset[str], str]:
    story = understood(title, *body)
    return {frozenset((p["a"]["name"], p["b"]["name"])): p["event"] for p in story.partnerships}


ENGLISH = [
    (
        "established",
        "Suwon and Jinan sign sister city agreement",
        "Suwon signed a sister city agreement with Jinan on Tuesday at its city hall.",
    ),
    (
        "anniversary",
        "Daegu and Qingdao mark 30th anniversary of sister city ties",
        "Daegu and Qingdao celebrated the 30th anniversary of their sister city ties on Monday.",
    ),
    (
        "exchange",
        "Kobe delegation visits sister city Seattle",
        "A delegation from Kobe visited its sister city Seattle on Monday to talk about port work.",
        "Seattle and Kobe have been sister cities since 1957.",
    ),
    (
        "renewed",
        "Incheon and Tianjin renew friendship city agreement",
        "Incheon and Tianjin renewed their friendship city agreement on Friday for five years.",
    ),
    (
        "upgraded",
        "Jinan and Suwon upgrade ties",
        "Jinan and Suwon upgraded their friendship city ties to sister city status on Thursday.",
    ),
    (
        "suspended",
        "Tokyo suspends exchanges with sister city Moscow",
        "Tokyo said on Friday it has suspended all exchange programmes with its sister city Moscow.",
    ),
    (
        "suspended",
        "Nagoya calls off mayor's trip",
        "Nagoya called off the visit of a delegation to its sister city Nanjing this autumn.",
    ),
    (
        "terminated",
        "Prague ends sister city partnership with Beijing",
        "Prague's council voted on Monday to end the sister city partnership with Beijing.",
    ),
    (
        "terminated",
        "Vilnius cuts ties with Russian sister city",
        "Vilnius cut ties with its sister city Saint Petersburg on Tuesday.",
    ),
]

KOREAN = [
    (
        "established",
        "대구시-칭다오시 자매결연",
        "대구시는 중국 칭다오시와 자매결연 협정을 체결했다고 5일 밝혔다.",
    ),
    (
        "established",
        "부산시-상하이시 자매결연",
        "부산시는 4일 시청에서 중국 상하이시와 자매결연했다고 밝혔다.",
    ),
    (
        "anniversary",
        "대구시-칭다오시 자매결연 30주년",
        "대구시와 칭다오시는 4일 자매결연 30주년 기념식을 열었다.",
    ),
    (
        "exchange",
        "인천시 대표단, 자매도시 톈진시 방문",
        "인천시 대표단은 4일 자매도시인 중국 톈진시를 방문해 항만 협력을 논의했다.",
    ),
    (
        "renewed",
        "부산시-상하이시 자매결연 협정 갱신",
        "부산시와 상하이시는 4일 자매결연 협정을 갱신했다.",
    ),
    (
        "upgraded",
        "수원시-지난시, 자매도시로 격상",
        "수원시와 중국 지난시는 4일 우호도시 관계를 자매도시로 격상했다.",
    ),
    (
        "suspended",
        "서울시, 도쿄도와 교류 중단",
        "서울시는 자매도시인 일본 도쿄도와의 교류를 전면 중단하기로 했다고 4일 밝혔다.",
    ),
    (
        "terminated",
        "부산시, 블라디보스토크시와 자매결연 해지",
        "부산시는 러시아 블라디보스토크시와의 자매결연을 해지했다고 4일 밝혔다.",
    ),
]

CHINESE = [
    (
        "established",
        "青岛市与大邱市缔结友好城市关系",
        "9月4日，青岛市与韩国大邱市正式签署友好城市协议。",
    ),
    (
        "anniversary",
        "天津市与仁川市庆祝结好30周年",
        "9月4日，天津市与韩国仁川市举行友好城市结好30周年纪念活动。",
    ),
    (
        "exchange",
        "济南市代表团访问友好城市水原市",
        "9月3日，济南市代表团访问了韩国友好城市水原市，双方就经贸合作进行了会谈。",
    ),
    (
        "renewed",
        "上海市与釜山市续签友好城市协议",
        "9月4日，上海市与韩国釜山市续签友好城市合作协议。",
    ),
    (
        "upgraded",
        "济南市与水原市关系升级",
        "9月4日，济南市与韩国水原市将友好交流关系提升为友好城市关系。",
    ),
    (
        "suspended",
        "布拉格暂停与北京的友好城市交流",
        "布拉格市9月4日宣布暂停与北京市的友好城市交流活动。",
    ),
    (
        "terminated",
        "布拉格解除与北京的友好城市关系",
        "布拉格市议会9月4日投票决定解除与北京市的友好城市关系。",
    ),
]


@pytest.mark.parametrize(
    ("event", "title", "body"),
    [(e, t, b) for e, t, *b in ENGLISH + KOREAN + CHINESE],
    ids=[
        f"{lang}-{case[0]}-{i}"
        for lang, cases in (("en", ENGLISH), ("ko", KOREAN), ("zh", CHINESE))
        for i, case in enumerate(cases)
    ],
)
def test_each_event_in_each_language(event: str, title: str, body: list[str]) -> None:
    assert _events(title, *body) == {event}


def test_a_signing_between_old_partners_is_not_a_founding() -> None:
    # The tie began before the story's year: the memorandum renews it.
    assert _events(
        "Incheon and Tianjin sign memorandum",
        "Incheon and Tianjin, friendship cities since 1993, signed a new friendship city "
        "memorandum on Friday.",
    ) == {"renewed"}


def test_a_founding_told_as_background_leaves_the_visit_as_the_news() -> None:
    assert _events(
        "인천시 대표단, 톈진시 방문",
        "인천시 대표단은 4일 중국 톈진시를 방문했다.",
        "인천시와 톈진시는 1993년 우호도시 협정을 체결한 이후 교류를 이어왔다.",
    ) == {"exchange"}
    assert _events(
        "济南市代表团访问水原市",
        "9月3日，济南市代表团访问韩国水原市。",
        "济南市与水原市自2003年结为友好城市以来，两市交流不断。",
    ) == {"exchange"}


def test_an_anniversary_beats_the_signing_that_marks_it() -> None:
    # A memorandum signed at the anniversary under the old tie does not make it a founding.
    assert _events(
        "대구시-칭다오시 자매결연 30주년",
        "대구시와 칭다오시는 자매결연 30주년을 맞아 4일 청년 교류 양해각서를 체결했다.",
        "두 도시는 1993년 자매결연을 맺은 뒤 교류를 이어왔다.",
    ) == {"anniversary"}


def test_last_years_signing_is_background_to_this_years() -> None:
    pairs = _pairs(
        "Busan signs friendly cooperation city agreement with Samarkand",
        "Busan signed a friendly cooperation city agreement with Samarkand on Thursday.",
        "Last year Busan signed a friendly cooperation city agreement with Almaty.",
    )
    assert pairs[frozenset(("Busan", "Samarkand"))] == "established"
    assert pairs[frozenset(("Busan", "Almaty"))] == "mentioned"


def test_a_planned_signing_is_only_mentioned_but_a_planned_suspension_is_news() -> None:
    assert _events(
        "Prague expected to sign sister city agreement with Taipei",
        "Prague is expected to sign a sister city agreement with Taipei next month.",
    ) <= {"mentioned"}
    assert _events(
        "Tokyo to suspend exchanges with Moscow",
        "Tokyo will suspend exchange programmes with its sister city Moscow, the governor said.",
    ) == {"suspended"}


def test_every_language_file_is_loaded_and_shipped() -> None:
    languages = sorted(p.stem for p in Path(EVENT_CUES_DIR).glob("*.yaml"))
    assert languages == ["en", "ko", "zh"]
    r = rules()
    for event, patterns in r.events:
        assert len(patterns) >= len(languages), event  # each language gives each event a cue


def test_unknown_labels_in_cue_files_are_errors(tmp_path: Path) -> None:
    data = yaml.safe_load(
        (Path(EVENT_CUES_DIR).parents[2].parent / "pipelines" / "classify_rules.yaml").read_text(
            "utf-8"
        )
    )
    cues = load_event_cues(["en"])
    with pytest.raises(ValueError, match="not in the events' order"):
        compile_rules(data, [*cues, {"events": {"signed": ["x"]}}])
    with pytest.raises(ValueError, match="unknown context"):
        compile_rules(data, [*cues, {"context": {"maybe": "x"}}])
    (tmp_path / "xx.yaml").write_text("events:\n  exchange: ['\\bvisite\\b']\n", "utf-8")
    extra = load_event_cues(["xx"], tmp_path)
    compiled = dict(compile_rules(data, [*cues, *extra]).events)
    assert any(p.search("une visite") for p in compiled["exchange"])


def test_a_coming_anniversary_is_news_but_preparations_are_not() -> None:
    assert _events(
        "Jinan delegation to mark anniversary in Suwon",
        "A delegation from Jinan will visit Suwon next week to celebrate the 25th anniversary "
        "of the sister city ties between Jinan and Suwon.",
    ) == {"anniversary"}
    assert "anniversary" not in _events(
        "인천시-톈진시 우호도시 30주년 준비",
        "인천시와 톈진시는 우호도시 30주년을 앞두고 4일 준비 회의를 열었다.",
    )


@pytest.mark.parametrize(
    ("event", "title", "body"),
    [
        (
            "terminated",
            "부산시, 블라디보스토크시와 결연 철회",
            "부산시는 러시아 블라디보스토크시와의 자매결연 관계를 끊기로 했다고 4일 밝혔다.",
        ),
        (
            "suspended",
            "서울시, 도쿄도 방문 무기한 연기",
            "서울시는 자매도시인 일본 도쿄도 방문을 무기한 연기했다고 4일 밝혔다.",
        ),
        (
            "terminated",
            "布拉格取消与北京的友好城市关系",
            "布拉格市9月4日宣布取消与北京市的友好城市关系。",
        ),
        (
            "suspended",
            "布拉格停止与北京的友好城市交流",
            "布拉格市9月4日决定停止与友好城市北京市的一切交流活动。",
        ),
        (
            "upgraded",
            "Suwon and Jinan raise ties",
            "Suwon and Jinan raised their friendship city relationship to sister city status on "
            "Thursday.",
        ),
    ],
    ids=[
        "ko-cut-ties",
        "ko-postponed-indefinitely",
        "zh-cancel-tie",
        "zh-stop-exchanges",
        "en-raise",
    ],
)
def test_other_wording_of_the_same_events(event: str, title: str, body: str) -> None:
    assert _events(title, body) == {event}


def test_exchanges_the_tie_has_long_held_are_background() -> None:
    assert _events(
        "인천시-톈진시 우호도시",
        "인천시와 중국 톈진시는 우호도시로서 그동안 청소년 교류를 이어왔다.",
    ) == {"mentioned"}
    assert _events(
        "Incheon and Tianjin",
        "Incheon and its friendship city Tianjin have held youth exchanges over the years.",
    ) == {"mentioned"}


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "수원시, 한일 교류 일정 취소",
            [
                "수원시가 자매도시인 일본과의 국제교류 일정을 모두 취소했다.",
                "수원시는 1989년 일본 아사히카와시와 자매결연을 체결했다.",
            ],
        ),
        (
            "Exchange programme called off",
            [
                "Denver has suspended all exchanges with its sister city in Japan.",
                "Denver and Takayama became sister cities in 1960.",
            ],
        ),
        (
            "交流活动暂停",
            [
                "苏州市宣布暂停与日本友好城市的交流活动。",
                "苏州市与日本金泽市于1981年缔结友好城市关系。",
            ],
        ),
    ],
)
def test_a_partner_named_by_its_country_takes_the_news(title: str, body: list[str]) -> None:
    """One partner named, the other only by its country ("its sister city in Japan"): the
    sentence still speaks of the pair, and its suspension is the story's event."""
    assert _events(title, *body) == {"suspended"}


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Denver mayor visits Takayama",
            [
                "Denver and Takayama have been sister cities since 1960.",
                "Twenty years ago the mayor signed the twinning himself, and this time Denver "
                "and Takayama renewed the sister city agreement.",
            ],
        ),
        (
            "수원시장, 아사히카와시 방문",
            [
                "수원시와 일본 아사히카와시는 1989년부터 자매도시다.",
                "20년 전 자매결연에 서명한 시장은 이번에 수원시와 아사히카와시의 자매결연 협약을 "
                "갱신했다.",
            ],
        ),
        (
            "苏州市长访问金泽市",
            [
                "苏州市与日本金泽市自1981年起为友好城市。",
                "二十年前市长曾亲自签署结好协议，此次苏州市与金泽市续签友好城市协议。",
            ],
        ),
    ],
)
def test_this_time_after_an_earlier_event_is_the_news(title: str, body: list[str]) -> None:
    """Earlier time words ("years ago", "년 전", "曾") then this story's time ("this time",
    "이번", "此次"): what follows is the story's event, not background."""
    assert _events(title, *body) == {"renewed"}


def _undated_events(title: str, *body: str) -> set[str]:
    """The events of an undated story's pairs (a page without a publication date)."""
    return {p["event"] for p in understood(title, *body, published=None).partnerships}


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "아사히카와시 청소년 교류단, 수원 방문",
            [
                "수원시와 자매결연을 맺고 있는 일본 아사히카와시의 청소년 교류단 20명이 "
                "수원시를 방문했다.",
            ],
        ),
        (
            "苏州市长率团访问日本金泽市",
            [
                "苏州市长率代表团访问日本金泽市，两市签订了青少年交流合作意向书。",
                "金泽市于1981年与苏州市结为友好城市，双方多次互访。",
            ],
        ),
        (
            "Takayama delegation visits Denver",
            [
                "A youth delegation from Takayama visited Denver.",
                "Denver and Takayama became sister cities in 1960 and have since exchanged "
                "many visits.",
            ],
        ),
    ],
)
def test_a_tie_described_as_held_is_not_founded_again(title: str, body: list[str]) -> None:
    """A tie the story describes as held ("자매결연을 맺고 있는", a dated founding followed by
    "多次互访"): a visit or a letter of intent under it is an exchange, not a founding."""
    assert _undated_events(title, *body) == {"exchange"}


def test_a_foreign_place_named_bare_after_its_suffixed_form_is_the_same_place() -> None:
    """A place named once as "아사히카와시" and elsewhere as "아사히카와와의": the bare name is
    the same partner, so the sentence that suspends exchanges with it speaks of the pair."""
    assert _pairs(
        "수원시 소식",
        "수원시는 자매도시인 아사히카와와의 교류를 전면 중단하기로 했다.",
        "수원시는 1989년 아사히카와시와 자매결연을 체결했다.",
    ) == {frozenset(("Suwon", "Asahikawa")): "suspended"}


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Denver and Takayama sign agreement",
            [
                "Denver and Takayama have been friendship cities since 2009.",
                "On Thursday Denver and Takayama signed a sister city agreement.",
            ],
        ),
        (
            "수원시-아사히카와시 협정 체결",
            [
                "2009년 우호교류 협약을 맺은 이후 수원시와 일본 아사히카와시는 교류를 이어왔다.",
                "수원시와 아사히카와시는 4일 자매결연 협정을 체결했다.",
            ],
        ),
        (
            "苏州市与金泽市签署协议",
            [
                "苏州市与日本金泽市自2009年以来一直是友好交流城市。",
                "9月4日，苏州市与金泽市签署姐妹城市协议。",
            ],
        ),
    ],
)
def test_a_closer_tie_signed_by_old_partners_is_an_upgrade(title: str, body: list[str]) -> None:
    """Partners who held a friendship tie sign a sister-city agreement: an upgrade, not a
    renewal of what they had."""
    assert _events(title, *body) == {"upgraded"}
