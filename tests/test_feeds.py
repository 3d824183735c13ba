"""The Atom feeds: valid (feedparser, the RFC 4287 RELAX NG schema, the rules it cannot say),
deterministic, stable ids, safe from hostile page content, archived (RFC 5005), incremental."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from storage import StoryStore
from storage.feeds import FeedConfig, build_feeds, write_health_feed
from tests.conftest import RESOURCES, require
from tests.storeconf import *  # noqa: F403
from tests.storefactory import (
    BINZHOU,
    GANGNAM,
    GOYANG,
    LICHENG,
    asiae_gwangju_qingdao,
    binzhou_goyang,
    chinadaily_qingdao_gwangju,
    licheng_gangnam,
    make_story,
    not_partnership,
    pair,
    qingdao_network,
)

ATOM = "{http://www.w3.org/2005/Atom}"
T1 = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=1)
T3 = T1 + timedelta(days=2)
SMALL = FeedConfig(entries=2)


def fill(store: StoryStore) -> None:
    for story in (
        asiae_gwangju_qingdao(T1),
        chinadaily_qingdao_gwangju(T1),
        binzhou_goyang(T1),
        licheng_gangnam(T1),
        qingdao_network(T1),
        not_partnership(T1),
        licheng_gangnam(T2, since_year=2008),
        asiae_gwangju_qingdao(T3, body_extra=["They will also exchange students."]),
    ):
        store.record(story)


def hostile_story() -> object:
    payload = (
        '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>'
    )
    return make_story(
        "chinesetoday",
        "666",
        f"Licheng and Gangnam {payload}",
        [f"Body {payload}", '<iframe src="https://evil.example/"></iframe> onerror=alert(4)'],
        fetched=T3,
        partnerships=[
            pair(LICHENG, GANGNAM, event="exchange", event_date="2025-05-01", evidence=payload)
        ],
    )


def atom_files(feeds_dir: Path) -> list[Path]:
    return sorted(feeds_dir.rglob("*.atom"))


def snapshot(feeds_dir: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(feeds_dir)): p.read_bytes()
        for p in sorted(feeds_dir.rglob("*"))
        if p.is_file()
    }


def validate_atom(files: list[Path]) -> None:
    """feedparser, the RFC 4287 RELAX NG schema through jing, and the rules it cannot say: a
    feed-level author, and content or an alternate link in every entry."""
    for path in files:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        root = etree.parse(str(path)).getroot()
        assert root.findtext(f"{ATOM}author/{ATOM}name"), path
        for entry in root.iter(f"{ATOM}entry"):
            alternate = [
                link
                for link in entry.findall(f"{ATOM}link")
                if link.get("rel", "alternate") == "alternate"
            ]
            assert entry.find(f"{ATOM}content") is not None or alternate, path
    jing = shutil.which("jing")
    require(jing is not None, "Debian's jing is not installed (apt-get install jing)")
    proc = subprocess.run(
        [str(jing), "-c", str(RESOURCES / "atom.rnc"), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_every_feed_is_valid_atom(sqlite_store: StoryStore, tmp_path: Path) -> None:
    fill(sqlite_store)
    sqlite_store.record(hostile_story())
    out = tmp_path / "feeds"
    build_feeds(sqlite_store, out, SMALL)
    write_health_feed(
        [
            {
                "site": "asiae",
                "kind": "silent",
                "message": "no new story in 9 days",
                "raised_at": T3,
                "id": "run-1/asiae/silent",
            }
        ],
        out,
        SMALL,
    )
    files = atom_files(out)
    names = {str(p.relative_to(out)) for p in files}
    assert {
        "partnerships.atom",
        "stories.atom",
        "sites/asiae.atom",
        "countries/kr.atom",
        "cities/qingdao-cn.atom",
        "cities/gwangju-kr.atom",
        "health.atom",
        "partnerships-archive-1.atom",
    } <= names
    validate_atom(files)


def test_partnership_entries_say_what_changed_and_link_every_source(
    sqlite_store: StoryStore, tmp_path: Path
) -> None:
    fill(sqlite_store)
    build_feeds(sqlite_store, tmp_path, FeedConfig(entries=50))
    feed = feedparser.parse((tmp_path / "partnerships.atom").read_bytes())
    titles = [e.title for e in feed.entries]
    assert "Qingdao (CN) – Gwangju (KR): sister-city agreement signed 2024-11-21" in titles
    signing = next(e for e in feed.entries if e.title.endswith("agreement signed 2024-11-21"))
    hrefs = {link.href for link in signing.links}
    assert hrefs == {
        "https://asiae.example/2024112211525203153",
        "https://chinadaily_shandong.example/c_1050223",
    }
    terms = {t.term for t in signing.tags}
    assert {"new", "relation:sister", "CN", "KR", "event:established"} <= terms
    # newest first, and the feed's updated is its newest entry, never the build time
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.feed.updated_parsed == updated[0]


def test_an_edited_story_is_a_new_entry_with_its_diff(
    sqlite_store: StoryStore, tmp_path: Path
) -> None:
    fill(sqlite_store)
    build_feeds(sqlite_store, tmp_path, FeedConfig(entries=50))
    feed = feedparser.parse((tmp_path / "sites/asiae.atom").read_bytes())
    ids = [e.id for e in feed.entries]
    assert ids == [
        "tag:sistercity.github.io,2026:story/asiae/20241122/2024112211525203153/v2",
        "tag:sistercity.github.io,2026:story/asiae/20241122/2024112211525203153/v1",
    ]
    edit = feed.entries[0]
    assert edit.title.startswith("Edited: ")
    html = lxml.html.fromstring(edit.content[0].value)
    assert [i.text_content() for i in html.iter("ins")] == ["They will also exchange students."]
    assert not any("Port cargo" in e.title for e in feed.entries)  # not a partnership story


def test_the_same_store_gives_byte_identical_feeds_and_stable_ids(
    sqlite_store: StoryStore, tmp_path: Path
) -> None:
    fill(sqlite_store)
    build_feeds(sqlite_store, tmp_path / "a", SMALL)
    build_feeds(sqlite_store, tmp_path / "b", SMALL, full=True)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    before = {
        e.id: e.title
        for p in atom_files(tmp_path / "a")
        for e in feedparser.parse(p.read_bytes()).entries
    }
    sqlite_store.record(hostile_story())
    build_feeds(sqlite_store, tmp_path / "a", SMALL)
    after = {
        e.id: e.title
        for p in atom_files(tmp_path / "a")
        for e in feedparser.parse(p.read_bytes()).entries
    }
    assert {k: after[k] for k in before} == before  # every id survives, with the same entry
    build_feeds(sqlite_store, tmp_path / "c", SMALL, full=True)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "c")  # incremental == full rebuild


def test_hostile_page_content_is_never_active(sqlite_store: StoryStore, tmp_path: Path) -> None:
    sqlite_store.record(hostile_story())
    build_feeds(sqlite_store, tmp_path, SMALL)
    fragments = []
    for path in atom_files(tmp_path):
        root = etree.parse(str(path)).getroot()
        # HTML-typed constructs are markup; text-typed ones (titles, summaries) are never parsed.
        fragments += [el.text for el in root.iter() if el.get("type") == "html" and el.text]
        for link in root.iter(f"{ATOM}link"):
            assert link.get("href", "").startswith("http"), path
    fragments.append((tmp_path / "index.html").read_text("utf-8"))
    for folder in ("pairs", "register", "places", "countries"):
        fragments += [p.read_text("utf-8") for p in (tmp_path / folder).glob("*.html")]
    assert any("alert(1)" in f for f in fragments)  # the text is kept, as text
    for fragment in fragments:
        doc = lxml.html.fromstring(f"<div>{fragment}</div>")
        # The register pages load one script of ours, register.js, by URL; nothing else runs.
        scripts = doc.xpath("//script")
        assert all(
            s.get("src") in {"register.js", "../register.js"} and not s.text for s in scripts
        ), fragment
        assert not doc.xpath("//iframe | //img | //object | //embed"), fragment
        for element in doc.iter():
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), fragment
                assert "javascript:" not in value.lower(), fragment


def test_old_entries_move_to_archive_pages_that_chain(
    sqlite_store: StoryStore, tmp_path: Path
) -> None:
    fill(sqlite_store)
    build_feeds(sqlite_store, tmp_path, SMALL)
    current = etree.parse(str(tmp_path / "partnerships.atom")).getroot()
    assert len(current.findall(f"{ATOM}entry")) == 2
    seen, name = [], "partnerships.atom"
    root = current
    while True:
        seen += [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
        prev = [
            link.get("href")
            for link in root.findall(f"{ATOM}link")
            if link.get("rel") == "prev-archive"
        ]
        if not prev:
            break
        name = prev[0].rsplit("/", 1)[1]
        root = etree.parse(str(tmp_path / name)).getroot()
        assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
    assert set(seen) == {
        f"tag:sistercity.github.io,2026:change/{c.key.replace('|', '%7C')}"
        for c in sqlite_store.changes()
    }
    assert name == "partnerships-archive-1.atom"


def test_a_rebuild_writes_only_what_changed(sqlite_store: StoryStore, tmp_path: Path) -> None:
    fill(sqlite_store)
    build_feeds(sqlite_store, tmp_path, SMALL)
    assert build_feeds(sqlite_store, tmp_path, SMALL).written == []
    mtime = (tmp_path / "cities/binzhou-cn.atom").stat().st_mtime_ns
    sqlite_store.record(licheng_gangnam(T3, since_year=2009))
    written = set(build_feeds(sqlite_store, tmp_path, SMALL).written)
    assert {
        "partnerships.atom",
        "cities/licheng-cn.atom",
        "cities/gangnam-kr.atom",
        "sites/china_org_cn.atom",
    } <= written
    assert not written & {"cities/binzhou-cn.atom", "cities/qingdao-cn.atom", "sites/asiae.atom"}
    assert (tmp_path / "cities/binzhou-cn.atom").stat().st_mtime_ns == mtime
    assert not list(tmp_path.rglob("*.tmp"))


def test_health_feed_from_flags(tmp_path: Path) -> None:
    flags = [
        {
            "site": "asiae",
            "kind": "generic",
            "message": "half the stories used the generic extractor",
            "raised_at": T2.isoformat(),
            "id": "run-3/asiae/generic",
        },
        {
            "site": "chinesetoday",
            "kind": "failed",
            "message": "no page could be fetched",
            "raised_at": T3.isoformat(),
            "id": "run-3/chinesetoday/failed",
        },
    ]
    assert write_health_feed(flags, tmp_path) is True
    assert write_health_feed(flags, tmp_path) is False  # same flags, same bytes: not rewritten
    feed = feedparser.parse((tmp_path / "health.atom").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["chinesetoday: failed", "asiae: generic"]
    assert feed.feed.updated_parsed == feed.entries[0].updated_parsed


def test_a_naive_health_flag_time_is_refused(tmp_path: Path) -> None:
    flag = {"site": "a", "kind": "k", "message": "m", "raised_at": "2025-05-01T00:00:00", "id": "x"}
    with pytest.raises(ValueError, match="naive"):
        write_health_feed([flag], tmp_path)


def test_every_file_has_a_gzip_copy_for_the_server(
    sqlite_store: StoryStore, tmp_path: Path
) -> None:
    fill(sqlite_store)
    feeds = tmp_path / "feeds"
    build_feeds(sqlite_store, feeds, SMALL)
    written = [p for p in feeds.rglob("*") if p.is_file() and p.suffix != ".gz"]
    assert {p.suffix for p in written} >= {".atom", ".html", ".opml"}
    for path in written:
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == path.read_bytes()


def test_published_is_the_event_or_the_story_date_never_the_crawl(sqlite_store, tmp_path) -> None:
    """A 2019 story crawled for the first time in 2025 reads 2019, not "today"; a change whose
    story states the event date is published on that date; updated is when the entry was made."""
    old_story = make_story(
        "chinadaily_shandong",
        "c_2019",
        "Binzhou and Goyang mark ties",
        ["Binzhou and Goyang met in 2019."],
        fetched=T1,
        published=datetime(2019, 6, 3, 8, 0, tzinfo=UTC),
        partnerships=[pair(BINZHOU, GOYANG, since_year=1996)],
    )
    sqlite_store.record(old_story)
    sqlite_store.record(asiae_gwangju_qingdao(T2))  # states the signing: 2024-11-21
    feeds = tmp_path / "feeds"
    build_feeds(sqlite_store, feeds, FeedConfig())
    changes = {e.title: e for e in feedparser.parse(feeds / "partnerships.atom").entries}
    (bg,) = [e for t, e in changes.items() if t.startswith("Binzhou")]
    assert bg.published_parsed[:3] == (2019, 6, 3)
    assert bg.updated_parsed[:3] == T1.timetuple()[:3]
    (qg,) = [e for t, e in changes.items() if t.startswith("Qingdao")]
    assert qg.published_parsed[:3] == (2024, 11, 21)
    assert qg.updated_parsed[:3] == T2.timetuple()[:3]
    stories = feedparser.parse(feeds / "stories.atom").entries
    assert {e.published_parsed[:3] for e in stories} == {(2019, 6, 3), (2024, 11, 22)}
    assert len({e.updated for e in stories}) == len(stories)


def test_a_browser_shows_feeds_through_the_xsl_beside_them(sqlite_store, tmp_path) -> None:
    fill(sqlite_store)
    build_feeds(sqlite_store, tmp_path, SMALL)
    xslt = etree.XSLT(etree.parse(str(tmp_path / "feed.xsl")))
    for name in ("partnerships.atom", "cities/qingdao-cn.atom", "partnerships-archive-1.atom"):
        doc = etree.parse(str(tmp_path / name))
        (pi,) = [n for n in doc.getroot().itersiblings(preceding=True)]
        assert pi.target == "xml-stylesheet" and 'type="text/xsl"' in pi.text
        href = pi.get("href")
        assert (tmp_path / name).parent.joinpath(href).resolve() == tmp_path / "feed.xsl"
        page = lxml.html.fromstring(str(xslt(doc)))
        titles = [e.findtext(f"{ATOM}title") for e in doc.getroot().iter(f"{ATOM}entry")]
        text = page.text_content()
        assert titles and all(t in text for t in titles), name
        assert "copy its address" in text
        assert page.xpath("//meta[@name='viewport']")
    # Still plain Atom to a feed reader.
    parsed = feedparser.parse(tmp_path / "partnerships.atom")
    assert not parsed.bozo and parsed.entries


def test_changed_output_settings_rewrite_the_files_on_the_next_build(sqlite_store, tmp_path):
    """A new base URL or page size takes effect on the next ordinary build, not only with
    --full; archive pages a larger page size no longer needs are removed."""
    fill(sqlite_store)
    build_feeds(sqlite_store, tmp_path, SMALL)
    assert (tmp_path / "partnerships-archive-1.atom").exists()
    assert not build_feeds(sqlite_store, tmp_path, SMALL).written  # nothing new: nothing written
    moved = FeedConfig(entries=2, base_url="https://feeds.example.org/sc/")
    written = build_feeds(sqlite_store, tmp_path, moved).written
    assert {"partnerships.atom", "cities/qingdao-cn.atom", "feeds.opml", "index.html"} <= set(
        written
    )
    for path in atom_files(tmp_path):
        parsed = feedparser.parse(path)
        self_links = [lk.href for lk in parsed.feed.links if lk.rel == "self"]
        assert self_links and self_links[0].startswith("https://feeds.example.org/sc/"), path
    bigger = FeedConfig(entries=50, base_url="https://feeds.example.org/sc/")
    build_feeds(sqlite_store, tmp_path, bigger)
    assert not list(tmp_path.glob("partnerships-archive-*.atom"))
    assert len(feedparser.parse(tmp_path / "partnerships.atom").entries) > 2


def test_archive_pages_read_from_the_newest_end_match_a_full_build(
    store: StoryStore, tmp_path: Path
) -> None:
    from benchmarks import synthetic

    small = FeedConfig(entries=3)
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    for n in range(40):
        store.record(synthetic.story(n % 25, edition=1 + n // 25))
        if n % 4 == 3:
            build_feeds(store, incremental, small)
    build_feeds(store, incremental, small)
    build_feeds(store, full, small, full=True)
    assert len(list(incremental.glob("partnerships-archive-*.atom"))) > 5
    assert snapshot(incremental) == snapshot(full)


def _chain(feeds_dir: Path, name: str) -> tuple[list[str], list[list[str]], etree._Element]:
    """Follow prev-archive from the current document ``name``: the current document's entry ids,
    each archive page's ids (newest page first) and the oldest page reached."""

    def ids(root: etree._Element) -> list[str]:
        return [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]

    root = etree.parse(str(feeds_dir / name)).getroot()
    current, pages = ids(root), []
    while prev := [
        link.get("href")
        for link in root.findall(f"{ATOM}link")
        if link.get("rel") == "prev-archive"
    ]:
        root = etree.parse(str(feeds_dir / prev[0].split("/", 3)[3])).getroot()
        assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
        pages.append(ids(root))
    return current, pages, root


