"""The real-news corpus (``real-news.jsonl``): where it is, how it is split, stories from its rows.

The corpus is third-party text kept beside the repository (``../shared/corpus/``), never in it:
only the ids of its tuning and frozen parts are committed (``data/real_corpus_split.json``).
The split was made once, stratified by language and label, with a fixed seed (``make_split``).
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from crawler.scraping.items import Story

ENV_VAR = "SISTERCITY_REAL_CORPUS"
SPLIT_SEED = 8
FROZEN_SHARE = 0.4
_REPO = Path(__file__).resolve().parents[2]


def corpus_path() -> Path | None:
    """``$SISTERCITY_REAL_CORPUS``, else ``../shared/corpus/real-news.jsonl`` beside the
    repository (a clone in any folder), else the workplace's copy; None when none exists."""
    candidates = [
        os.environ.get(ENV_VAR),
        _REPO.parent / "shared" / "corpus" / "real-news.jsonl",
        _REPO.parents[1] / "shared" / "corpus" / "real-news.jsonl",
        "/work/shared/corpus/real-news.jsonl",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def load_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def make_split(rows: Iterable[dict[str, Any]], seed: int = SPLIT_SEED) -> dict[str, list[str]]:
    """Ids of the tuning and frozen parts: within each (language, label) group, a seeded
    shuffle, the first ``FROZEN_SHARE`` frozen."""
    groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for row in rows:
        groups[(row["lang"], bool(row["is_partnership_story"]))].append(row["id"])
    rng = random.Random(seed)
    split: dict[str, list[str]] = {"tuning": [], "frozen": []}
    for key in sorted(groups):
        ids = sorted(groups[key])
        rng.shuffle(ids)
        cut = round(len(ids) * FROZEN_SHARE)
        split["frozen"] += ids[:cut]
        split["tuning"] += ids[cut:]
    return {part: sorted(ids) for part, ids in split.items()}


def committed_split() -> dict[str, list[str]]:
    text = resources.files("crawler.understanding").joinpath("data/real_corpus_split.json")
    data = json.loads(text.read_text("utf-8"))
    return {"tuning": data["tuning"], "frozen": data["frozen"]}


def part_rows(rows: list[dict[str, Any]], part: str | None) -> Iterator[dict[str, Any]]:
    """The rows of one part (``tuning``/``frozen``), or all of them for None."""
    keep = None if part is None else set(committed_split()[part])
    return (row for row in rows if keep is None or row["id"] in keep)


def story_of_row(row: dict[str, Any]) -> Story:
    """A stored page as the spiders would pass it on: title and paragraphs, no date."""
    paragraphs = [p.strip() for p in (row.get("text") or "").split("\n") if p.strip()]
    return Story(
        site="real-news",
        url=row.get("url") or f"https://corpus.invalid/{row['id']}",
        canonical_url=row.get("url") or f"https://corpus.invalid/{row['id']}",
        title=row.get("title") or "",
        body=paragraphs,
        published=None,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


if __name__ == "__main__":  # the one-time split, kept for the record: prints the JSON
    found = corpus_path()
    if found is None:
        raise SystemExit(f"real corpus not found; set {ENV_VAR}")
    split = make_split(load_rows(found))
    print(json.dumps({"seed": SPLIT_SEED, "frozen_share": FROZEN_SHARE, **split}, indent=1))
