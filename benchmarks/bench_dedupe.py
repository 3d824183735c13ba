"""Near-duplicate index: the cost per new story as the number of indexed stories grows.

The issue asks that this cost does not grow with the number of stories stored. Stories are made
from the labelled corpus: each synthetic story joins four neighbouring corpus stories (about 160
words, a short news story) and replaces half of the words with words drawn from the whole corpus,
so synthetic stories are distinct from one another (Jaccard similarity of their word 3-grams
around 0.1, far below the 0.8 threshold) yet keep the corpus's languages and vocabulary.
Near-copies of indexed stories (one word replaced, or 2 % of the words) check that the index
still finds what it should. A last table does the same on the corpus stories at their own,
shorter, lengths.

At each size the index is filled to N stories, then for a batch of fresh stories the script
times what ``DedupePipeline.process_item`` does for each: ``find`` (URL, content hash, MinHash
lookup) and ``add``. ``minhash()`` alone is timed on the same batch: the difference is what the
LSH lookup itself costs.

    python -m benchmarks.bench_dedupe [--big] [--sizes 1000,5000,20000] [--batch 300]

``--big`` uses 1k, 5k, 20k and 100k stories.
"""

from __future__ import annotations

import random
import resource
import statistics
import time
import unicodedata
from collections.abc import Sequence
from typing import Any

from benchmarks.harness import (
    arguments,
    load_corpus,
    percentile,
    progress,
    rate,
    report,
    table,
    us,
)
from crawler.understanding.fingerprint import (
    _TOKEN_RE,
    DUPLICATE_NEAR,
    NearDuplicateIndex,
    content_hash,
    minhash,
)

Doc = dict[str, Any]


class StoryMaker:
    """Synthetic stories from the corpus: distinct ones and near-copies of earlier ones."""

    def __init__(self, seed: int = 20240521) -> None:
        self.random = random.Random(seed)
        self.bases: list[list[str]] = []
        for _, case in load_corpus():
            text = "\n".join([case.get("title", ""), *case.get("body", [])])
            self.bases.append(_TOKEN_RE.findall(unicodedata.normalize("NFKC", text).casefold()))
        self.vocabulary = sorted({t for tokens in self.bases for t in tokens})
        self.count = 0

    def doc(self, tokens: list[str]) -> Doc:
        self.count += 1
        url = f"https://bench.invalid/story/{self.count}"
        title = " ".join(tokens[:8])
        body = [" ".join(tokens[i : i + 30]) for i in range(8, len(tokens), 30)]
        return {
            "story_id": f"bench/{self.count}",
            "canonical_url": url,
            "title": title,
            "body": body,
            "content_hash": content_hash(title, body),
            "tokens": tokens,
        }

    def _perturb(self, tokens: list[str], share: float) -> list[str]:
        rng, vocab = self.random, self.vocabulary
        return [rng.choice(vocab) if rng.random() < share else t for t in tokens]

    def distinct(self) -> Doc:
        """Four neighbouring corpus stories (one language mostly) make one news-length text."""
        first = self.count % len(self.bases)
        base = [t for i in range(first, first + 4) for t in self.bases[i % len(self.bases)]]
        return self.doc(self._perturb(base, 0.5))

    def near_copy(self, doc: Doc, words: int) -> Doc:
        """``doc`` with ``words`` of its words replaced (a corrected name or figure)."""
        tokens = list(doc["tokens"])
        for position in self.random.sample(range(len(tokens)), min(words, len(tokens))):
            tokens[position] = self.random.choice(self.vocabulary)
        return self.doc(tokens)


def _find(index: NearDuplicateIndex, doc: Doc) -> Any:
    return index.find(
        canonical_url=doc["canonical_url"],
        content_hash=doc["content_hash"],
        title=doc["title"],
        body=doc["body"],
    )


def _add(index: NearDuplicateIndex, doc: Doc) -> None:
    index.add(
        story_id=doc["story_id"],
        canonical_url=doc["canonical_url"],
        content_hash=doc["content_hash"],
        title=doc["title"],
        body=doc["body"],
    )


def _timings(index: NearDuplicateIndex, fresh: list[Doc]) -> dict[str, list[float]]:
    """Per fresh story, back to back: MinHash alone, find, add (wall), and find+add in CPU time."""
    out: dict[str, list[float]] = {"minhash": [], "find": [], "add": [], "cpu": []}
    clock = time.perf_counter
    for doc in fresh:
        t0 = clock()
        minhash(doc["title"], doc["body"])
        t1 = clock()
        c0 = time.process_time()
        _find(index, doc)
        t2 = clock()
        _add(index, doc)
        t3 = clock()
        out["cpu"].append(time.process_time() - c0)
        out["minhash"].append(t1 - t0)
        out["find"].append(t2 - t1)
        out["add"].append(t3 - t2)
    return out


