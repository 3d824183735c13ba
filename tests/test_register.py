"""The partnership register: new pairs, repeated reports, contradictions, retractions, events
grouped across sites, network sizes; and the same register on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import StoryStore
from tests.storeconf import *  # noqa: F403
from tests.storefactory import (
    BINZHOU,
    GOYANG,
    QINGDAO,
    asiae_gwangju_qingdao,
    binzhou_goyang,
    chinadaily_qingdao_gwangju,
    licheng_gangnam,
    make_story,
    not_partnership,
    pair,
    qingdao_network,
)

T1 = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=1)
T3 = T1 + timedelta(days=2)
QG = "geonames:1797929|geonames:1841811"
BG = "geonames:1816336|geonames:1842485"
LG = "geonames:1803331|geonames:8224650"


def kinds(store: StoryStore, key: str) -> list[str]:
    return [c.kind for c in store.changes(key)]


def test_a_signing_story_creates_the_partnership_with_a_plain_title(store: StoryStore) -> None:
    change = store.record(asiae_gwangju_qingdao(T1))
    assert change.partnerships_new == 1
    p = store.partnership(QG)
    assert (p.relation, p.status, p.began, p.latest_event, p.latest_event_date) == (
        "sister",
        "active",
        "2024-11-21",
        "established",
        "2024-11-21",
    )
    (logged,) = store.changes(QG)
    assert logged.kind == "new"
    assert logged.title == "Qingdao (CN) – Gwangju (KR): sister-city agreement signed 2024-11-21"
    assert store.change_evidence(logged.key) == [(change.story_key, 1)]


def test_a_repeated_report_is_evidence_not_a_change(store: StoryStore) -> None:
    store.record(asiae_gwangju_qingdao(T1))
    copy = asiae_gwangju_qingdao(T2)
    copy.site, copy.url, copy.canonical_url = (
        "chinadaily_shandong",
        "https://x.example/1",
        "https://x.example/1",
    )
    copy.story_id = "chinadaily_shandong/20241127/c_1051370"
    copy.content_hash = "other"
    change = store.record(copy)
    assert change.partnership_changes == []
    assert kinds(store, QG) == ["new"]
    assert sorted(store.field_evidence(QG)["relation"]["sister"]) == [
        "asiae/20241122/2024112211525203153/v1",
        "chinadaily_shandong/20241127/c_1051370/v1",
    ]
    # Both stories are sources of the one signing event.
    (new,) = store.changes(QG)
    assert [k for k, _ in store.change_evidence(new.key)] == [
        "asiae/20241122/2024112211525203153",
        "chinadaily_shandong/20241127/c_1051370",
    ]


def test_the_two_sides_wordings_of_one_tie_never_flip_the_relation(store: StoryStore) -> None:
    """Asiae (Korean side) says sister city, China Daily (Chinese side) friendly cooperation,
    for the same 2024-11-21 signing: the register keeps the closest tie and shows the other
    wording as evidence, without a field change or a conflict."""
    store.record(asiae_gwangju_qingdao(T1))  # published 2024-11-22: "sister"
    store.record(chinadaily_qingdao_gwangju(T2))  # published 2024-11-27: "friendly cooperation"
    store.record(chinadaily_qingdao_gwangju(T3, article="c_1050999", days=9))
    assert store.partnership(QG).relation == "sister"
    assert kinds(store, QG) == ["new"]
    assert set(store.field_evidence(QG)["relation"]) == {"sister", "friendly_cooperation"}


def test_a_closer_tie_reported_later_is_a_field_change(store: StoryStore) -> None:
    store.record(chinadaily_qingdao_gwangju(T1))
    store.record(asiae_gwangju_qingdao(T2))
    assert store.partnership(QG).relation == "sister"
    new, field = store.changes(QG)
    assert (field.kind, field.field, field.old_value, field.new_value) == (
        "field",
        "relation",
        "friendly_cooperation",
        "sister",
    )
    assert "other sources still say friendly cooperation" in field.title


def test_an_older_contradicting_start_is_logged_as_a_conflict(store: StoryStore) -> None:
    newer = licheng_gangnam(T1, since_year=2007)
    older = licheng_gangnam(T2, since_year=2009)
    older.site, older.url, older.canonical_url = (
        "asiae",
        "https://x.example/2",
        "https://x.example/2",
    )
    older.story_id = "asiae/20250101/2"
    older.published = datetime(2025, 1, 1, tzinfo=UTC)
    store.record(newer)
    store.record(older)
    assert store.partnership(LG).began == "2007"
    assert kinds(store, LG) == ["new", "conflict"]
    conflict = store.changes(LG)[1]
    assert (conflict.field, conflict.old_value, conflict.new_value) == ("began", "2007", "2009")
    assert conflict.title.endswith("this story says 2009, the register keeps 2007")


def test_a_weak_single_source_does_not_override_a_confident_one(store: StoryStore) -> None:
    store.record(licheng_gangnam(T1, since_year=2007))
    weak = licheng_gangnam(T2, since_year=2009)
    weak.site, weak.url, weak.canonical_url = "asiae", "https://x.example/3", "https://x.example/3"
    weak.story_id = "asiae/20260101/3"
    weak.published = datetime(2026, 1, 1, tzinfo=UTC)
    weak.confidence = 0.2
    store.record(weak)
    assert store.partnership(LG).began == "2007"
    assert kinds(store, LG) == ["new", "conflict"]


def test_an_edit_that_drops_the_claim_retracts_the_partnership(store: StoryStore) -> None:
    store.record(binzhou_goyang(T1))
    edited = binzhou_goyang(T2)
    edited.body = ["Binzhou held an online conference on Dec 6."]
    edited.content_hash = "edited"
    edited.partnerships = []
    edited.raw[0].body = b"<html><p>Binzhou held an online conference on Dec 6.</p></html>"
    edited.is_partnership_story = False
    change = store.record(edited)
    assert change.kind == "changed"
    p = store.partnership(BG)
    assert p.retracted is True
    assert kinds(store, BG) == ["new", "retraction"]
    assert store.field_evidence(BG) == {}
    retraction = store.changes(BG)[-1]
    assert store.change_evidence(retraction.key) == [("chinadaily_shandong/20211216/c_692691", 2)]


def test_an_anniversary_on_a_known_pair_is_an_event_and_close_reports_share_it(
    store: StoryStore,
) -> None:
    store.record(
        make_story(
            "chinesetoday",
            "1",
            "Binzhou and Goyang",
            ["Sister cities since 1996."],
            fetched=T1,
            partnerships=[
                pair(BINZHOU, GOYANG, since_year=1996, evidence="Sister cities since 1996.")
            ],
        )
    )
    store.record(binzhou_goyang(T2))  # 25th anniversary on 2021-12-06
    assert kinds(store, BG) == ["new", "event"]
    event = store.changes(BG)[1]
    assert event.title == "Binzhou (CN) – Goyang (KR): 25th anniversary marked 2021-12-06"
    # Another site reports the same online conference, dated three days later: same event.
    same = make_story(
        "asiae",
        "2021120910000000001",
        "Goyang marks 25 years with Binzhou",
        ["Goyang and Binzhou met online."],
        fetched=T3,
        partnerships=[
            pair(BINZHOU, GOYANG, event="anniversary", event_date="2021-12-09", since_year=1996)
        ],
    )
    assert store.record(same).partnership_changes == []
    assert len(store.change_evidence(event.key)) == 2
    # A visit a month later is an event of its own.
    visit = make_story(
        "asiae",
        "2022011010000000001",
        "Binzhou delegation visits Goyang",
        ["A delegation visited Goyang."],
        fetched=T3,
        partnerships=[pair(BINZHOU, GOYANG, event="exchange", event_date="2022-01-10")],
    )
    store.record(visit)
    assert kinds(store, BG) == ["new", "event", "event"]
    assert store.partnership(BG).latest_event == "exchange"


def test_a_changed_start_year_is_a_field_change(store: StoryStore) -> None:
    store.record(licheng_gangnam(T1, since_year=2007))
    store.record(licheng_gangnam(T2, since_year=2008))
    field = store.changes(LG)[-1]
    assert (field.kind, field.field, field.old_value, field.new_value) == (
        "field",
        "began",
        "2007",
        "2008",
    )
    assert store.partnership(LG).began == "2008"


def test_network_sizes_are_dated_observations(store: StoryStore) -> None:
    store.record(qingdao_network(T1))
    later = make_story(
        "chinadaily_shandong",
        "c_2",
        "Qingdao's friends",
        ["Qingdao has 95 partner cities in 54 countries."],
        fetched=T2,
        network_sizes=[
            {
                "place": QINGDAO,
                "cities": 95,
                "countries": 54,
                "as_of": "2025-03-01",
                "evidence": "95 cities",
            }
        ],
    )
    store.record(later)
    assert [(n.as_of, n.cities, n.countries) for n in store.network_sizes(QINGDAO["id"])] == [
        ("2023-10-06", 86, 48),
        ("2025-03-01", 95, 54),
    ]


def test_stories_without_claims_leave_the_register_alone(store: StoryStore) -> None:
    store.record(not_partnership(T1))
    assert store.partnerships() == []
    assert store.changes() == []


SCENARIO = [
    lambda: asiae_gwangju_qingdao(T1),
    lambda: chinadaily_qingdao_gwangju(T1),
    lambda: binzhou_goyang(T1),
    lambda: licheng_gangnam(T1),
    lambda: qingdao_network(T1),
    lambda: not_partnership(T1),
    lambda: licheng_gangnam(T2, since_year=2008),
    lambda: asiae_gwangju_qingdao(T3, body_extra=["They will also exchange students."]),
]


def run_scenario(store: StoryStore) -> dict:
    for build in SCENARIO:
        store.record(build())
    return store.register_snapshot()


def test_sqlite_and_postgresql_build_the_same_register(
    sqlite_store: StoryStore, postgres_url: str
) -> None:
    with StoryStore.open(postgres_url) as pg:
        assert run_scenario(pg) == run_scenario(sqlite_store)
    snapshot = sqlite_store.register_snapshot()
    assert set(snapshot) == {QG, BG, LG}


def test_a_letter_of_intent_is_a_proposed_partnership_that_signing_makes_active(
    store: StoryStore,
) -> None:
    intent = make_story(
        "chinadaily_shandong",
        "700001",
        "Binzhou and Goyang sign letter of intent on sister-city ties",
        ["Binzhou and Goyang signed a letter of intent on Monday to become sister cities."],
        fetched=T1,
        partnerships=[
            pair(BINZHOU, GOYANG, event="established", status="proposed", event_date="1996-03-04")
        ],
    )
    store.record(intent)
    p = store.partnership(BG)
    assert (p.status, p.began) == ("proposed", None)
    (logged,) = store.changes(BG)
    assert logged.title.endswith("letter of intent for a sister-city partnership signed 1996-03-04")

    signed = make_story(
        "chinadaily_shandong",
        "700002",
        "Binzhou and Goyang become sister cities",
        ["Binzhou and Goyang signed a sister-city agreement on Friday."],
        fetched=T2,
        partnerships=[pair(BINZHOU, GOYANG, event="established", event_date="1996-11-08")],
    )
    store.record(signed)
    p = store.partnership(BG)
    assert (p.status, p.began) == ("active", "1996-11-08")
    assert "status changed from proposed to active" in " ".join(c.title for c in store.changes(BG))


def test_two_places_of_one_name_get_readable_feed_slugs(store: StoryStore) -> None:
    from sqlalchemy import select

    from storage.models import PlaceRecord
    from tests.storefactory import GWANGJU, GWANGJU_GG

    for n, gwangju in enumerate((GWANGJU, GWANGJU_GG)):
        store.record(
            make_story(
                "asiae",
                f"80000{n}",
                "Qingdao and Gwangju sign a sister city agreement",
                ["Qingdao and Gwangju signed a sister city agreement."],
                fetched=T1,
                partnerships=[pair(QINGDAO, gwangju, event="established", event_date="2024-11-21")],
            )
        )
    with store.session() as session:
        slugs = set(session.scalars(select(PlaceRecord.slug).where(PlaceRecord.name == "Gwangju")))
    assert slugs == {"gwangju-kr", "gwangju-gyeonggi-kr"}


def _batch_stories() -> list:
    """Stories one crawl run could bring in any order: both sides' wordings of the Qingdao–
    Gwangju signing, a disagreement on Licheng–Gangnam's start, an anniversary."""
    older = licheng_gangnam(T1, since_year=2009)
    older.site, older.url, older.canonical_url = (
        "asiae",
        "https://x.example/9",
        "https://x.example/9",
    )
    older.story_id = "asiae/20250101/9"
    older.published = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        asiae_gwangju_qingdao(T1),
        chinadaily_qingdao_gwangju(T1 + timedelta(minutes=1)),
        chinadaily_qingdao_gwangju(T1 + timedelta(minutes=2), article="c_1050999", days=9),
        binzhou_goyang(T1 + timedelta(minutes=3)),
        licheng_gangnam(T1 + timedelta(minutes=4), since_year=2007),
        older,
        qingdao_network(T1 + timedelta(minutes=5)),
    ]


