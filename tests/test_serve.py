"""`sistercity serve` over real HTTP: types, conditional GETs, gzip, and nothing outside the dir."""

from __future__ import annotations

import gzip
import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    + (b"<entry><title>Qingdao (CN) - Gwangju (KR)</title></entry>" * 40)
    + b"</feed>\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(feeds: Path) -> Iterator[int]:
    """`sistercity serve` on ``feeds`` in a real process; yields its port once it listens."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.app.cli",
            "serve",
            "--port",
            str(port),
            "--feeds-dir",
            str(feeds),
        ],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "partnerships.atom").write_bytes(FEED)
    (feeds / "partnerships.atom.gz").write_bytes(gzip.compress(FEED))
    (feeds / "feeds.opml").write_bytes(b'<?xml version="1.0"?><opml version="2.0"/>')
    (feeds / "index.html").write_bytes(b"<!doctype html><title>feeds</title>")
    (tmp_path / "secret.txt").write_text("outside the feeds directory")
    with serving(feeds) as port:
        yield port, feeds


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def test_feed_served_with_atom_type_and_validators(served: tuple[int, Path]) -> None:
    port, _ = served
    status, headers, body = get(port, "/partnerships.atom")
    assert status == 200
    assert headers["content-type"].startswith("application/atom+xml")
    assert body == FEED
    assert headers.get("etag") and headers.get("last-modified")


def test_repeated_conditional_get_is_304(served: tuple[int, Path]) -> None:
    port, _ = served
    _, headers, _ = get(port, "/partnerships.atom")
    status, _, body = get(port, "/partnerships.atom", **{"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""
    status, _, _ = get(
        port, "/partnerships.atom", **{"If-Modified-Since": headers["last-modified"]}
    )
    assert status == 304


def test_gzip_when_asked(served: tuple[int, Path]) -> None:
    port, _ = served
    status, headers, body = get(port, "/partnerships.atom", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("content-encoding") == "gzip"
    assert gzip.decompress(body) == FEED


def test_opml_and_index_types(served: tuple[int, Path]) -> None:
    port, _ = served
    assert get(port, "/feeds.opml")[1]["content-type"].startswith("text/x-opml")
    status, headers, _ = get(port, "/")
    assert status == 200 and headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/nope.atom"]
)
def test_nothing_outside_the_directory(served: tuple[int, Path], path: str) -> None:
    port, _ = served
    status, _, body = get(port, path)
    assert status == 404
    assert b"outside the feeds directory" not in body


def test_rewritten_feed_is_seen_with_a_new_etag(served: tuple[int, Path]) -> None:
    port, feeds = served
    _, first, _ = get(port, "/partnerships.atom")
    time.sleep(1.1)  # Last-Modified has one-second resolution
    new = FEED.replace(b"Gwangju", b"Daegu")
    (feeds / "partnerships.atom").write_bytes(new)
    (feeds / "partnerships.atom.gz").write_bytes(gzip.compress(new))
    status, second, body = get(port, "/partnerships.atom", **{"If-None-Match": first["etag"]})
    assert status == 200 and body == new
    assert second["etag"] != first["etag"]
