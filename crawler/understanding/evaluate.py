"""Quality figures on a labelled corpus.

    python -m crawler.understanding.evaluate DIR                      # tests/resources/corpus
    python -m crawler.understanding.evaluate --jsonl PATH [--part tuning|frozen]

Story F1 (is it a partnership story), pair precision and recall (unordered pairs over all
stories) and event accuracy (on the pairs found that are also labelled). On the real-news JSONL
the pairs are matched by place name and country (see ``realmatch``), figures are printed per
language and per event, and the errors are listed for the tuning part only: the frozen part is
for measuring, never for reading its mistakes.
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

from crawler.scraping.items import Story
from crawler.understanding import understand
from crawler.understanding.fingerprint import place_key
from crawler.understanding.realcorpus import load_rows, part_rows, story_of_row
from crawler.understanding.realmatch import EventCounts, describe, match_pairs


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
    crashes: int = 0
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
            ("crashes", f"{self.crashes}"),
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
        found = {
            frozenset((place_key(p["a"]), place_key(p["b"]))): p["event"]
            for p in story.partnerships
        }
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


@dataclass
class RealFigures:
    """Figures on the real-news corpus: overall, per language, per labelled event."""

    overall: Figures = field(default_factory=Figures)
    languages: dict[str, Figures] = field(default_factory=dict)
    events: dict[str, EventCounts] = field(default_factory=dict)

    def table(self) -> str:
        head = "| part | stories | story F1 | pair P | pair R | event acc | crashes |"
        rows = [head, "|---|---|---|---|---|---|---|"]
        for name, f in [("all", self.overall), *sorted(self.languages.items())]:
            rows.append(
                f"| {name} | {f.stories} | {f.story_f1:.3f} | {f.pair_precision:.3f} | "
                f"{f.pair_recall:.3f} | {f.event_accuracy:.3f} | {f.crashes} |"
            )
        rows += ["", "| event | labelled | found | event right |", "|---|---|---|---|"]
        for name, e in sorted(self.events.items()):
            rows.append(f"| {name} | {e.labelled} | {e.found} | {e.correct} |")
        return "\n".join(rows)


def evaluate_rows(rows: list[dict[str, Any]]) -> RealFigures:
    """Score ``understand`` on real-news rows (``realcorpus`` format)."""
    out = RealFigures()
    for row in rows:
        lang = out.languages.setdefault(row["lang"], Figures())
        for figures in (out.overall, lang):
            figures.stories += 1
        try:
            story = understand(story_of_row(row))
        except Exception as exc:  # counted and shown, never hidden: a crash is a failure
            for figures in (out.overall, lang):
                figures.crashes += 1
            out.overall.mistakes.append(f"{row['id']}: crash {exc!r}")
            continue
        expected = bool(row["is_partnership_story"])
        got = bool(story.is_partnership_story)
        gold = list(row["partnerships"])
        found = list(story.partnerships) if got else []
        matched, extra, missed = match_pairs(gold, found)
        for figures in (out.overall, lang):
            figures.tp += expected and got
            figures.fp += got and not expected
            figures.fn += expected and not got
            figures.pairs_labelled += len(gold)
            figures.pairs_found += len(found)
            figures.pairs_correct += len(matched)
            figures.events_correct += sum(g["event"] == f["event"] for g, f in matched)
        for g in gold:
            out.events.setdefault(g["event"], EventCounts()).labelled += 1
        for g, f in matched:
            counts = out.events[g["event"]]
            counts.found += 1
            counts.correct += g["event"] == f["event"]
            counts.confusions[f["event"]] += 1
        note = out.overall.mistakes
        if expected != got:
            note.append(f"{row['id']} [{row['lang']}]: story {got} (expected {expected})")
        note += [f"{row['id']}: extra pair {describe(f)}" for f in extra]
        note += [f"{row['id']}: missed pair {describe(g)}" for g in missed]
        note += [
            f"{row['id']}: event {f['event']} (expected {g['event']}) {describe(f)}"
            for g, f in matched
            if g["event"] != f["event"]
        ]
    return out


def labels_table() -> str:
    """The relation and event labels as a Markdown table, from ``crawler.constants``."""
    from crawler.constants import EVENTS, RELATIONS

    rows = [f"| relation | `{k}` | {v} |" for k, v in RELATIONS.items()]
    rows += [f"| event | `{k}` | {v} |" for k, v in EVENTS.items()]
    return "\n".join(["| kind | label | meaning |", "|---|---|---|", *rows])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.understanding.evaluate", description=__doc__
    )
    parser.add_argument("corpus", type=Path, nargs="?", help="directory of labelled *.yaml stories")
    parser.add_argument("--labels", action="store_true", help="print the labels table and stop")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mistake")
    parser.add_argument("--jsonl", type=Path, help="a real-news JSONL file (realcorpus format)")
    parser.add_argument("--part", choices=["tuning", "frozen"], help="one part of the split")
    args = parser.parse_args(argv)
    if args.labels:
        print(labels_table())
        return 0
    if args.jsonl is not None:
        if not args.jsonl.is_file():
            print(f"evaluate: {args.jsonl} is not a file", file=sys.stderr)
            return 2
        real = evaluate_rows(list(part_rows(load_rows(args.jsonl), args.part)))
        print(real.table())
        if args.part == "tuning":
            print("\n".join(real.overall.mistakes) or "no mistakes")
        elif args.part is None:
            print("(errors are listed for --part tuning only)")
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
