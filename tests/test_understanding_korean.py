"""Korean local news on sister cities, written for these tests in the many ways Korean papers
report the same events: which pairs a story names and what it reports about each.

The sentences are invented (no corpus text) and were written before the Korean rules were
changed, so they are data the rules were not written from. Each case is one short story:
title, body paragraphs, and the pairs (English names) with the event of each. The story date is
2025-09-05, so "4일" is the day before.
"""

from __future__ import annotations

import pytest

from crawler.understanding.gazetteer import gazetteer
from tests.understood import understood


def _pairs_and_events(title: str, *body: str) -> dict[frozenset[str], str]:
    story = understood(title, *body, published="2025-09-05T07:00:00+00:00")
    return {frozenset((p["a"]["name"], p["b"]["name"])): p["event"] for p in story.partnerships}


def _p(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


# (id, title, body paragraphs, {pair: event})
CASES = [
    # --- signings: 자매결연 / 우호교류 / 우호협력 협약 체결 ---------------------------------
    (
        "signing-friendly-exchange-agreement",
        "평택시, 中 웨이하이시와 우호교류 협약",
        ["평택시는 중국 산둥성 웨이하이시와 우호교류 협약을 체결했다고 4일 밝혔다."],
        {_p("Pyeongtaek", "Weihai"): "established"},
    ),
    (
        "signing-province-then-city",
        "충주시-뤄양시 우호협력도시 협약",
        ["충주시는 지난 3일 중국 허난성 뤄양시에서 우호협력도시 협약을 맺었다."],
        {_p("Chungju", "Luoyang"): "established"},
    ),
    (
        "signing-foreign-city-without-suffix",
        "고양시, 日 삿포로와 자매결연",
        ["고양시는 일본 삿포로와 자매결연 협약을 체결했다고 4일 밝혔다."],
        {_p("Goyang", "Sapporo"): "established"},
    ),
    (
        "signing-ceremony-held",
        "안산시, 베트남 다낭시와 우호교류 협약식",
        ["안산시는 4일 시청에서 베트남 다낭시 대표단과 우호교류 협약식을 가졌다."],
        {_p("Ansan", "Da Nang"): "established"},
    ),
    (
        "signing-provinces",
        "전라남도, 中 장쑤성과 자매결연",
        ["전라남도는 중국 장쑤성과 자매결연 협정을 체결했다고 4일 밝혔다."],
        {_p("South Jeolla", "Jiangsu"): "established"},
    ),
    (
        "signing-mayors-sign-the-agreement",
        "김해시, 中 우한시와 자매결연",
        ["김해시장과 중국 우한시 부시장은 4일 김해시청에서 자매결연 협정서에 서명했다."],
        {_p("Kimhae", "Wuhan"): "established"},
    ),
    (
        "signing-told-of-the-two-cities",
        "대전시-삿포로시 자매결연",
        [
            "대전시와 일본 삿포로시 대표단이 4일 대전시청에서 만났다.",
            "양 도시는 이날 자매결연 협정을 체결하고 경제·관광 분야 교류를 약속했다.",
        ],
        {_p("Daejeon", "Sapporo"): "established"},
    ),
    (
        "signing-short-province-before-city",
        "용인시, 中 옌타이시와 우호협력 협약",
        ["경기 용인시는 중국 산둥성 옌타이시와 우호협력 협약을 체결했다고 4일 밝혔다."],
        {_p("Yongin", "Yantai"): "established"},
    ),
    (
        "signing-district-with-us-city",
        "서울 강남구, 美 어바인시와 자매결연",
        ["서울 강남구는 미국 캘리포니아주 어바인시와 자매결연 협약을 체결했다고 4일 밝혔다."],
        {_p("Gangnam", "Irvine"): "established"},
    ),
    (
        "signing-county-with-japanese-city",
        "남해군, 日 이부스키시와 자매결연",
        ["남해군은 일본 가고시마현 이부스키시와 자매결연을 맺었다고 4일 밝혔다."],
        {_p("Namhae (남해군)", "Ibusuki"): "established"},
    ),
    (
        "signing-planned-is-only-mentioned",
        "목포시, 中 옌타이시와 자매결연 추진",
        [
            "목포시는 중국 옌타이시와 자매결연을 추진한다고 4일 밝혔다.",
            "양 도시는 다음 달 옌타이시에서 협약을 체결할 예정이다.",
        ],
        {_p("Mokpo", "Yantai"): "mentioned"},
    ),
    (
        "signing-us-state-then-city",
        "제주시, 美 호놀룰루시와 우호교류 협약",
        ["제주시는 미국 하와이주 호놀룰루시와 우호교류 협약을 체결했다고 4일 밝혔다."],
        {_p("Jeju", "Honolulu"): "established"},
    ),
    (
        "signing-two-korean-counties",
        "옥천군-보성군 자매결연",
        ["충북 옥천군과 전남 보성군이 4일 옥천군청에서 자매결연 협약을 체결했다."],
        {_p("Okcheon", "Boseong"): "established"},
    ),
    # --- anniversaries: 결연 N주년, 맺은 지 N년 ---------------------------------------------
    (
        "anniversary-ceremony",
        "여수시, 中 항저우시와 자매결연 25주년 기념식",
        ["여수시는 자매도시인 중국 항저우시와 결연 25주년을 맞아 4일 기념식을 열었다."],
        {_p("Yeosu", "Hangzhou"): "anniversary"},
    ),
    (
        "anniversary-told-by-the-two-cities",
        "춘천시-가고시마시 결연 20주년",
        [
            "춘천시와 일본 가고시마시는 2005년 자매결연을 맺었다.",
            "두 도시는 올해 결연 20주년을 맞아 4일 춘천에서 기념행사를 열었다.",
        ],
        {_p("Chuncheon", "Kagoshima"): "anniversary"},
    ),
    (
        "anniversary-years-since-the-signing",
        "강릉시, 자매도시 日 나고야시와 기념식",
        [
            "강릉시와 일본 나고야시는 자매결연을 맺은 지 올해로 30년이 됐다.",
            "두 도시는 4일 강릉시청에서 기념식을 열었다.",
        ],
        {_p("Gangneung", "Nagoya"): "anniversary"},
    ),
    (
        "anniversary-delegation-visits",
        "구미시 방문단, 자매결연 30주년 맞아 선양시 방문",
        ["구미시 방문단이 자매결연 30주년을 맞아 4일 자매도시인 중국 선양시를 방문했다."],
        {_p("Gumi", "Shenyang"): "anniversary"},
    ),
    # --- renewals: 갱신, 연장, 재서명, 재협약, 교류 협약 under an old tie -----------------------
    (
        "renewal-extended-five-years",
        "인천시-톈진시 우호도시 협약 5년 연장",
        ["인천시와 중국 톈진시는 4일 우호도시 협약을 5년 연장하기로 합의했다."],
        {_p("Incheon", "Tianjin"): "renewed"},
    ),
    (
        "renewal-signed-again",
        "청주시-시애틀시, 우호협력 협약 재서명",
        ["청주시와 미국 시애틀시는 4일 우호협력 협약서에 재서명했다."],
        {_p("Cheongju", "Seattle"): "renewed"},
    ),
    (
        "renewal-new-agreement-under-the-tie",
        "군산시, 자매도시 日 나가사키시와 관광교류 협약",
        [
            "군산시는 1990년부터 자매도시인 일본 나가사키시와 4일 관광교류 협약을 체결했다.",
        ],
        {_p("Gunsan", "Nagasaki"): "renewed"},
    ),
    # --- upgrades: 격상, 승격, a closer tie signed between old partners ------------------------
    (
        "upgrade-raised-to-sister",
        "구미시, 선양시와 자매도시로 격상",
        ["구미시는 우호도시인 중국 선양시와의 관계를 자매도시로 격상하는 협약을 4일 체결했다."],
        {_p("Gumi", "Shenyang"): "upgraded"},
    ),
    (
        "upgrade-former-friendly-exchange-city",
        "원주시, 中 하얼빈시와 자매결연",
        [
            "원주시는 2010년부터 우호교류도시였던 중국 하얼빈시와 4일 자매결연을 맺었다.",
        ],
        {_p("Wŏnju", "Harbin"): "upgraded"},
    ),
    # --- exchanges: 방문단, 대표단 파견, 시장 일행, 찾아 ------------------------------------------
    (
        "exchange-mayor-party-calls-on",
        "안동시장 일행, 자매도시 쿠스코시 찾아",
        ["안동시장 일행이 4일 자매도시인 페루 쿠스코시를 찾아 관광 협력 방안을 논의했다."],
        {_p("Andong", "Cusco"): "exchange"},
    ),
    (
        "exchange-goodwill-mission",
        "광명시 친선사절단, 자매도시 난징시 찾아",
        ["광명시 친선사절단 20명이 4일 자매도시인 중국 난징시를 찾았다."],
        {_p("Gwangmyeong", "Nanjing"): "exchange"},
    ),
    (
        "exchange-foreign-visitors",
        "구마모토시 시민 방문단, 울산 찾아",
        ["일본 구마모토시 시민 방문단 30명이 4일 자매도시인 울산시를 방문했다."],
        {_p("Ulsan", "Kumamoto"): "exchange"},
    ),
    (
        "exchange-delegation-dispatched",
        "부천시, 자매도시 하얼빈시에 대표단 파견",
        ["부천시는 자매도시인 중국 하얼빈시에 공무원 대표단을 파견했다고 4일 밝혔다."],
        {_p("Bucheon", "Harbin"): "exchange"},
    ),
    (
        "exchange-youth-invited",
        "김포시, 자매도시 청소년 초청",
        ["김포시는 자매도시인 중국 창춘시 청소년 20명을 초청해 4일 문화 체험 행사를 열었다."],
        {_p("Gimpo", "Changchun"): "exchange"},
    ),
    (
        "exchange-visit-to-a-province",
        "돗토리현 대표단, 강원도 방문",
        ["자매결연을 맺은 일본 돗토리현 대표단이 4일 강원도청을 방문했다."],
        {_p("Gangwon", "Tottori"): "exchange"},
    ),
    # --- suspensions: 중단, 보류 -----------------------------------------------------------------
    (
        "suspension-for-now",
        "의정부시, 日 자매도시와 교류 잠정 중단",
        ["의정부시는 자매도시인 일본 나가사키시와의 교류를 잠정 중단한다고 4일 밝혔다."],
        {_p("Uijeongbu", "Nagasaki"): "suspended"},
    ),
    (
        "suspension-visit-on-hold",
        "익산시, 자매도시 방문 일정 보류",
        ["익산시는 자매도시인 중국 우한시 방문 일정을 보류했다고 4일 밝혔다."],
        {_p("Iksan", "Wuhan"): "suspended"},
    ),
    (
        "exchange-resumed",
        "의정부시, 日 자매도시와 교류 재개",
        ["의정부시는 중단됐던 자매도시 일본 나가사키시와의 교류를 4일 재개했다."],
        {_p("Uijeongbu", "Nagasaki"): "exchange"},
    ),
    # --- terminations: 해제, 취소, 해지 --------------------------------------------------------
    (
        "termination-tie-dissolved",
        "인천시, 블라디보스토크시와 자매결연 해제",
        ["인천시는 러시아 블라디보스토크시와의 자매결연을 해제하기로 했다고 4일 밝혔다."],
        {_p("Incheon", "Vladivostok"): "terminated"},
    ),
    (
        "termination-tie-cancelled",
        "가평군, 日 나가사키시와 자매결연 취소",
        ["가평군은 일본 나가사키시와의 자매결연을 취소했다고 4일 밝혔다."],
        {_p("Gapyeong", "Nagasaki"): "terminated"},
    ),
    # --- lists and background pairs ------------------------------------------------------------
    (
        "list-with-deung-beside-a-signing",
        "수원시, 베트남 후에시와 자매결연",
        [
            "수원시는 4일 베트남 후에시와 자매결연 협약을 체결했다.",
            "수원시는 일본 아사히카와시, 중국 지난시, 미국 클리블랜드시 등 11개국 12개 도시와 "
            "자매결연을 맺고 있다.",
        ],
        {
            _p("Suwon", "Huế"): "established",
            _p("Suwon", "Asahikawa"): "mentioned",
            _p("Suwon", "Jinan"): "mentioned",
            _p("Suwon", "Cleveland"): "mentioned",
        },
    ),
    (
        "background-founding-year-then-a-visit",
        "제주도 방문단, 자매도시 하이난성 방문",
        [
            "제주도 방문단이 4일 중국 하이난성을 방문해 관광 교류를 논의했다.",
            "제주도와 하이난성은 1995년 자매결연을 맺은 뒤 교류를 이어왔다.",
        ],
        {_p("Jeju", "Hainan"): "exchange"},
    ),
    (
        "a-company-and-village-tie-is-no-city-pair",
        "수원 공장, 양평군 마을과 1사1촌 자매결연",
        ["한 전자회사 수원 공장은 양평군의 한 마을과 1사1촌 자매결연을 맺었다고 4일 밝혔다."],
        {},
    ),
    (
        "a-school-tie-is-no-city-pair",
        "수원고, 日 삿포로 고교와 자매결연",
        ["수원고등학교는 일본 삿포로시의 한 고등학교와 자매결연을 맺었다고 4일 밝혔다."],
        {},
    ),
]


# A second table, written after the first round of fixes and before the second.
MORE_CASES = [
    (
        "signing-became-sister-cities",
        "여수시-항저우시, 자매도시 됐다",
        ["여수시와 중국 항저우시가 4일 자매도시가 됐다."],
        {_p("Yeosu", "Hangzhou"): "established"},
    ),
    (
        "signing-brought-about",
        "춘천시, 日 가고시마시와 자매결연 성사",
        ["춘천시는 일본 가고시마시와 4일 자매결연을 성사시켰다고 밝혔다."],
        {_p("Chuncheon", "Kagoshima"): "established"},
    ),
    (
        "signing-friendship-relation-formed",
        "구미시, 中 선양시와 우호도시 관계 맺어",
        ["구미시는 4일 중국 선양시와 우호도시 관계를 맺었다."],
        {_p("Gumi", "Shenyang"): "established"},
    ),
    (
        "signing-told-of-both-cities-as-yang-si",
        "안산시-다낭시 자매결연",
        [
            "안산시 대표단이 4일 베트남 다낭시를 방문했다.",
            "양 시는 이날 다낭시청에서 자매결연 협정을 체결했다.",
        ],
        {_p("Ansan", "Da Nang"): "established"},
    ),
    (
        "exchange-delegation-received",
        "수원시장, 자매도시 지난시 대표단 접견",
        ["수원시장은 4일 시청에서 자매도시인 중국 지난시 대표단을 접견했다."],
        {_p("Suwon", "Jinan"): "exchange"},
    ),
    (
        "exchange-video-meeting",
        "전주시-쑤저우시, 자매도시 화상회의",
        ["전주시와 자매도시인 중국 쑤저우시가 4일 화상회의를 열었다."],
        {_p("Jeonju", "Suzhou"): "exchange"},
    ),
    (
        "exchange-foreign-mayor-calls",
        "日 니가타시장, 자매도시 찾아",
        ["일본 니가타시 시장 일행이 4일 자매도시인 울산시를 예방했다."],
        {_p("Ulsan", "Niigata"): "exchange"},
    ),
    (
        "anniversary-counted-in-years-with-jjae",
        "여수시-항저우시 결연 30년째",
        ["여수시와 중국 항저우시는 자매결연 30주년을 맞아 4일 여수에서 기념식을 열었다."],
        {_p("Yeosu", "Hangzhou"): "anniversary"},
    ),
    (
        "suspension-for-a-while",
        "김해시, 자매도시 교류 일시 중단",
        ["김해시는 자매도시인 일본 구마모토시와의 교류를 일시 중단했다고 4일 밝혔다."],
        {_p("Kimhae", "Kumamoto"): "suspended"},
    ),
    (
        "termination-tie-ended",
        "안산시, 러시아 자매도시와 관계 끝내",
        ["안산시는 러시아 블라디보스토크시와의 자매결연 관계를 끝냈다고 4일 밝혔다."],
        {_p("Ansan", "Vladivostok"): "terminated"},
    ),
    (
        "signing-vietnamese-province-then-city",
        "성남시, 베트남 다낭시와 우호교류",
        ["성남시는 4일 베트남 꽝남성 인근 다낭시와 우호교류 협약을 체결했다."],
        {_p("Seongnam", "Da Nang"): "established"},
    ),
    # Words of an ending or a renewal that speak of something else.
    (
        "exchange-visit-schedule-ended",
        "광명시 방문단, 자매도시 난징시 방문 마쳐",
        ["광명시 방문단은 자매도시인 중국 난징시 방문 일정을 4일 모두 종료하고 귀국했다."],
        {_p("Gwangmyeong", "Nanjing"): "exchange"},
    ),
    (
        "exchange-as-an-extension-of-the-tie",
        "부천시 청소년, 자매도시 하얼빈시 방문",
        [
            "부천시 청소년 20명이 4일 자매도시인 중국 하얼빈시를 방문했다.",
            "이번 방문은 두 도시 자매결연의 연장선에서 마련됐다.",
        ],
        {_p("Bucheon", "Harbin"): "exchange"},
    ),
    (
        "no-tie-a-mere-visit-of-a-foreign-city",
        "日 오사카시 관광단, 부산 방문",
        ["일본 오사카시 관광단 200명이 4일 부산을 방문했다."],
        {},
    ),
]


# A third table, on places: provinces written short, countries of two syllables, foreign
# districts and counties (written after the second round of fixes, before the third).
PLACE_CASES = [
    (
        "province-short-name-with-do",
        "전북도-장쑤성 자매결연 30주년",
        ["전북도와 중국 장쑤성은 4일 자매결연 30주년 기념식을 열었다."],
        {_p("North Jeolla", "Jiangsu"): "anniversary"},
    ),
    (
        "province-short-name-with-japanese-prefecture",
        "충남도, 日 구마모토현과 자매결연",
        ["충남도는 일본 구마모토현과 자매결연 협정을 체결했다고 4일 밝혔다."],
        {_p("South Chungcheong", "Kumamoto"): "established"},
    ),
    (
        "peruvian-city-transcribed",
        "안동시, 페루 아레키파시와 자매결연",
        ["안동시는 페루 아레키파시와 자매결연 협약을 체결했다고 4일 밝혔다."],
        {_p("Andong", "Arequipa"): "established"},
    ),
    (
        "chilean-city-transcribed",
        "보령시, 칠레 발파라이소시와 우호교류",
        ["보령시는 칠레 발파라이소시와 우호교류 협약을 체결했다고 4일 밝혔다."],
        {_p("Boryeong", "Valparaíso"): "established"},
    ),
    (
        "thai-city-transcribed",
        "아산시, 태국 우돈타니시와 자매결연",
        ["아산시는 태국 우돈타니시와 자매결연 협약을 체결했다고 4일 밝혔다."],
        {_p("Asan", "Udon Thani"): "established"},
    ),
    (
        "foreign-district-after-its-city",
        "종로구, 베이징 둥청구와 우호교류",
        ["서울 종로구는 중국 베이징시 둥청구와 우호교류 협약을 체결했다고 4일 밝혔다."],
        {_p("Jongno", "Dongcheng"): "established"},
    ),
    (
        "chinese-county-after-its-province",
        "하동군, 中 안지현과 우호교류",
        ["하동군은 중국 저장성 안지현과 우호교류 협약을 체결했다고 4일 밝혔다."],
        {_p("Hadong", "Anji (안지현)"): "established"},
    ),
    (
        "anniversary-years-of-the-tie",
        "여수시-항저우시 결연 30년",
        ["여수시와 중국 항저우시는 자매결연 30년을 맞아 4일 여수에서 기념식을 열었다."],
        {_p("Yeosu", "Hangzhou"): "anniversary"},
    ),
]


# A fourth table: exchange agreements of no stated kind between local governments, which
# Korean papers call 국제교류 or 교류협력 협약, and the same words between ports and universities.
EXCHANGE_AGREEMENT_CASES = [
    (
        "international-exchange-agreement",
        "평택시, 中 르자오시와 국제교류 협약",
        ["평택시는 중국 르자오시와 국제교류 협약을 체결했다고 4일 밝혔다."],
        {_p("Pyeongtaek", "Rizhao"): "established"},
    ),
    (
        "exchange-and-cooperation-agreement",
        "수원시, 中 지난시와 교류협력 협약",
        ["수원시는 중국 지난시와 교류협력 협약을 맺었다고 4일 밝혔다."],
        {_p("Suwon", "Jinan"): "established"},
    ),
    (
        "ports-are-no-cities",
        "평택항, 中 르자오항과 교류 협약",
        ["평택항만공사는 중국 르자오항과 교류 협약을 체결했다고 4일 밝혔다."],
        {},
    ),
    (
        "a-university-is-no-city",
        "평택시, 칭다오대학과 교류 협약",
        ["평택시는 중국 칭다오대학과 교류 협약을 체결했다고 4일 밝혔다."],
        {},
    ),
]


# A fifth table: a signing told in the present or future tense is announced, not yet done.
TENSE_CASES = [
    (
        "signing-announced-in-the-present-tense",
        "창원시, 日 구마모토시와 우호협력도시 협정",
        ["창원시는 오는 9일 일본 구마모토시와 우호협력도시 협정을 체결한다고 4일 밝혔다."],
        {_p("Changwon", "Kumamoto"): "mentioned"},
    ),
    (
        "signing-next-month",
        "김포시, 中 창춘시와 다음 달 자매결연",
        ["김포시는 다음 달 중국 창춘시와 자매결연을 맺는다."],
        {_p("Gimpo", "Changchun"): "mentioned"},
    ),
    (
        "signing-agreed-on",
        "광명시-난징시 자매결연 합의",
        ["광명시와 중국 난징시는 내년에 자매결연을 체결하기로 4일 합의했다."],
        {_p("Gwangmyeong", "Nanjing"): "mentioned"},
    ),
    (
        "signing-then-more",
        "광명시-난징시 자매결연",
        ["광명시와 중국 난징시는 4일 자매결연을 체결하고 교류 확대에 합의했다."],
        {_p("Gwangmyeong", "Nanjing"): "established"},
    ),
]


# A sixth table: ties told as held and lived ("맺고 … 교류하고 있다"): background to the news.
ONGOING_CASES = [
    (
        "listed-ties-with-ongoing-exchanges",
        "수원시, 베트남 후에시와 자매결연",
        [
            "수원시는 4일 베트남 후에시와 자매결연 협약을 체결했다.",
            "수원시는 일본 아사히카와시, 중국 지난시 등 11개국 12개 도시와 자매결연을 맺고 "
            "활발히 교류하고 있다.",
        ],
        {
            _p("Suwon", "Huế"): "established",
            _p("Suwon", "Asahikawa"): "mentioned",
            _p("Suwon", "Jinan"): "mentioned",
        },
    ),
    (
        "another-tie-carried-on",
        "수원시, 베트남 후에시와 자매결연",
        [
            "수원시는 4일 베트남 후에시와 자매결연 협약을 체결했다.",
            "시는 일본 아사히카와시와도 자매결연을 맺고 청소년 교류를 이어가고 있다.",
        ],
        {_p("Suwon", "Huế"): "established", _p("Suwon", "Asahikawa"): "mentioned"},
    ),
    (
        "another-tie-with-yearly-delegations",
        "수원시, 베트남 후에시와 자매결연",
        [
            "수원시는 4일 베트남 후에시와 자매결연 협약을 체결했다.",
            "시는 1989년 일본 아사히카와시와 자매결연을 맺었으며 매년 대표단을 상호 파견하고 있다.",
        ],
        {_p("Suwon", "Huế"): "established", _p("Suwon", "Asahikawa"): "mentioned"},
    ),
]


# A seventh table: two partners joined by 와 are each other's, even when both carry it
# ("수원시와 아사히카와시와의 자매결연") and a third country is named elsewhere.
JOINED_CASES = [
    (
        "joined-partners-both-marked-with-wa",
        "수원시-아사히카와시 결연 30주년",
        [
            "수원시와 일본 아사히카와시와의 자매결연 30주년 기념식이 4일 열렸다.",
            "기념식에는 자매도시인 미국 클리블랜드시 대표도 참석했다.",
        ],
        {_p("Suwon", "Asahikawa"): "anniversary"},
    ),
]


# An eighth table: the story's own city told as "시는" (the city), so its partner is the place
# the story names most often.
OWN_CITY_CASES = [
    (
        "own-city-as-si-neun",
        "고양시, 日 삿포로시와 손잡았다",
        ["시는 4일 일본 삿포로시와 자매결연 협약을 체결했다."],
        {_p("Goyang", "Sapporo"): "established"},
    ),
    (
        "own-county-as-gun-eun-far-from-the-term",
        "남해군, 日 이부스키시와 손잡아",
        [
            "남해군이 일본 규슈 남단의 온천 도시와 손을 잡았다.",
            "군은 4일 일본 이부스키시와 군청 대회의실에서 군수와 군의회 의장 등 관계자 100여 명이 "
            "참석한 가운데 우호교류 협약을 체결했다.",
        ],
        {_p("Namhae (남해군)", "Ibusuki"): "established"},
    ),
]


# A ninth table: a tie in a relative clause before the place visited ("자매결연을 맺은 … 오리건주를
# 방문했다") is the old tie; the visit is the news.
VISITED_CASES = [
    (
        "visit-to-a-partner-described-by-its-tie",
        "강원도 대표단, 美 오리건주 방문",
        ["강원도 대표단이 4일 자매결연을 맺은 미국 오리건주를 방문했다."],
        {_p("Gangwon", "Oregon"): "exchange"},
    ),
]


ALL_CASES = (
    CASES
    + MORE_CASES
    + PLACE_CASES
    + EXCHANGE_AGREEMENT_CASES
    + TENSE_CASES
    + ONGOING_CASES
    + JOINED_CASES
    + OWN_CITY_CASES
    + VISITED_CASES
)


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [(title, body, expected) for _, title, body, expected in ALL_CASES],
    ids=[case[0] for case in ALL_CASES],
)
def test_korean_news_wording(
    title: str, body: list[str], expected: dict[frozenset[str], str]
) -> None:
    assert _pairs_and_events(title, *body) == expected