def _run_in_order(url: str, order: list[int], *, settle: bool = True) -> dict:
    with StoryStore.open(url) as store:
        stories = _batch_stories()
        run_id = store.start_run(["asiae", "chinadaily_shandong", "china_org_cn"])
        for i in order:
            store.record(stories[i], run_id=run_id if settle else None)
        store.settle_pending()
        return store.register_snapshot()


def test_a_runs_change_log_does_not_depend_on_the_order_stories_arrive_in(tmp_path) -> None:
    import random

    rng = random.Random(11)
    orders = [list(range(7)), list(reversed(range(7)))]
    orders += [rng.sample(range(7), 7) for _ in range(3)]
    snapshots = [
        _run_in_order(f"sqlite:///{tmp_path / f'run{n}.db'}", order)
        for n, order in enumerate(orders)
    ]
    assert all(snap == snapshots[0] for snap in snapshots[1:])
    qg = snapshots[0][QG]
    assert qg["relation"] == "sister" and [c["kind"] for c in qg["changes"]] == ["new"]
    assert qg["changes"][0]["title"].endswith("sister-city agreement signed 2024-11-21")
    # Every story reporting the signing is a source of its one entry.
    assert len(qg["changes"][0]["evidence"]) == 3
    assert [c["kind"] for c in snapshots[0][LG]["changes"]] == ["new", "conflict"]


