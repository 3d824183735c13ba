"""Every site parser against its recorded pages (tests/resources/<site>/), one field per test.

The fixture contract (STYLE §5): each parser version has cases, each case's pages exist, the
expected JSON keys are sorted, no expected value is empty, the required fields are covered.
"""

from __future__ import annotations

import gzip
import importlib
import json
from datetime import datetime
from typing import Any

import pytest

from crawler.scraping.items import RawPage
from crawler.scraping.parsing import ParserProxy
from tests.conftest import RESOURCES

REQUIRED = (
    "title",
    "published",
    "published_source",
    "language",
    "extraction",
    "parser_version",
    "body",
)


def _sites() -> list[str]:
    if not RESOURCES.is_dir():
        return []
    return sorted(p.name for p in RESOURCES.iterdir() if (p / f"{p.name}.json").exists())


def _load(site: str) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = RESOURCES / site
    expected = json.loads((folder / f"{site}.json").read_text("utf-8"))
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    return expected, meta


def parser_proxy(site: str) -> type[ParserProxy]:
    module = importlib.import_module(f"spiders.{site}")
    found = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ParserProxy) and v is not ParserProxy
    ]
    assert len(found) == 1, f"spiders/{site}.py must define exactly one ParserProxy"
    return found[0]


def _cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for site in _sites():
        expected, _ = _load(site)
        for version, by_case in expected.items():
            for case, fields in by_case.items():
                cases += [(site, version, case, name) for name in fields]
    return cases


_parsed: dict[tuple[str, str, str], dict[str, Any]] = {}


def parse_case(site: str, version: str, case: str) -> dict[str, Any]:
    key = (site, version, case)
    if key not in _parsed:
        _, meta = _load(site)
        pages = [
            RawPage(
                url=page["url"],
                status=200,
                headers=page["headers"],
                body=gzip.decompress((RESOURCES / site / page["file"]).read_bytes()),
            )
            for page in meta[case]["pages"]
        ]
        parser_cls = getattr(parser_proxy(site), version)
        _parsed[key] = parser_cls().parse(pages)
    return _parsed[key]


@pytest.mark.parametrize("site", _sites())
def test_fixture_contract(site: str) -> None:
    expected, meta = _load(site)
    proxy = parser_proxy(site)
    assert {v.__name__ for v in proxy.versions()} == set(expected), "a version lacks fixtures"
    assert list(meta) == sorted(meta), "meta.json keys must be sorted"
    for version, by_case in expected.items():
        assert list(by_case) == sorted(by_case), f"{version}: case keys must be sorted"
        for case, fields in by_case.items():
            assert case in meta, f"{case} has no pages in meta.json"
            assert meta[case].get("synthetic") in (True, False), (
                f"{case}: say whether it is synthetic"
            )
            for page in meta[case]["pages"]:
                assert (RESOURCES / site / page["file"]).exists(), page["file"]
                assert "Content-Type" in page["headers"], f"{case}: record the Content-Type"
            missing = [f for f in REQUIRED if f not in fields]
            assert not missing, f"{case} does not cover {missing}"
            assert list(fields) == sorted(fields), f"{case}: field keys must be sorted"
            empty = [k for k, v in fields.items() if v in ("", [], {}) and k != "captions"]
            assert not empty, f"{case}: empty expectations {empty}"


@pytest.mark.parametrize(("site", "version", "case", "field"), _cases())
def test_parser_field(site: str, version: str, case: str, field: str) -> None:
    expected, _ = _load(site)
    want = expected[version][case][field]
    got = parse_case(site, version, case)[field]
    if field == "published":
        assert (got.isoformat() if isinstance(got, datetime) else got) == want
        if got is not None:
            assert got.tzinfo is not None, "published must be timezone-aware"
    elif field == "body" and isinstance(want, dict):
        text = "\n".join(got)
        if "count" in want:
            assert len(got) == want["count"], got
        for snippet in want.get("with", []):
            assert snippet in text, f"body lacks {snippet!r}"
        for snippet in want.get("without", []):
            assert snippet not in text, f"body still has {snippet!r}"
    else:
        assert got == want
