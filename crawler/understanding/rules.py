"""The classifier's vocabulary, loaded from ``pipelines/classify_rules.yaml`` and compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from crawler.constants import EVENTS, RELATIONS

# The top-level ``pipelines`` package sits beside ``crawler`` in the repo and when installed.
RULES_PATH = Path(__file__).resolve().parents[2] / "pipelines" / "classify_rules.yaml"


@dataclass(frozen=True)
class Rules:
    relations: list[tuple[str, list[re.Pattern[str]]]]
    blockers: list[re.Pattern[str]]
    org_latin: re.Pattern[str]
    org_han: re.Pattern[str]
    org_hangul: re.Pattern[str]
    pair_references: re.Pattern[str]
    events: list[tuple[str, list[re.Pattern[str]]]]
    since_year: list[re.Pattern[str]]
    anniversary_number: list[re.Pattern[str]]
    ordinal_words: dict[str, int]
    network_sizes: list[tuple[re.Pattern[str], int, int]]


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def compile_rules(data: dict[str, Any]) -> Rules:
    """Compile the YAML's patterns; unknown labels are an error, not a silent no-op."""
    for label in data["relations"]:
        if label not in RELATIONS:
            raise ValueError(f"classify rules: unknown relation {label!r}")
    for label in data["events"]:
        if label not in EVENTS:
            raise ValueError(f"classify rules: unknown event {label!r}")
    orgs = data["organisations"]
    return Rules(
        relations=[(k, [_compile(p) for p in v]) for k, v in data["relations"].items()],
        blockers=[_compile(p) for p in data["blockers"]],
        org_latin=re.compile(orgs["latin"]),
        org_han=re.compile(orgs["han"]),
        org_hangul=re.compile(orgs["hangul"]),
        pair_references=_compile(data["pair_references"]),
        events=[(k, [_compile(p) for p in v]) for k, v in data["events"].items()],
        since_year=[_compile(p) for p in data["since_year"]],
        anniversary_number=[_compile(p) for p in data["anniversary_number"]],
        ordinal_words={k.casefold(): int(v) for k, v in data["ordinal_words"].items()},
        network_sizes=[
            (_compile(row["pattern"]), int(row["cities"]), int(row["countries"]))
            for row in data["network_sizes"]
        ],
    )


@lru_cache(maxsize=1)
def rules() -> Rules:
    return compile_rules(yaml.safe_load(RULES_PATH.read_text("utf-8")))
