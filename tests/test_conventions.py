"""The project's shape, checked: one spider per site module, the Story field table, one pipeline
per file, no Scrapy in storage/, and no parser that reaches for Scrapy or the network."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from pathlib import Path

import pytest
import scrapy

from crawler.scraping.items import Story
from crawler.scraping.news_spider import NewsSpider
from crawler.scraping.parsing import ParserProxy
from tests.conftest import ROOT

SPIDER_FILES = sorted(p for p in (ROOT / "spiders").glob("*.py") if p.name != "__init__.py")


def test_four_sites() -> None:
    assert [p.stem for p in SPIDER_FILES] == [
        "asiae",
        "china_org_cn",
        "chinadaily_shandong",
        "chinesetoday",
    ]


@pytest.mark.parametrize("path", SPIDER_FILES, ids=lambda p: p.stem)
def test_spider_module_holds_one_spider_and_one_parser_named_after_it(path: Path) -> None:
    module = importlib.import_module(f"spiders.{path.stem}")
    spiders = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, scrapy.Spider) and v.__module__ == module.__name__
    ]
    parsers = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ParserProxy) and v.__module__ == module.__name__
    ]
    assert len(spiders) == 1 and len(parsers) == 1
    spider, parser = spiders[0], parsers[0]
    camel = "".join(part.capitalize() for part in path.stem.split("_"))
    assert spider.__name__ == f"{camel}Spider" and parser.__name__ == f"{camel}Parser"
    assert spider.name == path.stem and issubclass(spider, NewsSpider)
    assert spider.parser is parser
    assert all(v.site == path.stem for v in parser.versions())


@pytest.mark.parametrize("path", SPIDER_FILES, ids=lambda p: p.stem)
def test_parsers_are_pure(path: Path) -> None:
    """Parser classes use no Scrapy objects and no network: only the spider class may."""
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name.endswith("Parser"):
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            attrs = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            assert not names & {"scrapy", "Request", "Response", "requests", "urllib"}, names
            assert not attrs & {"Request", "urlopen"}, attrs


def test_story_field_table_matches_the_dataclass() -> None:
    doc = importlib.import_module("crawler.scraping.items").__doc__ or ""
    table = re.findall(r"^\| (\w+) \| ([^|]+) \| (yes|no) \|", doc, re.M)
    fields = {f.name: f for f in dataclasses.fields(Story)}
    assert [name for name, _, _ in table] == list(fields)
    for name, _, required in table:
        field = fields[name]
        no_default = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        if no_default:
            assert required == "yes", f"{name} has no default, so the table must call it required"


@pytest.mark.parametrize("path", sorted((ROOT / "pipelines").glob("*.py")), ids=lambda p: p.name)
def test_one_pipeline_class_per_file(path: Path) -> None:
    if path.name == "__init__.py":
        return
    tree = ast.parse(path.read_text("utf-8"))
    classes = [
        n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.name.endswith("Pipeline")
    ]
    assert classes == [f"{path.stem.capitalize()}Pipeline"]


def test_storage_imports_neither_scrapy_nor_crawler() -> None:
    for path in (ROOT / "storage").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] in {"scrapy", "crawler"} for a in node.names), (
                    path
                )
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in {
                    "scrapy",
                    "spiders",
                    "pipelines",
                    "crawler",
                }, path
