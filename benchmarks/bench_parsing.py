"""Parsing speed: pages per second through each site parser and through the generic extractor.

Input: the recorded pages of ``tests/resources/<site>/`` (``meta.json`` names each case's pages
and headers; ``<site>.json`` names the parser version each case is for). The site path is
``ArticleParser.parse`` (site selectors, falling back to the generic extractor when they find
nothing); the generic path is ``generic_fields`` alone (JSON-LD, meta tags, trafilatura), which
is what a site costs once its markup has changed under us.

    python -m benchmarks.bench_parsing [--repeats N] [--big]

``--big`` parses each page 20 times per timed run instead of 3.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from typing import Any

from benchmarks.harness import RESOURCES, arguments, median_time, ms, progress, rate, report, table
from crawler.scraping.items import RawPage
from crawler.scraping.parsing import ArticleParser, ParserProxy, generic_fields
from crawler.scraping.sites import parser_for


def sites() -> list[str]:
    return sorted(p.name for p in RESOURCES.iterdir() if (p / f"{p.name}.json").is_file())


def proxy_of(site: str) -> type[ParserProxy]:
    return parser_for(site)


def cases(site: str) -> list[tuple[ArticleParser, list[RawPage]]]:
    """(parser of the case's version, its pages) for every recorded case of the site."""
    folder = RESOURCES / site
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    expected = json.loads((folder / f"{site}.json").read_text("utf-8"))
    proxy = proxy_of(site)
    found = []
    for version, by_case in expected.items():
        parser = getattr(proxy, version)()
        for case in by_case:
            pages = [
                RawPage(
                    url=page["url"],
                    status=200,
                    headers=page["headers"],
                    body=gzip.decompress((folder / page["file"]).read_bytes()),
                )
                for page in meta[case]["pages"]
            ]
            found.append((parser, pages))
    return found


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(__doc__.split("\n")[0], argv)
    rounds = 20 if args.big else 3
    results: dict[str, Any] = {}
    rows = []
    for site in sites():
        progress(f"parsing: {site}")
        found = cases(site)
        pages = sum(len(p) for _, p in found)
        kb = sum(len(page.body) for _, p in found for page in p) / 1024
        generic_cases = sum(parser.parse(p)["extraction"] == "generic" for parser, p in found)

        def site_path(found: list[tuple[ArticleParser, list[RawPage]]] = found) -> None:
            for _ in range(rounds):
                for parser, p in found:
                    parser.parse(p)

        def generic_path(found: list[tuple[ArticleParser, list[RawPage]]] = found) -> None:
            for _ in range(rounds):
                for parser, p in found:
                    generic_fields(p, parser.timezone)

        site_s = median_time(site_path, args.repeats) / rounds
        generic_s = median_time(generic_path, args.repeats) / rounds
        results[site] = {
            "cases": len(found),
            "pages": pages,
            "kib": round(kb, 1),
            "cases_on_generic_fallback": generic_cases,
            "site_seconds_per_pass": site_s,
            "generic_seconds_per_pass": generic_s,
        }
        rows.append(
            [
                site,
                f"{len(found)} / {pages}",
                f"{kb:,.0f}",
                rate(pages, site_s),
                ms(site_s / pages),
                rate(pages, generic_s),
                ms(generic_s / pages),
                generic_cases,
            ]
        )
    text = table(
        [
            "site",
            "cases / pages",
            "KiB",
            "site path pages/s",
            "ms/page",
            "generic path pages/s",
            "ms/page",
            "cases that fell back to generic",
        ],
        rows,
    )
    report("Parsing", text, results, args)
    return results


if __name__ == "__main__":
    run()
