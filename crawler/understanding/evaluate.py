"""Quality figures on a labelled corpus: ``python -m crawler.understanding.evaluate DIR``.

Story F1 (is it a partnership story), pair precision and recall (unordered place-id pairs over
all stories) and event accuracy (on the pairs found that are also labelled).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from crawler.items import Story
from crawler.understanding import understand


@dataclass
class Figures:
    stories: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    pairs_found: int = 0
    pairs_labelled: int = 0
    pairs_correct: int = 0
    events_correct: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def story_f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0

    @property
    def pair_precision(self) -> float:
        return self.pairs_correct / self.pairs_found if self.pairs_found else 1.0

    @property
    def pair_recall(self) -> float:
        return self.pairs_correct / self.pairs_labelled if self.pairs_labelled else 1.0

    @property
    def event_accuracy(self) -> float:
        return self.events_correct / self.pairs_correct if self.pairs_correct else 0.0

    def table(self) -> str:
        rows = [
            ("stories", f"{self.stories}"),
            ("story F1", f"{self.story_f1:.3f}"),
            ("pair precision", f"{self.pair_precision:.3f}"),
            ("pair recall", f"{self.pair_recall:.3f}"),
            ("event accuracy", f"{self.event_accuracy:.3f}"),
        ]
        return "\n".join(["| measure | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])


def load_corpus(directory: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(directory.glob("*.yaml")):
        yield from (yaml.safe_load(path.read_text("utf-8")) or {}).items()


def story_of(key: str, case: dict[str, Any]) -> Story:
    published = datetime.fromisoformat(case["published"]) if case.get("published") else None
    return Story(
        site="corpus",
        url=f"https://corpus.invalid/{key}",
        canonical_url=f"https://corpus.invalid/{key}",
        title=case.get("title", ""),
        body=list(case.get("body", [])),
        published=published,
        fetched_at=published or datetime.now(UTC),
    )


def evaluate(directory: Path) -> Figures:
    figures = Figures()
    for key, case in load_corpus(directory):
        story = understand(story_of(key, case))
        figures.stories += 1
        expected = bool(case["partnership"])
        got = bool(story.is_partnership_story)
        figures.tp += expected and got
        figures.fp += got and not expected
        figures.fn += expected and not got
        if expected != got:
            figures.mistakes.append(f"{key}: story {got} (expected {expected})")
        labelled = {frozenset((p["a"], p["b"])): p["event"] for p in case.get("pairs", [])}
        found = {frozenset((p["a"]["id"], p["b"]["id"])): p["event"] for p in story.partnerships}
        figures.pairs_labelled += len(labelled)
        figures.pairs_found += len(found)
        for pair, event in found.items():
            if pair not in labelled:
                figures.mistakes.append(f"{key}: extra pair {sorted(pair)}")
                continue
            figures.pairs_correct += 1
            if labelled[pair] == event:
                figures.events_correct += 1
            else:
                figures.mistakes.append(f"{key}: event {event} (expected {labelled[pair]})")
        for pair in labelled.keys() - found.keys():
            figures.mistakes.append(f"{key}: missed pair {sorted(pair)}")
    return figures


def labels_table() -> str:
    """The relation and event labels as a Markdown table, from ``crawler.constants``."""
    from crawler.constants import EVENTS, RELATIONS

    rows = [f"| relation | `{k}` | {v} |" for k, v in RELATIONS.items()]
    rows += [f"| event | `{k}` | {v} |" for k, v in EVENTS.items()]
    return "\n".join(["| kind | label | meaning |", "|---|---|---|", *rows])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.understanding.evaluate", description=__doc__)
    parser.add_argument("corpus", type=Path, nargs="?", help="directory of labelled *.yaml stories")
    parser.add_argument("--labels", action="store_true", help="print the labels table and stop")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mistake")
    args = parser.parse_args(argv)
    if args.labels:
        print(labels_table())
        return 0
    if args.corpus is None or not args.corpus.is_dir():
        print(f"evaluate: {args.corpus} is not a directory", file=sys.stderr)
        return 2
    figures = evaluate(args.corpus)
    print(figures.table())
    if args.verbose:
        print("\n".join(figures.mistakes) or "no mistakes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
