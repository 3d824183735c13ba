"""The classifier's vocabulary, loaded from ``pipelines/classify_rules.yaml`` and the per-language
event cues in ``data/events/<language>.yaml``, and compiled once."""

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
EVENT_CUES_DIR = Path(__file__).resolve().parent / "data" / "events"

# Words that qualify an event cue; a key no language gives never matches.
EVENT_CONTEXT = (
    "resumed",
    "planned_before",
    "planned_after",
    "intent",
    "diplomatic",
    "founding",
    "past_pause",
    "existing_tie",
    "founding_since",
    "past_time",
    "this_time",
    "preparing",
    "preparing_after",
    "tie_since",
    "ongoing",
)
_NEVER = re.compile(r"(?!)")


@dataclass(frozen=True)
class Rules:
    relations: list[tuple[str, list[re.Pattern[str]]]]
    blockers: list[re.Pattern[str]]
    org_latin: re.Pattern[str]
    org_han: re.Pattern[str]
    org_hangul: re.Pattern[str]
    pair_references: re.Pattern[str]
    events: list[tuple[str, list[re.Pattern[str]]]]  # strongest first
    event_context: dict[str, re.Pattern[str]]
    since_year: list[re.Pattern[str]]
    anniversary_number: list[re.Pattern[str]]
    ordinal_words: dict[str, int]
    network_sizes: list[tuple[re.Pattern[str], int, int]]


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def load_event_cues(languages: list[str], directory: Path = EVENT_CUES_DIR) -> list[dict[str, Any]]:
    """Each language's event cues (``events``) and qualifying words (``context``)."""
    return [yaml.safe_load((directory / f"{lang}.yaml").read_text("utf-8")) for lang in languages]


def _compile_events(
    order: list[str], cues: list[dict[str, Any]]
) -> tuple[list[tuple[str, list[re.Pattern[str]]]], dict[str, re.Pattern[str]]]:
    """The cues of all languages per event, in ``order``; one pattern per context key."""
    for label in order:
        if label not in EVENTS:
            raise ValueError(f"classify rules: unknown event {label!r}")
    for lang in cues:
        for label in lang.get("events", {}):
            if label not in order:
                raise ValueError(f"event cues: event {label!r} is not in the events' order")
        for key in lang.get("context", {}):
            if key not in EVENT_CONTEXT:
                raise ValueError(f"event cues: unknown context {key!r}")
    events = [
        (label, [_compile(p) for lang in cues for p in lang.get("events", {}).get(label, [])])
        for label in order
    ]
    context = {}
    for key in EVENT_CONTEXT:
        parts = [lang["context"][key] for lang in cues if key in lang.get("context", {})]
        context[key] = _compile("|".join(f"(?:{p})" for p in parts)) if parts else _NEVER
    return events, context


def compile_rules(data: dict[str, Any], event_cues: list[dict[str, Any]]) -> Rules:
    """Compile the YAML's patterns; unknown labels are an error, not a silent no-op."""
    for label in data["relations"]:
        if label not in RELATIONS:
            raise ValueError(f"classify rules: unknown relation {label!r}")
    events, event_context = _compile_events(data["events"]["order"], event_cues)
    orgs = data["organisations"]
    return Rules(
        relations=[(k, [_compile(p) for p in v]) for k, v in data["relations"].items()],
        blockers=[_compile(p) for p in data["blockers"]],
        org_latin=re.compile(orgs["latin"]),
        org_han=re.compile(orgs["han"]),
        org_hangul=re.compile(orgs["hangul"]),
        pair_references=_compile(data["pair_references"]),
        events=events,
        event_context=event_context,
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
    data = yaml.safe_load(RULES_PATH.read_text("utf-8"))
    return compile_rules(data, load_event_cues(data["events"]["languages"]))