def short_stories(maker: StoryMaker, results: dict[str, Any]) -> str:
    """Are one-word edits of the corpus stories themselves (short texts) found?"""
    index = NearDuplicateIndex()
    originals = [maker.doc(tokens) for tokens in maker.bases]
    for doc in originals:
        _add(index, doc)
    buckets: dict[str, list[int]] = {}
    for doc in originals:
        match = _find(index, maker.near_copy(doc, 1))
        size = len(doc["tokens"])
        name = "under 40" if size < 40 else "40 to 79" if size < 80 else "80 or more"
        buckets.setdefault(name, []).append(match is not None and match.kind == DUPLICATE_NEAR)
    results["corpus_one_word_copies_found"] = {k: [sum(v), len(v)] for k, v in buckets.items()}
    return table(
        ["corpus story length (words)", "one-word copies found"],
        [[k, f"{sum(v)}/{len(v)}"] for k, v in sorted(buckets.items())],
    )


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(__doc__.split("\n")[0], argv, sizes="1000,5000,20000", batch=300)
    sizes = [1000, 5000, 20000, 100000] if args.big else [int(s) for s in args.sizes.split(",")]
    maker = StoryMaker()
    index = NearDuplicateIndex()
    indexed: list[Doc] = []
    results: dict[str, Any] = {}
    rows = []
    for size in sorted(sizes):
        progress(f"dedupe: filling the index to {size:,} stories")
        todo = [maker.distinct() for _ in range(size - len(indexed))]
        start = time.perf_counter()
        for doc in todo:
            _add(index, doc)
        step_seconds = time.perf_counter() - start
        indexed.extend(todo)
        # The batch: fresh stories and near-copies of indexed ones, each timed on its own.
        fresh = [maker.distinct() for _ in range(args.batch)]
        originals = [maker.random.choice(indexed) for _ in range(args.batch)]
        copies = [maker.near_copy(d, 1) for d in originals]
        edits = [maker.near_copy(d, max(2, len(d["tokens"]) // 50)) for d in originals]
        copy_times = []
        found = 0
        for doc in copies:
            start = time.perf_counter()
            match = _find(index, doc)
            copy_times.append(time.perf_counter() - start)
            found += match is not None and match.kind == DUPLICATE_NEAR
        edits_found = sum(
            (m := _find(index, d)) is not None and m.kind == DUPLICATE_NEAR for d in edits
        )
        false_hits = sum(_find(index, d) is not None for d in fresh)
        timings = _timings(index, fresh)
        indexed.extend(fresh)  # the next size tops up to its number, batch included
        per_story = [f + a for f, a in zip(timings["find"], timings["add"], strict=True)]
        median = {name: statistics.median(values) for name, values in timings.items()}
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results[str(size)] = {
            "indexed": size,
            "find_add_median_s": statistics.median(per_story),
            "find_add_p95_s": percentile(per_story, 0.95),
            "find_new_median_s": median["find"],
            "find_near_copy_median_s": statistics.median(copy_times),
            "add_median_s": median["add"],
            "minhash_median_s": median["minhash"],
            "find_add_cpu_median_s": median["cpu"],
            "one_word_copies_found": found,
            "two_percent_edits_found": edits_found,
            "fresh_wrongly_matched": false_hits,
            "fill_stories": len(todo),
            "fill_seconds": step_seconds,
            "max_rss_mib": rss_mib,
        }
        rows.append(
            [
                f"{size:,}",
                us(statistics.median(per_story)),
                us(percentile(per_story, 0.95)),
                us(median["cpu"]),
                us(median["minhash"]),
                us(max(median["find"] - median["minhash"], 0.0)),
                us(median["add"]),
                us(statistics.median(copy_times)),
                f"{found}/{len(copies)}",
                f"{edits_found}/{len(edits)}",
                f"{false_hits}/{len(fresh)}",
                rate(len(todo), step_seconds),
                f"{rss_mib:,.0f}",
            ]
        )
    text = table(
        [
            "stories indexed",
            "find+add µs/story (median)",
            "p95 µs",
            "CPU µs (median)",
            "MinHash alone µs",
            "find minus MinHash µs",
            "add µs",
            "find of a near-copy µs",
            "1-word copies found",
            "2 % edits found",
            "fresh stories wrongly matched",
            "add rate while filling, stories/s",
            "max RSS MiB",
        ],
        rows,
    )
    text += "\n\n" + short_stories(maker, results)
    report("Near-duplicate index", text, results, args)
    return results


if __name__ == "__main__":
    run()