def test_story_by_story_the_order_still_shows(tmp_path) -> None:
    """What the batch above guards against: filed one by one (no run), the change log follows
    the arrival order, so the order test is not vacuous."""
    first = _run_in_order(f"sqlite:///{tmp_path / 'a.db'}", list(range(7)), settle=False)
    second = _run_in_order(f"sqlite:///{tmp_path / 'b.db'}", list(reversed(range(7))), settle=False)
    assert first != second


def _pipeline_in_order(url: str, order: list[int]) -> dict:
    """The stories through StorePipeline as a plain `scrapy crawl` files them: no crawl run."""
    import asyncio

    from scrapy.utils.test import get_crawler

    from pipelines.store import StorePipeline

    crawler = get_crawler(
        settings_dict={"SISTERCITY_DB_URL": url, "SISTERCITY_STORE_BATCH_SIZE": 1}
    )
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    stories = _batch_stories()
    for i in order:
        asyncio.run(pipeline.process_item(stories[i]))
    asyncio.run(pipeline.close_spider())
    assert crawler.stats.get_value("sistercity/register/settled") > 0
    with StoryStore.open(url) as store:
        return store.register_snapshot()


def test_a_plain_scrapy_crawl_settles_once_whatever_the_order(tmp_path) -> None:
    first = _pipeline_in_order(f"sqlite:///{tmp_path / 'a.db'}", list(range(7)))
    second = _pipeline_in_order(f"sqlite:///{tmp_path / 'b.db'}", list(reversed(range(7))))
    assert first == second
    assert [c["kind"] for c in first[QG]["changes"]] == ["new"]


