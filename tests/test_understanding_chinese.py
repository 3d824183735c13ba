"""Chinese news phrasing, made-up sentences: which places a story pairs and what it reports.

Each case is a short invented story. A side is written as the place's English name, or for a
place the gazetteer lacks as ``?<surface>/<country>`` (kept unresolved, with the country the
sentence states, rather than dropped or forced onto another town).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.understood import understood


def _side(place: dict[str, Any]) -> str:
    if place.get("unresolved"):
        return f"?{place['local_name']}/{place['country']}"
    return place["name"]


def _found(title: str, body: str) -> dict[frozenset[str], str]:
    story = understood(title, body, published="2024-05-01T00:00:00+00:00")
    found = {frozenset((_side(p["a"]), _side(p["b"]))): p["event"] for p in story.partnerships}
    assert len(found) == len(story.partnerships), "one pair reported twice"
    return found


def _pairs(*pairs: tuple[str, str]) -> set[frozenset[str]]:
    return {frozenset(p) for p in pairs}


# Ties the precision rules below must keep (a group word after a list, a delegation 来自友好城市,
# the partner in a later clause, 和…的友好城市关系):
# (case, title, body, the pairs, the event of each pair or None when not checked)
KEPT = [
    (
        "listed-with-group-word",
        "青岛大邱",
        "青岛、大邱两市于1993年结为友好城市。",
        _pairs(("Qingdao", "Daegu")),
        None,
    ),
    (
        "delegation-from-a-partner",
        "大邱代表团访问青岛",
        "来自友好城市韩国大邱市的代表团访问青岛市。",
        _pairs(("Qingdao", "Daegu")),
        "exchange",
    ),
    (
        "partner-in-a-later-clause",
        "烟台代表团访日",
        "烟台市代表团访问日本，与下关市签署友好城市协议。",
        _pairs(("Yantai", "Shimonoseki")),
        None,
    ),
    (
        "tie-of-two-joined-by-he",
        "青岛大邱",
        "青岛市和韩国大邱市的友好城市关系日益密切。",
        _pairs(("Qingdao", "Daegu")),
        None,
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "pairs", "event"),
    [pytest.param(*case[1:], id=case[0]) for case in KEPT],
)
def test_chinese_ties_kept(
    title: str, body: str, pairs: set[frozenset[str]], event: str | None
) -> None:
    found = _found(title, body)
    assert set(found) == pairs
    if event is not None:
        assert set(found.values()) == {event}


# Hard negatives: Chinese news names several places without partnering them. Each case names
# the pairs that may be reported (the tie the text does state, else none); any other pair is a
# partnership that would reach subscribers' feeds without the story saying so.
QD = ("Qingdao", "Daegu")
NEGATIVES = [
    # --- 分别 ("each", "respectively") in other shapes than two lists paired place by place ---
    (
        "respectively-both-held-events",
        "友城推介会",
        "在友好城市交流周期间，济南市与青岛市分别举办推介会，韩国釜山市、日本福冈市代表应邀出席。",
        set(),
    ),
    (
        "respectively-with-their-companies",
        "企业签约",
        "济南、青岛两市分别与韩国釜山市、日本福冈市的企业签订贸易合同，友好城市交流持续深化。",
        set(),
    ),
    (
        "respectively-delegations-met",
        "友城代表会见",
        "韩国釜山市、日本福冈市代表团分别会见了济南市、青岛市友好城市工作负责人。",
        set(),
    ),
    (
        "respectively-introduced",
        "友城会议",
        "来自韩国釜山市、日本福冈市的代表分别介绍了友好城市工作经验，济南市、青岛市代表出席。",
        set(),
    ),
    (
        "respectively-exchanges-of-others",
        "友城工作",
        "青岛市与韩国大邱市结为友好城市。大邱市、釜山市分别与日本福冈市、广岛市开展了友好交流。",
        _pairs(QD),
    ),
    (
        "respectively-sent-delegates",
        "友城青年营",
        "济南市、青岛市分别派代表赴韩国釜山市、日本福冈市参加友好城市青年营。",
        set(),
    ),
    (
        "respectively-mayors-spoke",
        "青岛大邱结好",
        "青岛市与韩国大邱市结为友好城市，两市市长分别致辞。",
        _pairs(QD),
    ),
    (
        "respectively-ports-signed",
        "物流合作",
        "青岛市与韩国大邱市是友好城市。济南、烟台两市分别与韩国釜山市、日本福冈市的港口签订了物流合作协议。",
        _pairs(QD),
    ),
    # --- 三方 / 三市 that is no three-party signing of a tie ---
    (
        "three-party-talks",
        "三方会谈",
        "中国青岛市、韩国釜山市和日本福冈市的企业代表举行三方会谈，青岛市与韩国大邱市是友好城市。",
        _pairs(QD),
    ),
    (
        "three-party-friendly-people",
        "友好人士聚会",
        "中日韩三方友好人士在青岛市聚会，韩国釜山市、日本福冈市代表参加友好城市交流活动。",
        set(),
    ),
    (
        "three-ports-sign",
        "三方签约",
        "青岛港、韩国釜山港和日本博多港三方签署港口合作协议，青岛市与韩国釜山市是友好城市。",
        _pairs(("Qingdao", "Busan")),
    ),
    (
        "three-cities-jointly-hold",
        "三市联合举办",
        "中国大连市、韩国仁川市和日本北九州市三市共同举办友好城市旅游推介会。",
        set(),
    ),
    (
        "three-companies-cooperate",
        "三方合作",
        "海尔集团、韩国三星集团和日本松下公司三方共同签署合作备忘录，青岛市副市长出席，"
        "青岛市与韩国大邱市是友好城市。",
        _pairs(QD),
    ),
    (
        "four-party-forum",
        "四方论坛",
        "中国烟台市、韩国群山市、日本下关市和美国圣迭戈市四方共同主办友城青年论坛。",
        set(),
    ),
    (
        "three-party-cooperation-agreement",
        "三方合作",
        "青岛市、韩国大邱市和日本下关市签署三方合作协议，青岛市与大邱市是友好城市。",
        _pairs(QD),
    ),
    (
        "third-party",
        "第三方",
        "青岛市与韩国大邱市结为友好城市，第三方机构日本下关市商会见证。",
        _pairs(QD),
    ),
    # --- two places of one country near a relation term, in a story about a foreign place ---
    (
        "foreign-delegation-at-a-forum-in-two-cities",
        "基督城代表团访华",
        "新西兰基督城代表团访华。代表团在北京和上海出席了友好城市论坛。",
        set(),
    ),
    (
        "foreign-mayor-at-a-provincial-meeting",
        "大分市代表团访华",
        "日本大分市代表团访问中国。大分市市长在湖北省和武汉市友城工作会议上致辞。",
        set(),
    ),
    (
        "foreign-mayor-meets-an-association",
        "基督城市长访华",
        "基督城市长访华期间，会见了四川省、成都市友好城市协会负责人。",
        set(),
    ),
    (
        "delegates-from-two-cities",
        "下关市友城大会",
        "日本下关市举办友好城市大会，来自青岛市和大连市的友好城市代表出席。",
        _pairs(("Shimonoseki", "Qingdao"), ("Shimonoseki", "Dalian")),
    ),
    (
        "two-cities-host-a-forum",
        "波特兰代表团",
        "美国波特兰市代表团出席了由北京、上海两市友好城市协会联合主办的论坛。",
        set(),
    ),
    (
        "partner-and-the-capital",
        "大分市长访问武汉",
        "日本大分市市长访问友好城市武汉市。大分市市长还在北京和武汉友城交流会上发言。",
        _pairs(("Ōita", "Wuhan")),
    ),
    (
        "two-cities-festivals",
        "两个节日",
        "日本大分市代表团访问中国，参加了北京和上海两个姐妹城市节庆活动。",
        set(),
    ),
    (
        "two-cities-exchange-centres",
        "大邱代表团",
        "韩国大邱市代表团访华，先后到访北京、上海两地友好城市交流中心。",
        set(),
    ),
    (
        "two-cities-associations-meet",
        "大邱",
        "韩国大邱市代表团访华。北京和上海友好城市协会负责人会见了代表团。",
        set(),
    ),
    (
        "two-cities-as-venues",
        "大邱",
        "韩国大邱市代表团访华。代表团在北京和上海参加了友好城市座谈。",
        set(),
    ),
    # --- lists: a trade fair, a city's partners as background, one country's places ---
    (
        "trade-fair-exhibitors",
        "青岛国际博览会开幕",
        "青岛国际博览会开幕，韩国大邱市、日本下关市、美国长滩市等友好城市的企业参展。",
        _pairs(QD, ("Qingdao", "Shimonoseki"), ("Qingdao", "Long Beach")),
    ),
    (
        "partners-as-background",
        "杭州举办马拉松",
        "杭州国际马拉松开跑。杭州市已与日本岐阜市、美国波士顿市等结为友好城市，两市选手参赛。",
        _pairs(("Hangzhou", "Gifu"), ("Hangzhou", "Boston")),
    ),
    (
        "us-states-listed",
        "友城大会",
        "美国加利福尼亚州、俄亥俄州代表出席在广州举办的友好城市大会。",
        set(),
    ),
    (
        "us-states-joined",
        "友城",
        "美国加利福尼亚州和俄亥俄州的代表出席友好城市交流会。",
        set(),
    ),
    (
        "provinces-and-cities-listed",
        "友城大会",
        "江苏省、浙江省以及南京市、杭州市的代表出席了友好城市工作会议。",
        set(),
    ),
    (
        "provinces-listed-with-deng",
        "友城会议",
        "山东省、江苏省、浙江省等省份友好城市工作负责人参加培训。",
        set(),
    ),
    (
        "prefectures-listed",
        "友城",
        "日本静冈县、爱知县代表参加了浙江省友好省县交流会。",
        _pairs(("Zhejiang", "Shizuoka"), ("Zhejiang", "Aichi")),
    ),
    (
        "countries-listed",
        "友城",
        "来自泰国、老挝、越南的代表出席了南宁市友好城市活动。",
        set(),
    ),
    (
        "two-cities-of-a-country-attend",
        "友城",
        "韩国首尔市和釜山市代表出席了青岛市友好城市活动。",
        _pairs(("Qingdao", "Seoul"), ("Qingdao", "Busan")),
    ),
    (
        "two-delegations",
        "两个代表团",
        "青岛市与韩国大邱市签署两个友好合作项目协议，济南和烟台两个代表团列席。",
        _pairs(QD),
    ),
    # --- names of people, companies, products and events holding a place's name ---
    (
        "person-named-taiguo",
        "青岛大邱",
        "青岛市与韩国大邱市结为友好城市，市外办主任李泰国出席仪式。",
        _pairs(QD),
    ),
    (
        "restaurant-chain",
        "青岛大邱",
        "青岛市与韩国大邱市是友好城市。加州牛肉面在大邱市开设门店。",
        _pairs(QD),
    ),
    (
        "expo-named-after-a-prefecture",
        "下关友城",
        "青岛市与日本下关市是友好城市，青岛企业曾参加爱知世博会。",
        _pairs(("Qingdao", "Shimonoseki")),
    ),
    (
        "products-named-after-countries",
        "展会",
        "青岛市与泰国清迈市是友好城市，泰国香米、老挝咖啡、巴西烤肉亮相展会。",
        _pairs(("Qingdao", "Chiang Mai")),
    ),
    (
        "surname-chiba",
        "友人",
        "青岛市与日本下关市是友好城市，日本友人千叶先生出席活动。",
        _pairs(("Qingdao", "Shimonoseki")),
    ),
    (
        "surname-yamaguchi",
        "友人",
        "青岛市与日本下关市是友好城市，下关市市长山口先生出席活动。",
        _pairs(("Qingdao", "Shimonoseki")),
    ),
    (
        "film-director-miyazaki",
        "动画展",
        "宫崎骏动画展在青岛举行，青岛市与日本下关市是友好城市。",
        _pairs(("Qingdao", "Shimonoseki")),
    ),
    (
        "company-texas-instruments",
        "设厂",
        "德州仪器公司在成都设厂，成都市与美国凤凰城是友好城市。",
        _pairs(("Chengdu", "Phoenix")),
    ),
    (
        "ohio-state-university",
        "访问",
        "俄亥俄州立大学代表团访问合肥市，合肥市与美国哥伦布市是友好城市。",
        _pairs(("Hefei", "Columbus")),
    ),
    (
        "university-of-california",
        "访问",
        "加州大学代表团访问上海市，上海市与美国旧金山市是友好城市。",
        _pairs(("Shanghai", "San Francisco")),
    ),
    (
        "explorer-columbus",
        "航海展",
        "哥伦布航海展在青岛开幕，青岛市与韩国大邱市是友好城市。",
        _pairs(QD),
    ),
    (
        "church-of-saint-paul",
        "音乐会",
        "圣保罗教堂音乐会在青岛举行，青岛市与韩国大邱市是友好城市。",
        _pairs(QD),
    ),
    (
        "newspaper-new-york-times",
        "报道",
        "纽约时报报道了青岛市与韩国大邱市结为友好城市。",
        _pairs(QD),
    ),
    (
        "wine-of-california",
        "葡萄酒",
        "加利福尼亚州葡萄酒在青岛展销，青岛市与韩国大邱市是友好城市。",
        _pairs(QD),
    ),
    (
        "racing-driver-hamilton",
        "赛车",
        "车手汉密尔顿在上海夺冠，上海市与美国旧金山市是友好城市。",
        _pairs(("Shanghai", "San Francisco")),
    ),
    # --- a country's name, then words ending in 州 / 省 that are no region of that country ---
    (
        "foreign-guests-in-a-district",
        "杭州岐阜",
        "日本客人来到杭州萧山区参观，杭州市与日本岐阜市是友好城市。",
        _pairs(("Hangzhou", "Gifu")),
    ),
    (
        "foreign-delegation-in-a-zone",
        "郑州友城",
        "韩国代表团在郑州高新区考察，郑州市与韩国全州市是友好城市。",
        _pairs(("Zhengzhou", "Jeonju")),
    ),
    (
        "foreign-expert-in-a-chinese-county",
        "考察",
        "美国专家在贵州龙里县考察，贵阳市与美国波士顿市是友好城市。",
        _pairs(("Guiyang", "Boston")),
    ),
    (
        "foreign-tourists-in-a-county",
        "游览",
        "日本游客到浙江桐庐县游览，杭州市与日本岐阜市是友好城市。",
        _pairs(("Hangzhou", "Gifu")),
    ),
    (
        "consul-stationed-in-a-city",
        "佛山友城活动",
        "日本驻广州总领事出席佛山市友好城市活动，佛山市与日本伊丹市是友好城市。",
        _pairs(("Foshan", "Itami")),
    ),
    (
        "consulate-officials-visit",
        "肇庆",
        "美国驻广州总领馆官员访问肇庆市，肇庆市的友好城市代表团同行。",
        set(),
    ),
    (
        "consulate-general",
        "青岛大邱",
        "日本驻青岛总领事馆总领事出席青岛市与韩国大邱市友好城市交流活动。",
        _pairs(QD),
    ),
    (
        "prefecture-and-its-city",
        "静冈",
        "浙江省与日本静冈县是友好省县。静冈市市长访问杭州。",
        _pairs(("Zhejiang", "Shizuoka")),
    ),
    # --- 结好 / 姐妹城 inside other words; visit words with no partner ---
    (
        "link-up-well",
        "物流通道",
        "青岛市将与韩国釜山市联结好海上物流通道，推动港口合作。",
        set(),
    ),
    (
        "frozen-well",
        "资金",
        "青岛市与韩国釜山市合作项目资金已冻结好，等待审批。",
        set(),
    ),
    (
        "knot-woven",
        "中国结",
        "青岛市民与韩国釜山市游客一起编结好中国结。",
        set(),
    ),
    (
        "knot-tied",
        "结",
        "青岛市与韩国大邱市的学生打结好红绳。",
        set(),
    ),
    (
        "sister-castle",
        "城堡",
        "青岛市与韩国大邱市的游客参观了姐妹城堡。",
        set(),
    ),
    # --- more lists and gatherings ---
    (
        "delegates-from-three-partners",
        "论坛",
        "来自韩国大邱市、釜山市、日本下关市的友好城市代表出席在青岛举办的论坛。",
        _pairs(QD, ("Qingdao", "Busan"), ("Qingdao", "Shimonoseki")),
    ),
    (
        "national-meeting-host-city",
        "会议",
        "全国友好城市工作会议在杭州召开，苏州市、无锡市代表发言。",
        set(),
    ),
    (
        "two-cities-networks",
        "友城数量",
        "北京和上海的友好城市数量位居全国前列。",
        set(),
    ),
    (
        "two-foreign-prefectures-joined",
        "论坛",
        "日本东京都和大阪府的代表参加友好城市论坛。",
        set(),
    ),
    (
        "three-party-hosts-a-forum",
        "三方",
        "中日韩三方共同举办友好城市论坛，青岛市、韩国大邱市、日本下关市代表出席。",
        set(),
    ),
    (
        "respectively-visited",
        "访问",
        "济南市、青岛市代表团分别访问了韩国水原市、大邱市。",
        set(),
    ),
    (
        "conference-with-three-cities",
        "大会",
        "第五届中国国际友好城市大会在广州举行，北京市、上海市和天津市代表出席。",
        set(),
    ),
    (
        "province-and-two-cities-listed",
        "会议",
        "四川省、成都市和绵阳市外办负责人出席友城工作会议。",
        set(),
    ),
    (
        "partner-and-the-capital-visited",
        "武汉代表团访日",
        "武汉市代表团访问日本东京和大分市，大分市是武汉市的友好城市。",
        _pairs(("Wuhan", "Ōita")),
    ),
    (
        "province-of-two-cities",
        "山东",
        "山东省的青岛市和烟台市代表出席友好城市论坛。",
        set(),
    ),
    (
        "state-of-two-cities",
        "友城",
        "美国加利福尼亚州的洛杉矶市和旧金山市代表出席友好城市活动。",
        set(),
    ),
    (
        "three-party-with-a-company",
        "三方",
        "青岛市、韩国大邱市与三星公司三方签署友好合作协议。",
        _pairs(QD),
    ),
    (
        "mayor-visits-companies",
        "走访企业",
        "青岛市市长率团走访辖区企业，了解友好城市经贸合作进展。",
        set(),
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "allowed"),
    [pytest.param(*case[1:], id=case[0]) for case in NEGATIVES],
)
def test_chinese_places_named_without_a_tie(
    title: str, body: str, allowed: set[frozenset[str]]
) -> None:
    assert set(_found(title, body)) <= allowed


# Korean towns in Han script (韩国青松郡): Chinese papers write a Korean place's Hanja name, which
# the gazetteer may lack; read in Sino-Korean it is the town's Hangul name (청송군).
HANJA_CASES = [
    (
        "korean-county-in-hanja",
        "扬州市与韩国青松郡结好",
        "扬州市与韩国庆尚北道青松郡签署友好城市协议。",
        _pairs(("Yangzhou", "Cheongsong gun")),
    ),
    (
        "korean-city-in-hanja",
        "洛阳代表团访问荣州",
        "洛阳市代表团访问友好城市韩国荣州市，双方商定扩大青少年交流。",
        _pairs(("Luoyang", "Yeongju")),
    ),
    (
        "korean-city-in-hanja-country-stated-once",
        "韩国荣州市代表团访问洛阳",
        "为深化洛阳市与友好城市荣州市的交流，荣州市代表团一行访问洛阳市。",
        _pairs(("Luoyang", "Yeongju")),
    ),
]


@pytest.mark.parametrize(
    ("title", "body", "pairs"),
    [pytest.param(*case[1:], id=case[0]) for case in HANJA_CASES],
)
def test_korean_places_written_in_hanja(title: str, body: str, pairs: set[frozenset[str]]) -> None:
    assert set(_found(title, body)) == pairs


def test_a_hanja_name_is_read_only_for_a_stated_korean_place() -> None:
    # Without 韩国 the name is no Korean town: it stays the unresolved place it was.
    found = _found("扬州市结好", "扬州市与青松郡签署友好城市协议。")
    assert all("Cheongsong gun" not in pair for pair in found)
