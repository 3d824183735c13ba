"""Issue 4 end to end: the real `sistercity crawl` over the four replicas at edition 1, then at
edition 2, then once more with nothing new, into SQLite and into PostgreSQL.

What edition 2 changes, read from each replica's stories.yaml (not from any output): each site has
one new story and one edited paragraph; China Daily Shandong reports a new friendship-city pair
(Rizhao and Pohang) and China.org.cn the 30th anniversary of Binzhou and Goyang, a pair already
in the register after edition 1. The expectations below are written out by hand from that data.

The crawls run once per module (see tests/editions_support.py); every test reads their results.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import feedparser
import lxml.html
import pytest
from lxml import etree
from sqlalchemy import select

from crawler.replicas import ReplicaServer
from storage import StoryStore
from storage.feeds import FeedConfig, build_feeds
from storage.models import ChangeEvidence, ChangeRecord, Event, StoryRecord, StoryVersion
from tests.conftest import POSTGRES_URL, chromium_path, require
from tests.editions_support import SITES, Chain, all_entries, copy_tree, feed_entries, file_stats
from tests.pgschema import postgres_reachable, throwaway_schema
from tests.test_crawl_command import FAST, sistercity, without_times
from tests.test_feeds import atom_files, snapshot, validate_atom

ATOM = "{http://www.w3.org/2005/Atom}"
BASE_URL = FeedConfig().base_url
TAG = "tag:sistercity.github.io,2026:"

# --- what edition 2 changes, from the replicas' stories.yaml -----------------------------------
# The story each site adds (its key: site/publication date/article id).
NEW_STORIES = {
    "asiae": "asiae/20261118/2026111809300512001",
    "china_org_cn": "china_org_cn/20261028/43391205",
    "chinadaily_shandong": "chinadaily_shandong/20261020/1187402",
    "chinesetoday": "chinesetoday/20261116/17304",
}
# The story each site edits: (title, the paragraph before, the paragraph after).
EDITED_STORIES = {
    "asiae/20240903/2024090310350021156": (
        "Daegu Mayor Meets Qingdao Delegation, Vows Closer Ties Between Sister Cities",
        "The two sides agreed to push for resuming a direct flight between Daegu International "
        "Airport and Qingdao Jiaodong International Airport, suspended in 2020, and to promote "
        "medical tourism and cooperation in textiles and fashion.",
        "The two sides agreed to push for resuming a direct flight between Daegu International "
        "Airport and Qingdao Jiaodong International Airport, suspended in 2020, from the winter "
        "schedule, and to promote medical tourism and cooperation in textiles and fashion. Daegu "
        "said on the 4th that an airline had applied for the route.",
    ),
    "china_org_cn/20191009/75283361": (
        "Beijing suspends official exchanges with Prague after city ends sister-city pact",
        "The city council of Prague voted on Monday to terminate the sister-city agreement with "
        "Beijing, which the two capitals signed in 2016. Prague's mayor had sought to remove a "
        "clause on the one-China policy from the agreement.",
        "The city council of Prague voted on Monday to terminate the sister-city agreement with "
        "Beijing, which the two capitals signed in 2016. Prague's mayor had sought to remove a "
        "clause on the one-China policy from the agreement. The termination takes effect on "
        "delivery of a notice to the Beijing government.",
    ),
    "chinadaily_shandong/20231204/968350": (
        "Qingdao and Daegu celebrate 30 years of sister-city ties",
        "The two sides signed a memorandum on a youth exchange program in 2024 and 2025, under "
        "which 50 students from each city will spend two weeks in the other.",
        "The two sides signed a memorandum on a youth exchange program in 2024 and 2025, under "
        "which 50 students from each city will spend two weeks in the other, and agreed to open "
        "a direct Qingdao-Daegu air route next spring.",
    ),
    "chinesetoday/20250905/16533": (
        "Qingdao's sister-city network reaches 95 cities in 54 countries",
        "Officials said the city added several partners in the past year, including a friendly "
        "cooperation agreement with Gwangju in South Korea signed in November 2024, and is "
        "discussing ties with port cities in Latin America.",
        "Officials said the city added five partners in the past twelve months, including a "
        "friendly cooperation agreement with Gwangju in South Korea signed in November 2024, and "
        "is discussing ties with port cities in Latin America and the Middle East.",
    ),
}
# Stories fetched again at edition 2 and left as they were. A listing page with a story not yet
# stored leads to the next page; a page of known stories ends the walk. Edition 2 puts the new
# story on page 1, so pages 1 and 2 are walked (asiae: plus its "Local Diplomacy" list).
UNCHANGED_STORIES = {
    "asiae": {
        "asiae/20251013/2025101314052766310",  # page 1 (and the special list)
        "asiae/20250612/2025061210151577820",
        "asiae/20250513/2025051315421807731",
        "asiae/20250417/2025041711225066789",
        "asiae/20250218/2025021810304412345",  # page 2
        "asiae/20250115/2025011510284433310",
        "asiae/20241122/2024112211525203153",
        "asiae/20241025/2024102511005500231",
        "asiae/20250805/2025080511200354419",  # only on the special list
        "asiae/20250619/2025061909300118822",
        "asiae/20240528/2024052814001065123",
        "asiae/20240424/2024042416083587412",
    },
    "china_org_cn": {
        "china_org_cn/20250924/118093412",
        "china_org_cn/20250612/43152871",
        "china_org_cn/20250418/43087770",
        "china_org_cn/20241015/117485520",
        "china_org_cn/20231208/116864301",
        "china_org_cn/20231024/116769840",
        "china_org_cn/20230517/85352910",
        "china_org_cn/20230416/85233561",
    },
    "chinadaily_shandong": {
        "chinadaily_shandong/20250722/1121845",
        "chinadaily_shandong/20241206/1051370",
        "chinadaily_shandong/20241127/1050223",
        "chinadaily_shandong/20240520/1012764",
        "chinadaily_shandong/20240426/1009013",
        "chinadaily_shandong/20230911/942118",
        "chinadaily_shandong/20220825/781226",
        "chinadaily_shandong/20211216/692691",
    },
    "chinesetoday": {
        "chinesetoday/20250924/16702",
        "chinesetoday/20250610/16204",
        "chinesetoday/20250415/15890",
        "chinesetoday/20250218/15522",
        "chinesetoday/20241219/15210",
        "chinesetoday/20240912/14502",
        "chinesetoday/20240509/13560",
        "chinesetoday/20240322/13102",
    },
}
# A third crawl with nothing new walks only page 1 (all known) and the special list.
CRAWL_3_UNCHANGED = {"asiae": 10, "china_org_cn": 5, "chinadaily_shandong": 5, "chinesetoday": 5}
# The change log entries edition 2 calls for: (kind, the pair, what happened, the evidence), what
# happened being the event, or for a field change "field: old -> new". Edits repeat what their
# stories said before, so they call for none.
RIZHAO_POHANG = ("new", frozenset({"Pohang (KR)", "Rizhao (CN)"}), "established")
BINZHOU_GOYANG = ("event", frozenset({"Binzhou (CN)", "Goyang (KR)"}), "anniversary")
QINGDAO_GWANGJU = frozenset({"Qingdao (CN)", "Gwangju (KR)"})
EXPECTED_CHANGES = {
    (*RIZHAO_POHANG, (NEW_STORIES["chinadaily_shandong"], 1)),
    (*BINZHOU_GOYANG, (NEW_STORIES["china_org_cn"], 1)),
    # Los Angeles and Guangzhou, sister cities since 1981 (chinesetoday 8012 of 2021, edition 1,
    # marked their 40th year): an orchestra tour the two cities arranged.
    (
        "event",
        frozenset({"Guangzhou (CN)", "Los Angeles (US)"}),
        "exchange",
        (NEW_STORIES["chinesetoday"], 1),
    ),
    # A Qingdao business delegation visits Gwangju on the 17th and 18th.
    ("event", QINGDAO_GWANGJU, "exchange", (NEW_STORIES["asiae"], 1)),
    # The same story calls the 2024 agreement a "Sister City Cooperation Agreement": the register
    # already says sister (the closest tie a source reports; China Daily's "friendly cooperation"
    # is the other side's wording), so no relation change is logged.
}
CONFIGURED_BASE_URL = "https://feeds.sistercity.example/"
ONE_STORY = "http://chinesetoday.com/?c=26&m=16702"
RIZHAO_POHANG_URL = "http://www.goshandong.com.cn/2026-10/20/c_1187402.htm"
BINZHOU_GOYANG_URL = "http://ccpd.china.com.cn/2026-10/28/content_43391205.html"


# --- the crawls --------------------------------------------------------------------------------
@dataclass
class StoreState:
    """What the tests compare before and after a crawl."""

    change_ids: set[int]
    evidence: set[tuple[int, int]]
    partnerships: set[str]
    versions: int


@dataclass
class Editions:
    sqlite: Chain
    first_index: str = ""  # index.html after the very first crawl command
    first_files: set[str] = field(default_factory=set)  # feed files after that command
    edition_1: dict[str, dict[str, Any]] = field(default_factory=dict)
    edition_2: dict[str, dict[str, Any]] = field(default_factory=dict)
    after_1: StoreState | None = None
    after_2: StoreState | None = None
    last_seen_2: dict[str, Any] = field(default_factory=dict)  # story key -> last seen
    crawl_2_started: Any = None
    feeds_1: Path = Path()
    feeds_2: Path = Path()
    stats_2: dict[str, tuple[int, int]] = field(default_factory=dict)
    stats_3: dict[str, tuple[int, int]] = field(default_factory=dict)
    crawl_3: dict[str, Any] = field(default_factory=dict)
    versions_3: int = 0
    rebuilt: Path = Path()
    small: Path = Path()
    sqlite_register: dict[str, Any] = field(default_factory=dict)
    postgres_register: dict[str, Any] | None = None
    configured: Path = Path()


def store_state(db: str) -> StoreState:
    with StoryStore(db, migrate=False) as store, store.session() as s:
        return StoreState(
            change_ids=set(s.scalars(select(ChangeRecord.id))),
            evidence={
                (c, v)
                for c, v in s.execute(select(ChangeEvidence.change_id, ChangeEvidence.version_id))
            },
            partnerships={p.key for p in store.partnerships()},
            versions=store.count_versions(),
        )


def sqlite_crawls(ed: Editions) -> None:
    chain = ed.sqlite
    chain.server.set_edition(1)
    ed.edition_1 = {"asiae": chain.crawl(("asiae",))["sites"]["asiae"]}
    ed.first_index = (chain.feeds / "index.html").read_text("utf-8")
    ed.first_files = {str(p.relative_to(chain.feeds)) for p in chain.feeds.rglob("*.atom")}
    for site in SITES[1:]:
        ed.edition_1[site] = chain.crawl((site,))["sites"][site]
    ed.after_1 = store_state(chain.db)
    ed.feeds_1 = copy_tree(chain.feeds, chain.root / "feeds-after-1")
    ed.crawl_2_started = datetime.now(UTC)
    ed.edition_2 = chain.edition(2)
    ed.after_2 = store_state(chain.db)
    with StoryStore(chain.db, migrate=False) as store:
        ed.last_seen_2 = {s.key: s.last_seen for s, _ in store.latest_versions()}
        ed.sqlite_register = store.register_snapshot()
    ed.feeds_2 = copy_tree(chain.feeds, chain.root / "feeds-after-2")

    # Crawl 3: nothing new. All four sites in one command, as cron runs it.
    ed.stats_2 = file_stats(chain.feeds)
    ed.crawl_3 = chain.crawl(extra=FAST)
    ed.stats_3 = file_stats(chain.feeds)
    ed.versions_3 = store_state(chain.db).versions

    # `sistercity feeds` from the same store into a new directory.
    ed.rebuilt = chain.root / "rebuilt"
    proc = sistercity(["feeds", "--db", chain.db, "--feeds-dir", str(ed.rebuilt)], chain.env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # Five entries a document, so the crawled data also fills archive pages.
    ed.small = chain.root / "small"
    with StoryStore(chain.db, migrate=False) as store:
        build_feeds(store, ed.small, FeedConfig(entries=5))

    # Where a deployment serves its feeds: one known story crawled into a new directory.
    ed.configured = chain.root / "configured"
    env = {**chain.env, "SISTERCITY_FEEDS_BASE_URL": CONFIGURED_BASE_URL}
    args = ["crawl", "--url", ONE_STORY, "--json", "--db", chain.db, "--feeds-dir"]
    proc = sistercity([*args, str(ed.configured), *FAST], env)
    assert proc.returncode == 0, proc.stderr[-3000:]


def postgres_crawls(chain: Chain) -> dict[str, Any]:
    chain.edition(1)
    chain.edition(2)
    with StoryStore(chain.db, migrate=False) as store:
        return store.register_snapshot()


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Any:
    require(chromium_path() is not None, "asiae's special list needs Debian's chromium")
    root = tmp_path_factory.mktemp("editions")
    with ExitStack() as stack:
        sqlite_server = stack.enter_context(ReplicaServer())
        sqlite = Chain(root / "sqlite", sqlite_server, f"sqlite:///{root / 'sqlite' / 'store.db'}")
        ed = Editions(sqlite=sqlite)
        with ThreadPoolExecutor(max_workers=2) as pool:
            pg_future = None
            if postgres_reachable(POSTGRES_URL):
                pg_url = stack.enter_context(throwaway_schema(POSTGRES_URL, "ed"))
                pg = Chain(root / "postgresql", stack.enter_context(ReplicaServer()), pg_url)
                pg_future = pool.submit(postgres_crawls, pg)
            sqlite_future = pool.submit(sqlite_crawls, ed)
            sqlite_future.result()
            if pg_future is not None:
                ed.postgres_register = pg_future.result()
        yield ed


@pytest.fixture(scope="module")
def store(editions: Editions) -> Any:
    with StoryStore(editions.sqlite.db, migrate=False) as opened:
        yield opened


def crawl_2_changes(store: StoryStore, editions: Editions) -> list[dict[str, Any]]:
    """The change log entries the second crawl logged, with their pair, event and evidence."""
    assert editions.after_1 is not None
    out = []
    with store.session() as s:
        for change in s.scalars(select(ChangeRecord).order_by(ChangeRecord.id)):
            if change.id in editions.after_1.change_ids:
                continue
            event = s.get(Event, change.event_id) if change.event_id else None
            out.append(
                {
                    "change": change,
                    "pair": frozenset(change.title.split(": ", 1)[0].split(" – ")),
                    "event": event.kind if event else None,
                    "event_date": event.event_date if event else None,
                    "evidence": set(store.change_evidence(change.key)),
                }
            )
    return out


def what_happened(found: dict[str, Any]) -> str | None:
    change = found["change"]
    if change.kind == "field":
        return f"{change.field}: {change.old_value} -> {change.new_value}"
    return found["event"]


def change_entry_id(key: str) -> str:
    return TAG + "change/" + quote(key, safe=":/@-._~")


# --- change events -------------------------------------------------------------------------------
def test_every_crawl_command_succeeded(editions: Editions) -> None:
    for summary in (*editions.edition_1.values(), *editions.edition_2.values()):
        assert summary["finish_reason"] == "finished"
        assert summary["flags"] == []
        assert summary["stories"]["error"] == 0


def test_edition_2_each_site_has_one_new_one_changed_and_the_rest_unchanged(
    editions: Editions,
) -> None:
    counts = {site: row["stories"] for site, row in editions.edition_2.items()}
    assert counts == {
        site: {"new": 1, "changed": 1, "unchanged": len(UNCHANGED_STORIES[site]), "error": 0}
        for site in SITES
    }


def test_crawl_2_writes_exactly_the_new_stories_and_the_edits(
    store: StoryStore, editions: Editions
) -> None:
    with store.session() as s:
        rows = s.execute(
            select(StoryRecord.key, StoryVersion.version, StoryVersion.cause)
            .join(StoryVersion, StoryVersion.story_id == StoryRecord.id)
            .where(StoryVersion.fetched_at >= editions.crawl_2_started)
        ).all()
        written = {(k, v, c) for k, v, c in rows}
    # Crawl 3 wrote nothing (checked below), so these are crawl 2's versions.
    assert written == {(k, 1, "new") for k in NEW_STORIES.values()} | {
        (k, 2, "edit") for k in EDITED_STORIES
    }
    assert editions.after_2 is not None and editions.after_1 is not None
    assert editions.after_2.versions == editions.after_1.versions + 8


def test_unchanged_stories_were_fetched_and_got_no_version(
    store: StoryStore, editions: Editions
) -> None:
    seen = {k for k, when in editions.last_seen_2.items() if when >= editions.crawl_2_started}
    expected_unchanged = set().union(*UNCHANGED_STORIES.values())
    assert seen - set(NEW_STORIES.values()) - set(EDITED_STORIES) == expected_unchanged
    for key in expected_unchanged:
        assert [v.version for v in store.history(key)] == [1], key


def test_an_edited_story_is_a_changed_version_whose_diff_shows_the_paragraph(
    store: StoryStore,
) -> None:
    for key, (title, old, new) in EDITED_STORIES.items():
        versions = store.history(key)
        assert [(v.version, v.cause) for v in versions] == [(1, "new"), (2, "edit")], key
        assert versions[1].title == title
        diff = versions[1].diff
        assert diff is not None and diff.get("title") is None, key
        ops = [{k: op[k] for k in ("op", "old", "new")} for op in diff["ops"]]
        assert ops == [{"op": "replace", "old": [old], "new": [new]}], key
        assert old in versions[0].body and new in versions[1].body


def test_rizhao_pohang_is_a_new_partnership(store: StoryStore, editions: Editions) -> None:
    found = [c for c in crawl_2_changes(store, editions) if c["pair"] == RIZHAO_POHANG[1]]
    assert [(c["change"].kind, c["event"]) for c in found] == [("new", "established")]
    change = found[0]["change"]
    assert change.relation == "friendship"
    assert change.title == "Pohang (KR) – Rizhao (CN): friendship-city agreement signed 2026-10-16"
    assert found[0]["evidence"] == {(NEW_STORIES["chinadaily_shandong"], 1)}
    key = change.key.rsplit("/", 1)[0]
    assert editions.after_1 is not None and key not in editions.after_1.partnerships
    partnership = store.partnership(key)
    assert partnership is not None
    assert (partnership.relation, partnership.status, partnership.began) == (
        "friendship",
        "active",
        "2026-10-16",
    )


def test_binzhou_goyang_anniversary_is_an_event_on_the_known_partnership(
    store: StoryStore, editions: Editions
) -> None:
    found = [c for c in crawl_2_changes(store, editions) if c["pair"] == BINZHOU_GOYANG[1]]
    assert [(c["change"].kind, c["event"]) for c in found] == [("event", "anniversary")]
    change = found[0]["change"]
    key = change.key.rsplit("/", 1)[0]
    assert editions.after_1 is not None and key in editions.after_1.partnerships
    # Goyang's delegation visited from Oct 22 to 25; the ceremony was on Oct 23.
    assert found[0]["event_date"] in {"2026-10-22", "2026-10-23"}
    assert (
        change.title
        == f"Binzhou (CN) – Goyang (KR): 30th anniversary marked {found[0]['event_date']}"
    )
    assert found[0]["evidence"] == {(NEW_STORIES["china_org_cn"], 1)}
    partnership = store.partnership(key)
    assert partnership is not None
    assert (partnership.relation, partnership.began, partnership.latest_event) == (
        "sister",
        "1996",
        "anniversary",
    )


def test_no_change_entry_comes_from_an_unchanged_or_edited_story(
    store: StoryStore, editions: Editions
) -> None:
    assert editions.after_1 is not None and editions.after_2 is not None
    new_rows = editions.after_2.evidence - editions.after_1.evidence
    with store.session() as s:
        new_sources = {
            key
            for (key,) in s.execute(
                select(StoryRecord.key)
                .join(StoryVersion, StoryVersion.story_id == StoryRecord.id)
                .where(StoryVersion.id.in_({v for _, v in new_rows}))
            )
        }
    assert not new_sources & set().union(*UNCHANGED_STORIES.values())
    for found in crawl_2_changes(store, editions):
        change_sources = {k for k, _ in found["evidence"]}
        assert change_sources <= set(NEW_STORIES.values()), found["change"].title


def test_crawl_2_logs_exactly_the_expected_change_events(
    store: StoryStore, editions: Editions
) -> None:
    logged = {
        (c["change"].kind, c["pair"], what_happened(c), *sorted(c["evidence"]))
        for c in crawl_2_changes(store, editions)
    }
    assert logged == EXPECTED_CHANGES


# --- feed entries --------------------------------------------------------------------------------
def entries_of(feeds_dir: Path, name: str) -> dict[str, Any]:
    parsed = feedparser.parse((feeds_dir / name).read_bytes())
    assert not parsed.bozo, (name, parsed.get("bozo_exception"))
    return {e.id: e for e in parsed.entries}


@pytest.mark.parametrize(
    ("pair", "cities", "site", "story_url"),
    [
        (RIZHAO_POHANG[1], ("pohang-kr", "rizhao-cn"), "chinadaily_shandong", RIZHAO_POHANG_URL),
        (BINZHOU_GOYANG[1], ("binzhou-cn", "goyang-kr"), "china_org_cn", BINZHOU_GOYANG_URL),
    ],
)
def test_the_change_is_in_the_partnership_country_city_and_site_feeds(
    store: StoryStore,
    editions: Editions,
    pair: frozenset[str],
    cities: tuple[str, str],
    site: str,
    story_url: str,
) -> None:
    feeds = editions.feeds_2
    (found,) = [c for c in crawl_2_changes(store, editions) if c["pair"] == pair]
    change = found["change"]
    entry_id = change_entry_id(change.key)
    for name in (
        "partnerships.atom",
        "countries/cn.atom",
        "countries/kr.atom",
        *(f"cities/{c}.atom" for c in cities),
    ):
        entries = entries_of(feeds, name)
        assert entry_id in entries, name
        entry = entries[entry_id]
        assert entry.title == change.title
        assert story_url in {link.href for link in entry.links}
        assert {change.kind, "CN", "KR", f"event:{found['event']}"} <= {t.term for t in entry.tags}
    assert entry_id not in entries_of(feeds, "cities/qingdao-cn.atom")
    # The site's feed carries the story that reported it.
    story_key = NEW_STORIES[site]
    site_entries = entries_of(feeds, f"sites/{site}.atom")
    assert f"{TAG}story/{story_key}/v1" in site_entries
    assert story_url in {link.href for link in site_entries[f"{TAG}story/{story_key}/v1"].links}


def test_stories_feed_carries_each_edit_as_a_new_entry_with_its_diff(editions: Editions) -> None:
    entries = entries_of(editions.feeds_2, "stories.atom")
    for key, (title, old, new) in EDITED_STORIES.items():
        assert f"{TAG}story/{key}/v1" in entries, key  # the first version stays
        edit = entries[f"{TAG}story/{key}/v2"]
        assert edit.title == f"Edited: {title}"
        html = lxml.html.fromstring(edit.content[0].value)
        assert [d.text_content() for d in html.iter("del")] == [old]
        assert [i.text_content() for i in html.iter("ins")] == [new]
        site = key.split("/", 1)[0]
        assert f"{TAG}story/{key}/v2" in entries_of(editions.feeds_2, f"sites/{site}.atom")
    for key in NEW_STORIES.values():
        assert f"{TAG}story/{key}/v1" in entries


def test_entries_of_crawl_1_keep_their_ids_and_content_after_crawl_2(
    store: StoryStore, editions: Editions
) -> None:
    before = all_entries(editions.feeds_1)
    after = all_entries(editions.feeds_2)
    assert before, "crawl 1 wrote entries"
    assert {k: after.get(k) for k in before} == before
    new_ids = set(after) - set(before)
    assert {i for i in new_ids if i.startswith(f"{TAG}story/")} == {
        f"{TAG}story/{k}/v1" for k in NEW_STORIES.values()
    } | {f"{TAG}story/{k}/v2" for k in EDITED_STORIES}
    assert {i for i in new_ids if i.startswith(f"{TAG}change/")} == {
        change_entry_id(c["change"].key) for c in crawl_2_changes(store, editions)
    }


# --- every feed file -----------------------------------------------------------------------------
def test_every_feed_file_is_valid_atom(editions: Editions) -> None:
    crawled = atom_files(editions.sqlite.feeds)
    small = atom_files(editions.small)
    names = {str(p.relative_to(editions.sqlite.feeds)) for p in crawled}
    assert {
        "partnerships.atom",
        "stories.atom",
        "health.atom",
        *(f"sites/{site}.atom" for site in SITES),
        "countries/cn.atom",
        "countries/kr.atom",
        "cities/rizhao-cn.atom",
        "cities/pohang-kr.atom",
    } <= names
    assert any("-archive-" in p.name for p in small), "five entries a page make archive pages"
    validate_atom(crawled + small)


def listed_feeds(feeds_dir: Path) -> set[str]:
    """Every feed document a subscriber can follow (archive pages are reached from them)."""
    return {
        str(p.relative_to(feeds_dir)) for p in atom_files(feeds_dir) if "-archive-" not in p.name
    }


def opml_feeds(feeds_dir: Path) -> set[str]:
    root = ElementTree.parse(feeds_dir / "feeds.opml").getroot()
    return {o.get("xmlUrl", "").removeprefix(BASE_URL) for o in root.iter("outline")}


def index_links(html: str) -> set[str]:
    doc = lxml.html.fromstring(html)
    return {a.get("href", "").removeprefix(BASE_URL) for a in doc.iter("a")}


def test_opml_and_index_list_every_feed(editions: Editions) -> None:
    feeds = editions.sqlite.feeds
    expected = listed_feeds(feeds)
    assert opml_feeds(feeds) == expected
    assert expected <= index_links((feeds / "index.html").read_text("utf-8"))


def test_the_first_crawl_lists_its_health_feed(editions: Editions) -> None:
    assert "health.atom" in editions.first_files
    assert "health.atom" in index_links(editions.first_index)


# --- rebuilds, ids, a crawl with nothing new -------------------------------------------------
def test_rebuilding_from_the_same_store_gives_byte_identical_feeds(editions: Editions) -> None:
    crawled = snapshot(editions.sqlite.feeds)
    rebuilt = snapshot(editions.rebuilt)
    atom = {k for k in rebuilt if k.endswith((".atom", ".atom.gz"))}
    assert atom, "the rebuild wrote feeds"
    assert {k: rebuilt[k] for k in atom} == {k: crawled.get(k) for k in atom}


def test_rebuilding_gives_every_file_the_crawl_wrote(editions: Editions) -> None:
    assert snapshot(editions.rebuilt) == snapshot(editions.sqlite.feeds)


def test_entry_ids_are_the_same_in_a_rebuild(editions: Editions) -> None:
    crawled = feed_entries(editions.sqlite.feeds)
    rebuilt = feed_entries(editions.rebuilt)
    for name, entries in rebuilt.items():
        assert list(entries) == list(crawled[name]), name


def test_a_crawl_with_nothing_new_writes_nothing(editions: Editions) -> None:
    rows = editions.crawl_3["sites"]
    assert {s: r["stories"] for s, r in rows.items()} == {
        s: {"new": 0, "changed": 0, "unchanged": n, "error": 0}
        for s, n in CRAWL_3_UNCHANGED.items()
    }
    assert editions.after_2 is not None
    assert editions.versions_3 == editions.after_2.versions
    assert all_entries(editions.sqlite.feeds) == all_entries(editions.feeds_2)
    # health.html says when each site was last crawled, so it alone changes with every crawl.
    changing = {"health.html", "health.html.gz"}
    assert {k: v for k, v in editions.stats_3.items() if k not in changing} == {
        k: v for k, v in editions.stats_2.items() if k not in changing
    }, "no feed file was rewritten"


def test_the_crawl_writes_feeds_for_the_configured_address(editions: Editions) -> None:
    for path in atom_files(editions.configured):
        root = etree.parse(str(path)).getroot()
        name = str(path.relative_to(editions.configured))
        selves = [x.get("href") for x in root.findall(f"{ATOM}link") if x.get("rel") == "self"]
        assert selves == [CONFIGURED_BASE_URL + name], name


# --- SQLite and PostgreSQL -------------------------------------------------------------------
def test_sqlite_and_postgresql_give_the_same_register(editions: Editions) -> None:
    require(editions.postgres_register is not None, "PostgreSQL is not reachable")
    assert editions.postgres_register is not None
    assert without_times(editions.postgres_register) == without_times(editions.sqlite_register)
    assert len(editions.sqlite_register) > 10