def test_a_foreign_city_is_known_without_its_si_but_not_as_a_country_or_a_shorter_word() -> None:
    g = gazetteer()
    assert [p.name for p in g.lookup("삿포로")] == ["Sapporo"]  # 삿포로시 in GeoNames
    assert g.lookup("멕시코") == [] and g.country_names["멕시코"] == "MX"  # of 멕시코시
    assert g.lookup("후지") == []  # of 후지시: two syllables begin other names (후지에다)


def test_prefectures_and_states_are_known_by_their_hangul_names() -> None:
    g = gazetteer()
    assert [(p.name, p.level) for p in g.lookup("돗토리현")] == [("Tottori", "province")]
    assert [(p.name, p.country) for p in g.lookup("오하이오주")] == [("Ohio", "US")]
    # Bare, the name stays the city's.
    assert [p.level for p in g.lookup("히로시마")] == ["city"]


def test_korean_cities_missing_from_geonames_are_known() -> None:
    g = gazetteer()
    assert [(p.name, p.admin1) for p in g.lookup("용인시")] == [("Yongin", "KR-41")]
    assert [p.name for p in g.lookup("남원시")] == ["Namwon"]  # GeoNames: "Nangen"
    assert g.lookup("동해") == []  # the East Sea; 동해시 is the city


