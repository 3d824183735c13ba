"""`sistercity classify` in a subprocess: one good story, and bad input without a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

STORY = (
    "Gwangju City and Qingdao City Sign Sister City Agreement\n"
    'On the 22nd, Gwangju City announced that it signed a "Sister City Cooperation Agreement" with '
    "Qingdao City, Shandong Province, China, at Qingdao City Hall on the 21st.\n"
)


def classify(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", "classify", *args],
        input=stdin,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_good_story_prints_json() -> None:
    proc = classify(STORY.encode(), "-", "--published", "2024-11-22T11:52:52+09:00")
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert out["is_partnership_story"] is True
    pair = out["partnerships"][0]
    assert {pair["a"]["id"], pair["b"]["id"]} == {"geonames:1797929", "geonames:1841811"}
    assert (pair["relation"], pair["event"], pair["event_date"]) == (
        "sister",
        "established",
        "2024-11-21",
    )


def test_html_with_generic_parser(tmp_path) -> None:
    page = tmp_path / "story.html"
    page.write_text(
        "<html><head><title>Yantai and Ulsan sign sister city agreement</title></head><body><article>"
        "<h1>Yantai and Ulsan sign sister city agreement</h1>"
        "<p>Yantai in Shandong province signed a sister city agreement with Ulsan, South Korea, on May 17, "
        "the city's foreign affairs office said on Friday in a statement to reporters.</p>"
        "<p>The two cities agreed to expand cooperation in shipbuilding, hydrogen energy and tourism, "
        "and to send student delegations to each other every year from next summer.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    proc = classify(b"", str(page), "--html", "--url", "https://news.example.invalid/a/1")
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["is_partnership_story"] is True


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b"", b"empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", b"binary"),
        (b"a" * (6 * 1024 * 1024), b"larger"),
    ],
    ids=["empty", "binary", "huge"],
)
def test_bad_input_is_a_clear_error(stdin: bytes, message: bytes) -> None:
    proc = classify(stdin, "-")
    assert proc.returncode == 2
    assert message in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_missing_file_is_a_clear_error() -> None:
    proc = classify(b"", "/nonexistent/story.txt")
    assert proc.returncode == 2
    assert b"no such file" in proc.stderr and b"Traceback" not in proc.stderr
