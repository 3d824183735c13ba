"""`sistercity serve` against hostile directories and clients, over real HTTP: no temp files, no
symlinks out of the directory, nosniff everywhere, UTF-8 Atom, connections kept after a 304."""

from __future__ import annotations

import http.client
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.feeds import remove_temp_files
from tests.test_serve import get, serving

FEED = '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>青岛</title></feed>'
OLD = time.time() - 3600


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "partnerships.atom").write_text(FEED, "utf-8")
    (tmp_path / "secret.atom").write_text("outside the feeds directory")
    (feeds / "leak.atom").symlink_to(tmp_path / "secret.atom")
    (feeds / "alias.atom").symlink_to(feeds / "partnerships.atom")  # inside: fine
    (feeds / ".partnerships.atom.fresh.tmp").write_text("half-written")
    stale = feeds / ".partnerships.atom.stale.tmp"
    stale.write_text("left by a killed writer")
    os.utime(stale, (OLD, OLD))
    with serving(feeds) as port:
        yield port, feeds


def test_atom_is_served_as_utf8(served: tuple[int, Path]) -> None:
    port, _ = served
    status, headers, body = get(port, "/partnerships.atom")
    assert status == 200
    assert headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert body.decode("utf-8") == FEED


@pytest.mark.parametrize("path", ["/partnerships.atom", "/nothing-here.atom"])
def test_nosniff_on_every_answer(served: tuple[int, Path], path: str) -> None:
    port, _ = served
    _, headers, _ = get(port, path)
    assert headers["x-content-type-options"] == "nosniff"


def test_no_symlink_out_of_the_directory(served: tuple[int, Path]) -> None:
    port, _ = served
    status, _, body = get(port, "/leak.atom")
    assert status == 404 and b"outside" not in body
    assert get(port, "/alias.atom")[0] == 200


def test_temp_files_are_never_served_and_stale_ones_removed(served: tuple[int, Path]) -> None:
    port, feeds = served
    for name in (".partnerships.atom.fresh.tmp", ".partnerships.atom.stale.tmp"):
        assert get(port, f"/{name}")[0] == 404
    assert not (feeds / ".partnerships.atom.stale.tmp").exists()
    assert (feeds / ".partnerships.atom.fresh.tmp").exists()  # a writer may be using it


def test_connection_kept_after_304(served: tuple[int, Path]) -> None:
    port, _ = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/partnerships.atom")
    first = conn.getresponse()
    first.read()
    sock = conn.sock
    conn.request("GET", "/partnerships.atom", headers={"If-None-Match": first.getheader("ETag")})
    second = conn.getresponse()
    second.read()
    assert second.status == 304
    assert (second.getheader("Connection") or "").lower() != "close"
    conn.request("GET", "/partnerships.atom")
    third = conn.getresponse()
    assert third.status == 200 and third.read().decode("utf-8") == FEED
    assert conn.sock is sock  # the same TCP connection all along
    conn.close()


def test_remove_temp_files_keeps_feeds_and_fresh_temps(tmp_path: Path) -> None:
    (tmp_path / "a.atom").write_text("feed")
    (tmp_path / ".a.atom.x.tmp").write_text("fresh")
    old = tmp_path / ".a.atom.y.tmp"
    old.write_text("old")
    os.utime(old, (OLD, OLD))
    assert remove_temp_files(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".a.atom.x.tmp", "a.atom"]