# --- Places written in Hangul (written before the fixes they name) ---------------------------
# Each side of a pair is "English name/country", a Korean district also "/in its city"; an
# unresolved place's name is its romanized part ("Dong (울산 동구)" is "Dong").


def _side(place: dict[str, object]) -> str:
    name = str(place["name"]).split(" (")[0]
    label = f"{name}/{place['country']}"
    if place.get("level") == "district" and place["country"] == "KR":
        parent = gazetteer().get(str(place.get("parent") or ""))
        label += f"/in {parent.name if parent else '?'}"
    return label


def _placed_pairs(title: str, *body: str) -> dict[frozenset[str], str]:
    story = understood(title, *body, published="2025-09-05T07:00:00+00:00")
    return {frozenset((_side(p["a"]), _side(p["b"]))): p["event"] for p in story.partnerships}


def _signing(korean: str, partner: str, korean_en: str, partner_en: str) -> tuple:
    """One story of a Korean place signing with a partner, written as papers do."""
    return (
        f"{korean}, {partner}와 우호교류 협약",
        [f"{korean}는 {partner}와 우호교류 협약을 체결했다고 4일 밝혔다."],
        {frozenset((korean_en, partner_en)): "established"},
    )


HANGUL_PLACE_CASES = [
    # 1. Chinese cities and counties by the official transcription of their pinyin.
    ("cn-city-with-si", *_signing("서산시", "중국 산둥성 주청시", "Seosan/KR", "Zhu Cheng/CN")),
    ("cn-city-bare", *_signing("논산시", "중국 칭저우", "Nonsan/KR", "Qingzhou/CN")),
    ("cn-city-three-syllables", *_signing("아산시", "중국 장자강시", "Asan/KR", "Zhangjiagang/CN")),
    (
        "cn-city-after-province",
        *_signing("이천시", "중국 장쑤성 창수시", "Icheon/KR", "Changshu/CN"),
    ),
    ("cn-henan-city", *_signing("구미시", "중국 허난성 신샹시", "Gumi/KR", "Xinxiang/CN")),
    ("cn-ssang-consonant", *_signing("김천시", "중국 쑤첸시", "Gimcheon/KR", "Suqian/CN")),
    ("cn-shou", *_signing("정읍시", "중국 서우광시", "Jeongeup/KR", "Shouguang/CN")),
    ("cn-zhou", *_signing("밀양시", "중국 저장성 후저우시", "Miryang/KR", "Huzhou/CN")),
    ("cn-two-syllables", *_signing("광명시", "중국 이우시", "Gwangmyeong/KR", "Yiwu/CN")),
    ("cn-ian", *_signing("군산시", "중국 허난성 주마뎬시", "Gunsan/KR", "Zhumadian/CN")),
    ("cn-bare-after-country", *_signing("김포시", "중국 징더전", "Gimpo/KR", "Jingdezhen/CN")),
    ("cn-apostrophe", *_signing("하남시", "중국 안후이성 마안산시", "Hanam/KR", "Ma’anshan/CN")),
    ("cn-county-hyeon", *_signing("영주시", "중국 윈난성 젠수이현", "Yeongju/KR", "Jianshui/CN")),
    ("cn-jiao", *_signing("오산시", "중국 자오저우시", "Osan/KR", "Jiaozhou/CN")),
    ("cn-xu", *_signing("경산시", "중국 쉬창시", "Gyeongsan/KR", "Xuchang/CN")),
    # 2. Japanese cities by the official transcription of their romaji.
    ("jp-plain-initial", *_signing("양주시", "일본 후쿠이현 사바에시", "Yangju/KR", "Sabae/JP")),
    ("jp-small-tsu", *_signing("포천시", "일본 오사카부 셋쓰시", "Pocheon/KR", "Settsu/JP")),
    ("jp-aspirated-inside", *_signing("광양시", "일본 다카쓰키시", "Gwangyang/KR", "Takatsuki/JP")),
    ("jp-n-before-b", *_signing("나주시", "일본 시즈오카현 고텐바시", "Naju/KR", "Gotemba/JP")),
    ("jp-long-vowel", *_signing("거제시", "일본 야마구치현 호후시", "Geoje/KR", "Hōfu/JP")),
    ("jp-shi-chi", *_signing("통영시", "일본 시가현 히코네시", "Tongyeong/KR", "Hikone/JP")),
    ("jp-zu", *_signing("속초시", "일본 가나가와현 즈시시", "Sokcho/KR", "Zushi/JP")),
    ("jp-ya", *_signing("동해시", "일본 니시노미야시", "Donghae/KR", "Nishinomiya/JP")),
    ("jp-ryo-ka", *_signing("보령시", "일본 오사카부 가이즈카시", "Boryeong/KR", "Kaizuka/JP")),
    ("jp-nagahama", *_signing("안동시", "일본 나가하마시", "Andong/KR", "Nagahama/JP")),
    # 3. A district of a metropolitan city, named with its city.
    ("district-ulsan-dong", *_signing("울산 동구", "중국 취푸시", "Dong/KR/in Ulsan", "Qufu/CN")),
    (
        "district-ulsan-si-buk",
        *_signing("울산시 북구", "중국 가오미시", "Buk/KR/in Ulsan", "Gaomi/CN"),
    ),
    (
        "district-ulsan-metro-jung",
        *_signing("울산광역시 중구", "일본 히코네시", "Jung/KR/in Ulsan", "Hikone/JP"),
    ),
    (
        "district-busan-haeundae",
        *_signing("부산 해운대구", "일본 벳푸시", "Haeundae/KR/in Busan", "Beppu/JP"),
    ),
    (
        "district-busan-dong",
        *_signing("부산 동구", "중국 쉬창시", "Dong/KR/in Busan", "Xuchang/CN"),
    ),
    (
        "district-daegu-suseong",
        *_signing("대구 수성구", "중국 옌타이시", "Suseong/KR/in Daegu", "Yantai/CN"),
    ),
    (
        "district-incheon-si-dong",
        *_signing("인천시 동구", "중국 칭저우시", "Dong/KR/in Incheon", "Qingzhou/CN"),
    ),
    (
        "district-gwangju-seo",
        *_signing("광주 서구", "중국 창수시", "Seo/KR/in Gwangju", "Changshu/CN"),
    ),
    (
        "district-daejeon-seo",
        *_signing("대전 서구", "일본 사바에시", "Seo/KR/in Daejeon", "Sabae/JP"),
    ),
    (
        "district-daegu-nam",
        *_signing("대구시 남구", "일본 나가하마시", "Nam/KR/in Daegu", "Nagahama/JP"),
    ),
    # 4. A namesake goes to the country the story names next to it.
    (
        "namesake-toledo-philippines",
        *_signing("강릉시", "필리핀 톨레도시", "Gangneung/KR", "Toledo/PH"),
    ),
    ("namesake-toledo-brazil", *_signing("춘천시", "브라질 톨레도시", "Chuncheon/KR", "Toledo/BR")),
    (
        "namesake-victoria-chile",
        *_signing("천안시", "칠레 빅토리아시", "Cheonan/KR", "Victoria/CL"),
    ),
    (
        "namesake-cordoba-mexico",
        *_signing("충주시", "멕시코 코르도바시", "Chungju/KR", "Córdoba/MX"),
    ),
    (
        "namesake-cordoba-spain",
        *_signing("경주시", "스페인 코르도바시", "Gyeongju/KR", "Córdoba/ES"),
    ),
    (
        "namesake-merida-venezuela",
        *_signing("순천시", "베네수엘라 메리다시", "Suncheon/KR", "Mérida/VE"),
    ),
    (
        "namesake-valencia-venezuela",
        *_signing("목포시", "베네수엘라 발렌시아시", "Mokpo/KR", "Valencia/VE"),
    ),
    ("namesake-lagos-portugal", *_signing("여수시", "포르투갈 라고스시", "Yeosu/KR", "Lagos/PT")),
    ("namesake-leon-spain", *_signing("전주시", "스페인 레온시", "Jeonju/KR", "León/ES")),
    (
        "namesake-santa-cruz-chile",
        *_signing("공주시", "칠레 산타크루스시", "Gongju/KR", "Santa Cruz/CL"),
    ),
    (
        "namesake-cordoba-mexico-bare",
        *_signing("제천시", "멕시코 코르도바", "Jecheon/KR", "Córdoba/MX"),
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [(title, body, expected) for _, title, body, expected in HANGUL_PLACE_CASES],
    ids=[case[0] for case in HANGUL_PLACE_CASES],
)
def test_places_written_in_hangul(
    title: str, body: list[str], expected: dict[frozenset[str], str]
) -> None:
    assert _placed_pairs(title, *body) == expected


def test_pinyin_and_romaji_are_written_as_korean_papers_write_them() -> None:
    from crawler.understanding.transcribe import pinyin_to_hangul, romaji_to_hangul

    assert [pinyin_to_hangul(n) for n in ("Zhumadian", "Suqian", "Ma’anshan", "Jianshui")] == [
        "주마뎬",
        "쑤첸",
        "마안산",
        "젠수이",
    ]
    assert pinyin_to_hangul("Elixku") is None  # not pinyin
    assert [romaji_to_hangul(n) for n in ("Takatsuki", "Settsu", "Gotemba", "Hōfu", "Unnan")] == [
        "다카쓰키",
        "셋쓰",
        "고텐바",
        "호후",
        "운난",
    ]


def test_transcribed_names_leave_older_names_and_korean_cities_alone() -> None:
    g = gazetteer()
    assert [p.name for p in g.lookup("소흥")] == ["Shaoxing"]  # GeoNames' Sino-Korean reading
    assert [p.name for p in g.lookup("칭다오")] == ["Qingdao"]
    assert "KR" in {p.country for p in g.lookup("안양시")}  # Anyang, Gyeonggi stays
    assert g.lookup("이우") == []  # two syllables bare: too many Korean words
    assert g.lookup("사이타마") == []  # bare, a prefecture's name is not its capital's
    assert [p.name for p in g.lookup("주마뎬시")] == ["Zhumadian"]


# --- lines broken inside a sentence (broadcast transcripts, wrapped text) --------------------
# A page that keeps a transcript's line breaks gives one paragraph per line; the sentence is
# the lines together, up to the one that ends it.
WRAPPED_CASES = [
    (
        "wrapped-signing-under-a-neutral-title",
        "지자체 해외 교류 잇따라 차질",
        [
            "충북 제천시는 지난 4일 일본",
            "후쿠오카현 이토시마시와 자매결연",
            "협약을 체결했습니다.",
            "양 도시는 매년 청소년 교류를 이어가기로 했습니다.",
        ],
        {_p("Jecheon", "Itoshima"): "established"},
    ),
    (
        "wrapped-suspension-of-two-ties",
        "사드 여파 지자체 교류 중단",
        [
            "경북 영천시는 중국 허난성",
            "정저우시와 맺은 우호협력도시",
            "교류를 잠정 중단했습니다.",
            "시 관계자는 당분간 방문 일정을 잡지 않겠다고 말했습니다.",
        ],
        {_p("Yeongcheon", "Zhengzhou"): "suspended"},
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [(title, body, expected) for _, title, body, expected in WRAPPED_CASES],
    ids=[case[0] for case in WRAPPED_CASES],
)
def test_a_sentence_wrapped_over_lines_is_read_whole(
    title: str, body: list[str], expected: dict[frozenset[str], str]
) -> None:
    assert _pairs_and_events(title, *body) == expected


def test_short_lines_that_end_no_sentence_are_not_glued_to_a_story() -> None:
    from crawler.understanding.sentences import story_paragraphs

    lines = ["안양시 제공", "강원 속초시는 4일 러시아 나홋카시와 자매결연 20주년 기념식을 가졌다."]
    assert [text for text, _ in story_paragraphs("속초", lines)][1:] == lines
    menu = ["자매도시", "우호도시", "국제교류 소식"]  # a menu: its last line ends no sentence
    assert [text for text, _ in story_paragraphs("메뉴", menu)][1:] == menu


# --- Chinese places read in Sino-Korean (한자음): 강소성, 연운항시, 요녕성 --------------------
# Older and regional papers read a Chinese name's characters the Korean way instead of
# transcribing its Mandarin sound (江苏省 강소성, not 장쑤성).
SINO_KOREAN_CASES = [
    (
        "sino-korean-city-and-province",
        "울산시, 中 강소성 연운항시와 우호협력",
        ["울산시는 중국 강소성 연운항시와 우호협력도시 협약을 체결했다고 4일 밝혔다."],
        {_p("Ulsan", "Lianyungang"): "established"},
    ),
    (
        "sino-korean-province-with-initial-sound-rule",
        "충청남도, 中 요녕성과 자매결연",
        ["충청남도는 중국 요녕성과 자매결연 협정을 체결했다고 4일 밝혔다."],
        {_p("South Chungcheong", "Liaoning"): "established"},
    ),
    (
        "sino-korean-city-anniversary",
        "평택시-위해시 자매결연 10주년",
        ["평택시와 중국 산동성 위해시가 자매결연 10주년을 맞아 4일 기념행사를 열었다."],
        {_p("Pyeongtaek", "Weihai"): "anniversary"},
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [(title, body, expected) for _, title, body, expected in SINO_KOREAN_CASES],
    ids=[case[0] for case in SINO_KOREAN_CASES],
)
def test_chinese_places_read_in_sino_korean(
    title: str, body: list[str], expected: dict[frozenset[str], str]
) -> None:
    assert _pairs_and_events(title, *body) == expected


def test_sino_korean_readings_leave_korean_names_and_words_alone() -> None:
    from crawler.understanding.transcribe import hanja_to_hangul

    assert hanja_to_hangul("江苏省") == "강소성"
    assert hanja_to_hangul("辽宁省") == "요녕성"  # 遼 료 first: 요; 寧 녕 after it
    assert hanja_to_hangul("连云港市") == "연운항시"  # 連 련 first: 연
    assert hanja_to_hangul("洛阳市") == "낙양시"  # 洛 락 first: 낙
    assert hanja_to_hangul("Feicheng") is None
    g = gazetteer()
    assert {p.country for p in g.lookup("광주시")} == {"KR"}  # 广州 reads 광주: Gwangju stays
    assert {p.country for p in g.lookup("청도군")} <= {"KR"}  # a Korean county, not Qingdao
    assert g.lookup("강소") == []  # bare readings are words or too short to trust
    assert g.lookup("산동") == []


# --- a name whose every known place lies outside the country stated before it ---------------
# "멕시코 산후안 …": the gazetteer's 산후안 is Puerto Rico's, but the text says Mexico, and the
# name runs on over spaced words ("데 로스 라고스시"): the partner is that Mexican town, never
# the namesake elsewhere.
STATED_COUNTRY_CASES = [
    (
        "spaced-name-in-the-stated-country",
        "전주시, 멕시코 산후안 데 로스 라고스시와 우호교류",
        ["전주시는 멕시코 산후안 데 로스 라고스시와 우호교류 협약을 체결했다고 4일 밝혔다."],
        {_p("Jeonju/KR", "Sanhuan De Loseu Lagoseu/MX"): "established"},
    ),
    (
        "spaced-name-found-by-its-sound",
        "공주시 자매도시 현황",
        ["공주시는 지난 2010년 콜롬비아 산타페 데 안티오키아시와 자매결연을 맺었다."],
        {_p("Gongju/KR", "Santa Fe de Antioquia/CO"): "mentioned"},
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [(title, body, expected) for _, title, body, expected in STATED_COUNTRY_CASES],
    ids=[case[0] for case in STATED_COUNTRY_CASES],
)
def test_a_stated_country_overrules_a_namesake_elsewhere(
    title: str, body: list[str], expected: dict[frozenset[str], str]
) -> None:
    assert _placed_pairs(title, *body) == expected


# --- a foreign town found once by its sound, named again with its level word -----------------
# "멕시코 이라푸아토시" is found by how it sounds, the country being stated; a later sentence
# writes "이라푸아토시를" without the country: the same town, and what it reports is the news.
def test_a_town_found_by_sound_is_the_same_town_when_named_again() -> None:
    signing = "화성시장은 지난 4일 이라푸아토시를 방문해 교류 확대를 위한 협약서에 서명했다."
    story = understood(
        "화성시 대표단 중남미 순방",
        "화성시와 멕시코 이라푸아토시는 지난 1998년 자매결연을 맺었다.",
        signing,
        published="2025-09-05T07:00:00+00:00",
    )
    sides = {frozenset((_side(p["a"]), _side(p["b"]))) for p in story.partnerships}
    assert sides == {_p("Hwaseong/KR", "Irapuato/MX")}
    assert story.partnerships[0]["evidence"] == signing


# --- a new agreement under an old tie is a renewal ---------------------------------------------
# Partners of years sign a memorandum (업무협약, 교류협력 협약) that names no tie of its own: the
# labels call a new or strengthening agreement under an existing tie ``renewed``, not a visit.
RENEWAL_CASES = [
    (
        "memorandum-at-an-anniversary",
        "여수시-이탈리아 나폴리시 자매결연 20주년",
        [
            "여수시와 지난 2005년 자매결연을 맺은 이탈리아 나폴리시 대표단이 결연 20주년을 맞아 "
            "4일 여수시를 방문했다.",
            "여수시장과 나폴리시 부시장은 이날 여수시청에서 관광 분야 협력 강화를 위한 업무협약을 "
            "체결했다.",
        ],
        {_p("Yeosu", "Naples"): "renewed"},
    ),
    (
        "agreement-reviving-a-quiet-tie",
        "김포시, 미국 자매도시와 교류 재개",
        [
            "김포시와 미국 오리건주 세일럼시는 지난 2001년 자매결연을 맺었다.",
            "김포시장은 4일 세일럼시를 방문해 세일럼시장과 청소년 교류 확대 협약서에 서명했다.",
        ],
        {_p("Gimpo", "Salem"): "renewed"},
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [(title, body, expected) for _, title, body, expected in RENEWAL_CASES],
    ids=[case[0] for case in RENEWAL_CASES],
)
def test_a_new_agreement_under_an_old_tie_is_a_renewal(
    title: str, body: list[str], expected: dict[frozenset[str], str]
) -> None:
    assert _pairs_and_events(title, *body) == expected


# --- a district or county written right after a foreign city the gazetteer lacks --------------
# "베트남 하이퐁시 레찬군": the county lies in the city just named, so in its country, and the
# city only locates it; the partner is the county.
def test_a_county_after_an_unknown_foreign_city_is_the_partner() -> None:
    found = _placed_pairs(
        "인천 남동구, 베트남 하롱시 바이짜이군과 교류",
        "인천 남동구는 베트남 하롱시 바이짜이군과 우호교류 협약을 체결했다.",
    )
    assert found == {_p("Namdong/KR/in Incheon", "Baijjai/VN"): "established"}


# --- American counties: "카운티", written apart or joined ----------------------------------------
COUNTY_CASES = [
    (
        "county-written-apart",
        "강릉시, 미국 체스터필드 카운티와 자매도시 협약",
        ["강릉시는 미국 버지니아주 체스터필드 카운티와 자매도시 협약을 체결했다고 4일 밝혔다."],
        {_p("Gangneung/KR", "Chesterfield/US"): "established"},
    ),
    (
        "county-written-joined",
        "논산시, 美 몽고메리카운티와 우호교류",
        ["논산시는 미국 메릴랜드주 몽고메리카운티와 우호교류 협약을 맺었다고 4일 밝혔다."],
        {_p("Nonsan/KR", "Montgomery/US"): "established"},
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [(title, body, expected) for _, title, body, expected in COUNTY_CASES],
    ids=[case[0] for case in COUNTY_CASES],
)
def test_an_american_county_is_the_partner_not_its_state(
    title: str, body: list[str], expected: dict[frozenset[str], str]
) -> None:
    found = _placed_pairs(title, *body)
    assert {frozenset(s.split(" (")[0] for s in pair) for pair in found} == set(expected)
    assert set(found.values()) == set(expected.values())


# --- the tie's name right before its anniversary count ("우호교류 30주년") ---------------------------
ANNIVERSARY_TERM_CASES = [
    (
        "friendly-exchange-anniversary",
        "경기도, 中 광동성과 교류 30주년",
        ["경기도와 중국 광동성이 우호교류 30주년을 맞아 4일 기념행사를 열었다."],
        {_p("Gyeonggi", "Guangdong"): "anniversary"},
    ),
    (
        "friendly-cooperation-anniversary",
        "목포시-日 벳푸시 우호협력 10주년",
        ["목포시와 일본 오이타현 벳푸시는 우호협력 10주년을 기념해 4일 문화 공연을 함께 열었다."],
        {_p("Mokpo", "Beppu"): "anniversary"},
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [(title, body, expected) for _, title, body, expected in ANNIVERSARY_TERM_CASES],
    ids=[case[0] for case in ANNIVERSARY_TERM_CASES],
)
def test_a_tie_named_before_its_anniversary_count(
    title: str, body: list[str], expected: dict[frozenset[str], str]
) -> None:
    assert _pairs_and_events(title, *body) == expected


# --- a Korean city's own name beside a foreign country's context --------------------------------
# "안동시" is Andong's own name and only an old name of China's Dandong: in a Korean story about
# a Chinese partner, the China named around it does not make it Dandong.
def test_a_korean_citys_own_name_is_that_city_beside_a_chinese_partner() -> None:
    found = _placed_pairs(
        "안동시, 中 하남성 정주시와 우호교류 협약",
        "안동시는 4일 중국 하남성 정주시와 우호교류 협약을 체결했다.",
    )
    assert found == {_p("Andong/KR", "Zhengzhou/CN"): "established"}