def _change_ids(store: StoryStore) -> set[str]:
    return set(_ordered_change_ids(store))


def test_a_capped_feed_keeps_its_newest_pages_and_the_complete_feed_every_entry(
    store: StoryStore, tmp_path: Path
) -> None:
    """Site, country and city feeds keep at most ``max_archive_pages`` archive pages, the
    newest; partnerships.atom keeps the whole chain. Built step by step or in one go, the files
    are the same."""
    from benchmarks import synthetic

    capped = FeedConfig(entries=3, max_archive_pages=2)
    steps, full = tmp_path / "steps", tmp_path / "full"
    build_feeds(store, steps, FeedConfig(entries=3, max_archive_pages=0))
    for n in range(30):
        store.record(synthetic.story(n))
        if n % 4 == 3:
            build_feeds(store, steps, capped)
    build_feeds(store, steps, capped)
    build_feeds(store, full, capped, full=True)
    assert snapshot(steps) == snapshot(full)

    current, pages, oldest = _chain(steps, "partnerships.atom")
    archived = [i for page in pages for i in page]
    assert len(archived) == len(set(archived)) == 27  # (30 - 1) // 3 pages of 3
    assert set(archived) | set(current) == _change_ids(store)
    assert "prev-archive" not in {link.get("rel") for link in oldest.findall(f"{ATOM}link")}

    # Every story is a Chinese-Korean pair: the country feed has all 30 changes, 9 pages' worth.
    assert sorted(p.name for p in (steps / "countries").glob("cn-archive-*.atom")) == [
        "cn-archive-8.atom",
        "cn-archive-9.atom",
    ]
    current, pages, oldest = _chain(steps, "countries/cn.atom")
    archived = [i for page in pages for i in page]
    assert len(pages) == 2 and len(archived) == len(set(archived)) == 6
    # Pages 8 and 9 hold changes 22-27; the current document the newest three, 28-30.
    assert set(archived) | set(current) == set(_ordered_change_ids(store)[-9:])
    related = [link.get("href") for link in oldest.findall(f"{ATOM}link")]
    assert capped.url("partnerships.atom") in related  # where the older entries are
    validate_atom(atom_files(steps))


