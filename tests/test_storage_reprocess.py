"""`sistercity reprocess` re-parses stored raw pages with the site's parser and files the result:
a different text from the same bytes is a reparse (never an edit) and updates the register;
and StorePipeline files crawled stories and counts them."""

from __future__ import annotations

import asyncio
import gzip
import json
from datetime import datetime
from pathlib import Path

from scrapy.utils.test import get_crawler

from crawler.app.cli import main
from crawler.scraping.items import RawPage, Story
from crawler.understanding import understand
from pipelines.store import StorePipeline
from spiders.asiae import AsiaeParser, AsiaeSpider
from storage import StoryStore
from tests.conftest import RESOURCES


def fixture_story() -> Story:
    meta = json.loads((RESOURCES / "asiae" / "meta.json").read_text("utf-8"))["gwangju_qingdao"]
    page = meta["pages"][0]
    raw = RawPage(
        url=page["url"],
        status=200,
        headers=page["headers"],
        body=gzip.decompress((RESOURCES / "asiae" / page["file"]).read_bytes()),
    )
    fetched = datetime.fromisoformat(meta["crawl_date"])
    fields = AsiaeParser.for_date(fetched.date()).parse([raw])
    story = Story(
        site="asiae",
        url=raw.url,
        canonical_url=AsiaeSpider.canonical_url(raw.url),
        pages=[raw.url],
        fetched_at=fetched,
        raw=[raw],
        **fields,
    )
    return understand(story)


def test_reprocess_turns_an_old_bad_parse_into_a_reparse_and_updates_the_register(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    good = fixture_story()
    assert good.partnerships, "the fixture story should name the Gwangju–Qingdao pair"
    # What an older, broken parser stored: the same bytes, the body cut to its first paragraph.
    bad = fixture_story()
    bad.body = ["(body not found)"]
    bad.parser_version, bad.content_hash = "asiae/0", ""
    bad.partnerships, bad.is_partnership_story, bad.network_sizes = [], False, []
    with StoryStore.open(url) as store:
        assert store.record(bad).kind == "new"
        assert store.partnerships() == []
    feeds = tmp_path / "feeds"
    assert main(["reprocess", "--site", "asiae", "--db", url, "--feeds-dir", str(feeds)]) == 0
    with StoryStore.open(url) as store:
        versions = store.history(good.story_id)
        assert [v.cause for v in versions] == ["new", "reparse"]
        assert versions[-1].body == good.body and versions[-1].parser_version == good.parser_version
        assert len(store.partnerships()) == len(good.partnerships)
        assert [c.kind for c in store.changes()][:1] == ["new"]
    assert (feeds / "partnerships.atom").exists()
    # Nothing left to do the second time.
    assert main(["reprocess", "--db", url, "--feeds-dir", str(feeds)]) == 0
    with StoryStore.open(url) as store:
        assert len(store.history(good.story_id)) == 2


def test_store_pipeline_files_stories_and_counts_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    crawler = get_crawler(
        settings_dict={"SISTERCITY_DB_URL": url, "SISTERCITY_STORE_BATCH_SIZE": 1}
    )
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)
    assert pipeline.store is None  # nothing opened before open_spider
    pipeline.open_spider()
    story = fixture_story()
    # One story at a time (batch size 1) files on the calling thread: no reactor needed.
    assert asyncio.run(pipeline.process_item(story)) is story
    asyncio.run(pipeline.process_item(fixture_story()))
    asyncio.run(pipeline.close_spider())
    stats = crawler.stats.get_stats()
    assert stats["sistercity/store/new"] == 1
    assert stats["sistercity/store/unchanged"] == 1
    assert stats["sistercity/register/new"] == len(story.partnerships)
    with StoryStore.open(url) as store:
        assert store.known_canonical_urls("asiae") == {story.canonical_url}
