"""The data files written with the feeds: partnerships.csv, partnerships.json and the
Frictionless datapackage.json describing them, validated with the `frictionless` package."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import frictionless
import pytest

from storage import StoryStore
from storage.exports import COLUMNS
from storage.feeds import FeedConfig, build_feeds
from tests.storeconf import *  # noqa: F403
from tests.storefactory import (
    asiae_gwangju_qingdao,
    binzhou_goyang,
    build_through_history,
    chinadaily_qingdao_gwangju,
    licheng_gangnam,
    not_partnership,
)

T1 = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)
CONFIG = FeedConfig(version="9.9.9")


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


@pytest.fixture
def filled(tmp_path: Path) -> tuple[StoryStore, Path]:
    store = StoryStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    store.record(asiae_gwangju_qingdao(T1))
    store.record(chinadaily_qingdao_gwangju(T1 + timedelta(hours=1)))
    store.record(binzhou_goyang(T1 + timedelta(hours=2)))
    yield store, tmp_path / "feeds"
    store.close()


def test_files_are_written_with_the_feeds_and_follow_new_stories(filled) -> None:
    store, feeds = filled
    report = build_feeds(store, feeds, CONFIG)
    assert {"partnerships.csv", "partnerships.json", "datapackage.json"} <= set(report.written)
    rows = read_csv(feeds / "partnerships.csv")
    assert [r["id"] for r in rows] == ["binzhou-cn--goyang-kr", "qingdao-cn--gwangju-kr"]
    data = json.loads((feeds / "partnerships.json").read_text("utf-8"))
    assert [r["id"] for r in data] == [r["id"] for r in rows]
    assert data[1]["source_urls"] == rows[1]["source_urls"].split(";")
    # Nothing new: nothing rewritten.
    assert not {"partnerships.csv", "partnerships.json"} & set(
        build_feeds(store, feeds, CONFIG).written
    )
    store.record(licheng_gangnam(T1 + timedelta(days=1)))
    assert "partnerships.csv" in build_feeds(store, feeds, CONFIG).written
    rows = read_csv(feeds / "partnerships.csv")
    assert "licheng-cn--gangnam-kr" in [r["id"] for r in rows]


def test_datapackage_describes_every_column_and_validates(filled) -> None:
    store, feeds = filled
    build_feeds(store, feeds, CONFIG)
    descriptor = json.loads((feeds / "datapackage.json").read_text("utf-8"))
    assert descriptor["name"] == "sistercity-partnerships" and descriptor["version"] == "9.9.9"
    (table,) = [r for r in descriptor["resources"] if r["path"] == "partnerships.csv"]
    header = next(csv.reader(io.StringIO((feeds / "partnerships.csv").read_text("utf-8"))))
    assert [f["name"] for f in table["schema"]["fields"]] == header == [c.name for c in COLUMNS]
    assert all(f["description"] for f in table["schema"]["fields"])
    report = frictionless.validate(str(feeds / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = frictionless.Package(str(feeds / "datapackage.json"))
    rows = package.get_resource("partnerships").read_rows()
    qg = next(r for r in rows if r["id"] == "qingdao-cn--gwangju-kr")
    # Typed as the schema says: a real datetime and a number, not strings.
    assert qg["first_reported"] == datetime(2024, 11, 22, 2, 52, tzinfo=UTC)
    assert float(qg["confidence"]) == pytest.approx(0.9) and qg["sources"] == 2


def test_a_broken_file_fails_validation(filled) -> None:
    """The validation above can fail: a status outside the schema's enum is caught."""
    store, feeds = filled
    build_feeds(store, feeds, CONFIG)
    path = feeds / "partnerships.csv"
    path.write_text(path.read_text("utf-8").replace(",active,", ",dormant,", 1), "utf-8")
    assert not frictionless.validate(str(feeds / "datapackage.json")).valid


DATA_FILES = ("partnerships.csv", "partnerships.json", "datapackage.json")


def test_an_incremental_build_leaves_the_same_data_files_as_a_full_build(
    store: StoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each batch of stories the data files are byte for byte those a full build from
    scratch writes; a story that changes no pair does not make them again."""
    import storage.feeds as feeds

    for step, incremental, full in build_through_history(store, tmp_path, CONFIG, T1):
        for name in DATA_FILES:
            expected = (full / name).read_bytes()
            assert (incremental / name).read_bytes() == expected, (step, name)
    made: list[str] = []
    whole, updated = feeds.export_files, feeds.updated_export_files
    monkeypatch.setattr(feeds, "export_files", lambda *a: made.append("whole") or whole(*a))
    monkeypatch.setattr(
        feeds, "updated_export_files", lambda *a: made.append("updated") or updated(*a)
    )
    store.record(not_partnership(T1 + timedelta(days=3)))
    build_feeds(store, incremental, CONFIG)
    assert not made
    store.record(licheng_gangnam(T1 + timedelta(days=3), since_year=2006))
    build_feeds(store, incremental, CONFIG)
    # One pair changed: its records are replaced in the files the last build left.
    assert made == ["updated"]
    rows = {r["id"]: r for r in read_csv(incremental / "partnerships.csv")}
    assert rows["licheng-cn--gangnam-kr"]["since"] == "2006"


def test_files_that_do_not_pair_up_are_made_again_from_the_register(
    filled, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild keeps the other pairs' records from the files the last build wrote only
    when the two files hold the same ids line for line; otherwise it reads the whole register,
    and the files come out as a full build writes them."""
    store, feeds = filled
    build_feeds(store, feeds, CONFIG)
    path = feeds / "partnerships.json"
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(data, indent=1) + "\n", "utf-8")  # another layout
    store.record(licheng_gangnam(T1 + timedelta(days=1)))
    build_feeds(store, feeds, CONFIG)
    build_feeds(store, feeds.parent / "full", CONFIG, full=True)
    for name in DATA_FILES:
        assert (feeds / name).read_bytes() == (feeds.parent / "full" / name).read_bytes()
    assert [r["id"] for r in json.loads(path.read_text("utf-8"))] == [
        "binzhou-cn--goyang-kr",
        "licheng-cn--gangnam-kr",
        "qingdao-cn--gwangju-kr",
    ]
