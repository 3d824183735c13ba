"""Wrong charsets: pages are decoded by checking the header's charset against the page's own
declaration and UTF-8 validity, and a version whose text is still garbled is quarantined (not
applied to the register, no feed entry). Crawls are real subprocesses against the replicas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from crawler.replicas import ReplicaServer
from crawler.scraping.encoding import decode_page
from crawler.scraping.items import RawPage
from crawler.scraping.parsing import decode_html
from storage import StoryStore
from storage.garbled import GARBLED_LIMIT, garbled_share
from storage.models import FeedOutbox
from tests.storeconf import *  # noqa: F403
from tests.storefactory import asiae_gwangju_qingdao
from tests.test_crawl_command import FAST, environment, sistercity, summary

TEXT = "青岛市与光州市缔结友好城市关系 — Qingdao and Gwangju, café"
T1 = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)


def page(meta: str, codec: str) -> bytes:
    return f"<html><head>{meta}</head><body><p>{TEXT}</p></body></html>".encode(codec)


@pytest.mark.parametrize(
    ("header", "body"),
    [
        # UTF-8 labelled Latin-1 in the header, with or without the page saying so.
        ("text/html; charset=iso-8859-1", page('<meta charset="utf-8">', "utf-8")),
        ("text/html; charset=iso-8859-1", page("", "utf-8")),
        # GBK labelled UTF-8 in the header; the page declares GBK.
        ("text/html; charset=utf-8", page('<meta charset="gbk">', "gbk")),
        ("text/html; charset=utf-8", page('<meta charset="gb2312">', "gbk")),
        # UTF-8 labelled GBK: the bytes are valid UTF-8, which GBK text practically never is.
        ("text/html; charset=GBK", page("", "utf-8")),
        # Right labels stay right.
        ("text/html; charset=GBK", page("", "gbk")),
        ("text/html", page('<meta charset="gb2312">', "gbk")),
        ("text/html; charset=utf-8", page("", "utf-8")),
    ],
)
def test_pages_decode_to_their_text_whatever_the_header_says(header: str, body: bytes) -> None:
    _, text = decode_page(header, body)
    assert TEXT in text
    raw = RawPage(url="http://x.example/", status=200, headers={"content-type": header}, body=body)
    assert TEXT in decode_html(raw), "the parsers decode the same way"


def test_garbled_share_sees_replacement_characters_and_mojibake() -> None:
    assert garbled_share(TEXT) == 0
    mojibake = TEXT.encode("utf-8").decode("cp1252", "replace")
    replaced = TEXT.encode("gbk").decode("utf-8", "replace")
    assert garbled_share(mojibake) > 0.5
    assert garbled_share(replaced) > 0.3
    # One stray replacement character in a long story is not enough to refuse it.
    assert garbled_share("word " * 200 + "\ufffd") < GARBLED_LIMIT


def test_a_garbled_version_is_quarantined_not_applied(store: StoryStore) -> None:
    key = store.record(asiae_gwangju_qingdao(T1)).story_key
    before = store.register_snapshot()
    with store.sessions() as session:
        outbox = session.query(FeedOutbox).count()
    garbled = asiae_gwangju_qingdao(T1 + timedelta(days=1))
    garbled.body = [p.encode("utf-8").decode("cp1252", "replace") for p in garbled.body]
    garbled.title = "光州与青岛".encode().decode("cp1252", "replace")
    garbled.partnerships = []  # what understanding makes of mojibake: no claims
    garbled.content_hash = ""
    change = store.record(garbled)
    assert change.kind == "error" and "garbled" in change.reason
    assert [v.version for v in store.history(key)] == [1]
    assert store.register_snapshot() == before, "no withdrawn claims, no bogus change"
    with store.sessions() as session:
        assert session.query(FeedOutbox).count() == outbox, "nothing new for the feeds"


def _feed_entries(tmp_path: Path) -> set[str]:
    feeds = tmp_path / "var" / "feeds"
    return {
        entry.id
        for path in feeds.rglob("*.atom")
        for entry in feedparser.parse(path.read_bytes()).entries
    }


def test_a_wrong_charset_header_changes_nothing_in_store_or_feeds(
    tmp_path: Path, replicas: ReplicaServer
) -> None:
    env = environment(tmp_path, replicas)
    first = sistercity(["crawl", "chinesetoday", *FAST], env)
    assert first.returncode == 0, first.stderr[-3000:]
    entries = _feed_entries(tmp_path)
    # A traditional-Chinese UTF-8 story labelled Latin-1, and the GBK story labelled UTF-8.
    replicas.inject("http://chinesetoday.com/?c=26&m=16702", "charset", 10, charset="iso-8859-1")
    replicas.inject("http://chinesetoday.com/?c=26&m=12680", "charset", 10, charset="utf-8")
    second = sistercity(["crawl", "chinesetoday", "--json", *FAST], env)
    row = summary(second)["sites"]["chinesetoday"]
    assert second.returncode == 0, row
    assert row["stories"]["changed"] == 0 and row["partnerships"] == {"new": 0, "changed": 0}
    assert _feed_entries(tmp_path) == entries, "no bogus withdrawn/renewed entries"