def _ordered_change_ids(store: StoryStore) -> list[str]:
    from sqlalchemy import select

    from storage.models import ChangeRecord

    with store.session() as session:
        keys = session.scalars(select(ChangeRecord.key).order_by(ChangeRecord.id)).all()
    return [f"tag:sistercity.github.io,2026:change/{k.replace('|', '%7C')}" for k in keys]


def _newest_pair_slugs(store: StoryStore) -> tuple[str, str]:
    from sqlalchemy import select

    from storage.models import ChangeRecord, Partnership, PlaceRecord

    with store.session() as session:
        change = session.scalars(select(ChangeRecord).order_by(ChangeRecord.id.desc())).first()
        assert change is not None
        pair = session.get_one(Partnership, change.partnership_id)
        a = session.get_one(PlaceRecord, pair.place_a_id)
        b = session.get_one(PlaceRecord, pair.place_b_id)
        return a.slug, b.slug


def test_a_rebuild_after_one_change_writes_only_the_touched_feeds_newest_pages(
    sqlite_store: StoryStore, tmp_path: Path
) -> None:
    from benchmarks import synthetic

    config = FeedConfig(entries=2, max_archive_pages=2)
    feeds_dir = tmp_path / "feeds"
    for n in range(20):
        sqlite_store.record(synthetic.story(n))
    build_feeds(sqlite_store, feeds_dir, config)
    before = snapshot(feeds_dir)
    story = synthetic.story(20)
    sqlite_store.record(story)
    written = build_feeds(sqlite_store, feeds_dir, config).written
    a, b = _newest_pair_slugs(sqlite_store)
    touched = {"partnerships", "stories", f"sites/{story.site}", "countries/cn", "countries/kr"}
    touched |= {f"cities/{a}", f"cities/{b}"}
    atom = [name for name in written if name.endswith(".atom")]
    assert {f"{t}.atom" for t in touched} <= set(atom)
    for name in atom:
        stem, _, page = name.removesuffix(".atom").partition("-archive-")
        assert stem in touched, name
        if page:  # only the newest page(s) of a feed: new, filled, or newly the oldest kept
            newest = max(
                int(p.name.removesuffix(".atom").rsplit("-", 1)[1])
                for p in feeds_dir.glob(f"{stem}-archive-*.atom")
            )
            assert int(page) >= newest - config.max_archive_pages, name
    after = snapshot(feeds_dir)
    changed = {n for n in after if before.get(n) != after[n]} - {n + ".gz" for n in after}
    assert changed - {n for n in changed if n.endswith(".gz")} == set(written)


