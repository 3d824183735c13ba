"""DedupePipeline links copies (same URL, same content, near copy) and never drops them; its
memory of earlier runs comes from the SISTERCITY_DEDUPE_SEED callable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scrapy.utils.test import get_crawler

from crawler.scraping.items import Story
from pipelines.dedupe import DedupePipeline
from pipelines.normalize import NormalizePipeline
from storage.loaders import dedupe_seed

BODY = [
    "Gwangju announced on the 22nd that it signed a sister city cooperation agreement with Qingdao, "
    "Shandong Province, at Qingdao City Hall on the 21st.",
    "The two cities agreed to exchange and cooperate in economy, tourism, culture and education, "
    "and to open new channels between companies, schools and young people of both cities.",
    "Qingdao is the largest industrial city in Shandong Province with a population of 10.37 million.",
]
SEEDED: list[dict] = []


def seed(settings):  # named by SISTERCITY_DEDUPE_SEED in the tests
    return SEEDED


def story(
    url: str, body: list[str], title: str = "Gwangju and Qingdao sign sister city agreement"
) -> Story:
    item = Story(
        site="asiae",
        url=url,
        canonical_url=url,
        title=title,
        body=body,
        published=datetime(2024, 11, 22, 11, 52, tzinfo=UTC),
        fetched_at=datetime.now(UTC),
    )
    return NormalizePipeline(get_crawler().stats).process_item(item)


def pipeline(**settings) -> tuple[DedupePipeline, object]:
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    dedupe = DedupePipeline.from_crawler(crawler)
    dedupe.open_spider()
    return dedupe, crawler.stats


def test_first_story_is_unique() -> None:
    dedupe, stats = pipeline()
    item = dedupe.process_item(
        story("https://www.asiae.co.kr/en/article/2024112211525203153", BODY)
    )
    assert item.duplicate_of is None and item.duplicate_kind is None
    assert stats.get_value("sistercity/dedupe/unique") == 1


def test_same_content_under_another_url_is_linked_not_dropped() -> None:
    dedupe, stats = pipeline()
    first = dedupe.process_item(
        story("https://shandong.chinadaily.com.cn/qingdao/2024-11/27/c_1050223.htm", BODY)
    )
    copy = dedupe.process_item(
        story("https://subsites.chinadaily.com.cn/shandong/2024-12/06/c_1051370.htm", BODY)
    )
    assert copy is not None
    assert copy.duplicate_of == first.story_id
    assert copy.duplicate_kind == "content"
    assert stats.get_value("sistercity/dedupe/content") == 1


def test_light_edit_is_a_near_duplicate() -> None:
    dedupe, stats = pipeline()
    first = dedupe.process_item(story("https://a.invalid/news/10001", BODY))
    edited = [*BODY[:2], BODY[2].replace("10.37 million", "10.4 million")]
    copy = dedupe.process_item(story("https://b.invalid/news/20002", edited))
    assert copy.duplicate_of == first.story_id
    assert copy.duplicate_kind == "near"
    assert stats.get_value("sistercity/dedupe/near") == 1


def test_a_different_story_is_not_linked() -> None:
    dedupe, _ = pipeline()
    dedupe.process_item(story("https://a.invalid/news/10001", BODY))
    other = dedupe.process_item(
        story(
            "https://a.invalid/news/10002",
            ["Weihai opened a new ferry route to Incheon on March 15."],
            "Ferry",
        )
    )
    assert other.duplicate_of is None


def test_seed_callable_fills_the_index_from_earlier_runs() -> None:
    stored = story("https://www.asiae.co.kr/en/article/2024112211525203153", BODY)
    SEEDED[:] = [
        {
            "story_id": stored.story_id,
            "site": "asiae",
            "canonical_url": stored.canonical_url,
            "content_hash": stored.content_hash,
            "title": stored.title,
            "body": stored.body,
        }
    ]
    dedupe, stats = pipeline(SISTERCITY_DEDUPE_SEED=f"{__name__}.seed")
    assert stats.get_value("sistercity/dedupe/seeded") == 1
    again = dedupe.process_item(
        story("https://www.asiae.co.kr/en/article/2024112211525203153", BODY)
    )
    assert again.duplicate_of is None  # the same story seen again is not its own duplicate
    copy = dedupe.process_item(story("https://other.invalid/copy/99999", BODY))
    assert copy.duplicate_of == stored.story_id
    assert copy.duplicate_kind == "content"


def test_a_new_story_is_min_hashed_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from crawler.understanding import fingerprint

    calls: list[str] = []
    original = fingerprint.minhash

    def counting(title, body):  # type: ignore[no-untyped-def]
        calls.append(title)
        return original(title, body)

    monkeypatch.setattr(fingerprint, "minhash", counting)
    dedupe, _ = pipeline()
    dedupe.process_item(story("https://a.invalid/news/10001", BODY))
    assert len(calls) == 1
    edited = [*BODY[:2], BODY[2].replace("10.37 million", "10.4 million")]
    copy = dedupe.process_item(story("https://b.invalid/news/20002", edited))
    assert copy.duplicate_kind == "near" and len(calls) == 2
    again = dedupe.process_item(story("https://a.invalid/news/10001", BODY))
    assert again.duplicate_of is None and len(calls) == 2  # known URL, already indexed


def test_the_seed_hashes_only_recent_text_but_knows_every_url_and_hash(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from storage import StoryStore

    url = f"sqlite:///{tmp_path / 'store.db'}"
    now = datetime.now(UTC)
    old = story("https://a.invalid/news/1", BODY)
    old.fetched_at = now - timedelta(days=200)
    recent_body = [p.replace("Gwangju", "Mokpo") for p in BODY]
    recent = story("https://a.invalid/news/2", recent_body, "Mokpo and Qingdao sign an agreement")
    recent.fetched_at = now - timedelta(days=3)
    with StoryStore.open(url) as store:
        store.record(old)
        store.record(recent)
    records = {
        r["story_id"]: r
        for r in dedupe_seed({"SISTERCITY_DB_URL": url, "SISTERCITY_DEDUPE_WINDOW_DAYS": 60})
    }
    assert (records[old.story_id]["title"], records[old.story_id]["body"]) == ("", [])
    assert records[old.story_id]["content_hash"] == old.content_hash
    assert records[recent.story_id]["body"] == recent_body
    everything = {r["story_id"]: r for r in dedupe_seed({"SISTERCITY_DB_URL": url})}
    assert everything[old.story_id]["body"] == BODY  # no window: every story's text

    dedupe, stats = pipeline(
        SISTERCITY_DB_URL=url,
        SISTERCITY_DEDUPE_SEED="storage.loaders.dedupe_seed",
        SISTERCITY_DEDUPE_WINDOW_DAYS=60,
    )
    assert stats.get_value("sistercity/dedupe/seeded") == 2
    near_old = [*BODY[:2], BODY[2].replace("10.37 million", "10.4 million")]
    outside = dedupe.process_item(story("https://other.invalid/copy/3", near_old))
    assert outside.duplicate_of is None  # a near copy of a story past the window is not sought
    exact = dedupe.process_item(story("https://other.invalid/copy/1", BODY))
    assert (exact.duplicate_of, exact.duplicate_kind) == (old.story_id, "content")
    near_recent = [*recent_body[:2], recent_body[2].replace("10.37 million", "10.4 million")]
    near = dedupe.process_item(
        story("https://other.invalid/copy/2", near_recent, "Mokpo and Qingdao sign an agreement")
    )
    assert (near.duplicate_of, near.duplicate_kind) == (recent.story_id, "near")


def test_signatures_and_bands_are_datasketchs_without_importing_it() -> None:
    """The index computes datasketch's MinHash and LSH bands itself (datasketch imports scipy,
    40 MB a crawl would hold): the same hash values and the same bands, so the same matches."""
    import subprocess
    import sys

    from datasketch import MinHash, MinHashLSH

    from crawler.understanding import fingerprint

    for text in (
        BODY,
        BODY[:1],
        ["광주시는 칭다오시와 자매결연을 맺었다."],
        ["青岛市与光州市缔结友好城市。"],
    ):
        theirs = MinHash(num_perm=fingerprint.NUM_PERM)
        theirs.update_batch([s.encode() for s in fingerprint.shingles("\n".join(["", *text]))])
        assert fingerprint.minhash("", text).hashvalues.tolist() == theirs.hashvalues.tolist()
    for threshold in (0.5, 0.7, 0.8, 0.9):
        lsh = MinHashLSH(threshold=threshold, num_perm=fingerprint.NUM_PERM)
        assert fingerprint.lsh_bands(threshold) == (lsh.b, lsh.r)
    crawl_imports = "import sys, pipelines.dedupe; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", crawl_imports], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr[-2000:]


def test_an_index_on_a_shared_base_finds_what_one_index_of_its_own_finds() -> None:
    """The store's stories in a shared base, a spider's own on top: the same match (story and
    kind) for every story as one index holding both, earliest first, ties included."""
    import random

    from crawler.understanding.fingerprint import Match, NearDuplicateIndex, content_hash

    rng = random.Random(7)
    words = " ".join(BODY).split()

    def variant(n: int) -> tuple[str, list[str]]:
        picked = list(words)
        for _ in range(n):
            picked[rng.randrange(len(picked))] = rng.choice(["Mokpo", "Busan", "river", "2025"])
        return rng.choice(["Sister cities", "Twin towns"]), [" ".join(picked)]

    texts = [variant(rng.choice([0, 1, 2, 40])) for _ in range(60)]
    records = []
    for _ in range(120):
        title, body = rng.choice(texts)
        url = f"https://s{rng.randrange(3)}.invalid/news/{rng.randrange(90)}"
        records.append(
            {
                "story_id": f"id{rng.randrange(100)}",
                "canonical_url": url,
                "content_hash": content_hash(title, body) if rng.random() < 0.9 else "",
                "title": title if rng.random() < 0.9 else "",
                "body": body,
            }
        )

    def tie(story_id: str, url: str) -> dict:  # the same text, no content hash: near matches
        return {"story_id": story_id, "canonical_url": url, "content_hash": "", "title": "Tie"}

    body = {"body": [" ".join(words) + " tie"]}
    stored = [*records[:50], tie("stored-tie", "https://t.invalid/1") | body]
    crawled = [
        *records[50:],
        tie("crawled-tie", "https://t.invalid/2") | body,  # a near copy of the stored one
        tie("third-tie", "https://t.invalid/3") | body,  # as near to both: the stored one wins
    ]
    alone = NearDuplicateIndex(0.8)
    alone.add_records(stored)
    base = NearDuplicateIndex(0.8)
    base.add_records(stored)
    stored_count = len(base)
    layered = NearDuplicateIndex(0.8, base=base)
    kinds = set()
    for record in crawled:
        fields = {k: record[k] for k in ("canonical_url", "content_hash", "title", "body")}
        expected = alone.find_and_add(story_id=record["story_id"], **fields)
        assert layered.find_and_add(story_id=record["story_id"], **fields) == expected
        kinds.add(expected.kind if expected else None)
    assert kinds == {"url", "content", "near", None}  # every kind of answer was compared
    assert expected == Match("stored-tie", "near", 1.0)
    assert len(base) == stored_count  # the base was read, never written


def test_spiders_of_one_process_fill_the_index_from_the_store_once(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two spiders opening on one store read its stories once and share them; each keeps the
    stories it crawls to itself, as before; once the store has changed, a spider opening then
    reads it again."""
    from storage import StoryStore

    url = f"sqlite:///{tmp_path / 'store.db'}"
    stored = story("https://a.invalid/news/1", BODY)
    with StoryStore.open(url) as store:
        store.record(stored)
    reads: list[object] = []
    original = StoryStore.fingerprint_records

    def counting(self, since=None):  # type: ignore[no-untyped-def]
        reads.append(since)
        return original(self, since)

    monkeypatch.setattr(StoryStore, "fingerprint_records", counting)
    settings = {"SISTERCITY_DB_URL": url, "SISTERCITY_DEDUPE_SEED": "storage.loaders.dedupe_seed"}
    first, first_stats = pipeline(**settings)
    second, second_stats = pipeline(**settings)
    assert len(reads) == 1
    assert first.index.base is second.index.base is not None
    assert first_stats.get_value("sistercity/dedupe/seeded") == 1
    assert second_stats.get_value("sistercity/dedupe/seeded") == 1
    for dedupe in (first, second):  # both know the stored story
        copy = dedupe.process_item(story("https://other.invalid/copy/1", BODY))
        assert (copy.duplicate_of, copy.duplicate_kind) == (stored.story_id, "content")
    mokpo = [
        "Mokpo opened a ferry line to Dalian on Monday, the first since the harbour was rebuilt.",
        "Three boats a week will carry tourists, students and fresh fish across the Yellow Sea.",
    ]
    crawled = first.process_item(story("https://a.invalid/news/2", mokpo, "Mokpo signs"))
    assert crawled.duplicate_of is None
    elsewhere = second.process_item(story("https://b.invalid/news/3", mokpo, "Mokpo signs"))
    assert elsewhere.duplicate_of is None  # the first spider's story is not in the shared part

    with StoryStore.open(url) as store:
        store.record(crawled)
    third, third_stats = pipeline(**settings)
    assert len(reads) == 2  # the store changed: read again
    assert third_stats.get_value("sistercity/dedupe/seeded") == 2
    later = third.process_item(story("https://c.invalid/news/4", mokpo, "Mokpo signs"))
    assert (later.duplicate_of, later.duplicate_kind) == (crawled.story_id, "content")
    for dedupe in (first, second, third):
        dedupe.close_spider()
    fourth, _ = pipeline(**settings)
    assert len(reads) == 3  # the last user let it go: a new crawl reads the store afresh
    fourth.close_spider()