def test_two_settles_at_once_log_each_change_once(tmp_path) -> None:
    """Two processes settling the same store at the same moment (spiders of one `scrapy crawl`
    process closing together, or `sistercity feeds` beside a crawl's end): each pending pair is
    settled by one of them only. Both are held right after their first statement on the pending
    marks, so both have read them before either settles."""
    import threading

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    url = f"sqlite:///{tmp_path / 'store.db'}"
    with StoryStore.open(url) as store:
        run_id = store.start_run(["asiae", "chinadaily_shandong", "china_org_cn"])
        for story in _batch_stories():
            store.record(story, run_id=run_id)
    alone = _run_in_order(f"sqlite:///{tmp_path / 'alone.db'}", list(range(7)))

    both_read = threading.Barrier(2, timeout=3)
    held = threading.local()

    def hold_after_reading_marks(conn, cursor, statement, *args) -> None:
        if "store_meta" in statement and not getattr(held, "done", False):
            held.done = True
            try:
                both_read.wait()
            except threading.BrokenBarrierError:
                pass  # the other one waits on the database for this one: that is the point

    failures: list[BaseException] = []

    def settle() -> None:
        try:
            with StoryStore.open(url) as store:
                store.settle_pending()
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            failures.append(error)

    event.listen(Engine, "after_cursor_execute", hold_after_reading_marks)
    try:
        threads = [threading.Thread(target=settle) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        event.remove(Engine, "after_cursor_execute", hold_after_reading_marks)
    assert failures == []
    with StoryStore.open(url) as store:
        assert store.register_snapshot() == alone