def test_a_full_build_streams_each_feed_a_page_at_a_time(
    store: StoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No step of a full build holds more entries than one document: archive pages come from
    a generator over the feed and each is rendered and written as it fills."""
    import inspect

    import storage.feeds as feeds
    from benchmarks import synthetic

    for n in range(25):
        store.record(synthetic.story(n))
    pages: list[tuple[str, int, int]] = []  # (feed, page, entries)
    original_write, original_stream = feeds._Builder.write_page, feeds._Builder.stream_pages
    streams: list[bool] = []

    def write_page(self, spec, page, ids, *args):  # type: ignore[no-untyped-def]
        pages.append((spec.name, page, len(ids)))
        return original_write(self, spec, page, ids, *args)

    def stream_pages(self, *args):  # type: ignore[no-untyped-def]
        result = original_stream(self, *args)
        streams.append(inspect.isgenerator(result))
        return result

    monkeypatch.setattr(feeds._Builder, "write_page", write_page)
    monkeypatch.setattr(feeds._Builder, "stream_pages", stream_pages)
    config = FeedConfig(entries=3, max_archive_pages=0)
    build_feeds(store, tmp_path, config, full=True)
    assert streams and all(streams)
    assert {size for _, _, size in pages} == {config.entries}
    partnership_pages = [page for name, page, _ in pages if name == "partnerships.atom"]
    assert partnership_pages == list(range(1, 9))  # (25 - 1) // 3, oldest first, each once
    assert len(list(tmp_path.glob("partnerships-archive-*.atom"))) == 8
