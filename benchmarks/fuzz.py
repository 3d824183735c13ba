"""Fuzzing at scale: random hostile inputs for every parser, the generic extractor,
``understand()``, dates and links; prints the crashes and the hangs, and how long inputs took.

The inputs come from ``tests/fuzzing.py`` (the suite runs a small fixed sample of the same, in
``tests/test_fuzz.py``). Here the sample is random and large, every exception is collected
instead of stopping the run, and an input over ``--hang`` seconds is stopped and counted as a
hang. A second table times the inputs that were found to stall the crawl before.

    python -m benchmarks.fuzz [--examples 300] [--hang 5] [--seed N] [--only parser:asiae,dates]
"""

from __future__ import annotations

import statistics
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from benchmarks.harness import arguments, ms, progress, report, table
from crawler.scraping.budget import BudgetExceeded, time_budget


def fuzz_target(name: str, examples: int, hang: float, rng_seed: int) -> dict[str, Any]:
    from tests.fuzzing import TARGETS

    check, strategy = TARGETS[name]
    times: list[float] = []
    crashes: Counter[str] = Counter()
    samples: dict[str, str] = {}
    hangs: list[str] = []

    @seed(rng_seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(args: tuple) -> None:
        started = time.perf_counter()
        try:
            with time_budget(hang):
                check(*args)
        except BudgetExceeded:
            hangs.append(repr(args)[:200])
        except Exception as exc:  # every crash is collected, the run goes on
            kind = f"{type(exc).__name__} at {_where(exc)}"
            crashes[kind] += 1
            samples.setdefault(kind, repr(args)[:200])
        times.append(time.perf_counter() - started)

    run()
    return {
        "inputs": len(times),
        "crashes": dict(crashes),
        "crash_samples": samples,
        "hangs": len(hangs),
        "hang_samples": hangs[:3],
        "median_s": statistics.median(times) if times else 0.0,
        "max_s": max(times, default=0.0),
    }


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/site-packages/" not in f.filename] or frames
    last = ours[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


def known_hostile() -> list[tuple[str, float]]:
    """Inputs that stalled a crawl before (issue figures: 8 s, 28 s, 2.5 s, unbounded)."""
    from crawler.scraping.items import RawPage, Story
    from crawler.scraping.parsing import generic_fields, parse_datetime
    from crawler.understanding.normalize import normalize_story
    from pipelines.normalize import NormalizePipeline
    from spiders.china_org_cn import ChinaOrgCnParser

    parser = ChinaOrgCnParser.latest()
    url = "http://www.china.org.cn/world/2024-01/02/content_1.htm"

    def html_page(body: str) -> RawPage:
        return RawPage(
            url=url,
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body=body.encode(),
        )

    big_paragraph = "<html><h1>T</h1><div id='articleBody'><p>" + "[photo " * 7_000 + "</p></div>"
    ten_mb = "<html><body>" + "<div><p>Qingdao and Gwangju.</p></div>" * 300_000 + "</body></html>"

    class Stats:
        def inc_value(self, *a: Any) -> None:
            pass

    def normalized(para: str) -> None:
        story = Story(
            site="fuzz",
            url=url,
            canonical_url=url,
            title="t",
            body=[para],
            fetched_at=datetime.now(UTC),
        )
        NormalizePipeline(Stats()).process_item(story)

    cases = [
        (
            "china_org_cn pager pattern, 26 digits + text",
            lambda: parser.is_boilerplate("1" * 26 + "x"),
        ),
        (
            "china_org_cn pager pattern, 40 digits + text",
            lambda: parser.is_boilerplate("1" * 40 + "x"),
        ),
        ("parse: 48 KB paragraph of '[photo '", lambda: parser.parse([html_page(big_paragraph)])),
        (
            "normalize pipeline: 1 MB paragraph of '[photo '",
            lambda: normalized("[photo " * 150_000),
        ),
        (
            "normalize_story alone: 48 KB paragraph of '[photo '",
            lambda: normalize_story(
                Story(
                    site="f",
                    url=url,
                    canonical_url=url,
                    title="t",
                    body=["[photo " * 7_000],
                    fetched_at=datetime.now(UTC),
                )
            ),
        ),
        (
            "parse_datetime: a string that is no date",
            lambda: parse_datetime("Foo 99, 12345 blah", "UTC"),
        ),
        ("parse_datetime: ISO 8601", lambda: parse_datetime("2024-11-21T10:00:00+09:00", "UTC")),
        ("generic extractor: 10 MB page", lambda: generic_fields([html_page(ten_mb)], "UTC")),
    ]
    results = []
    for label, fn in cases:
        fn()  # warm caches (dateparser, lxml) so the figure is the input's own cost
        started = time.perf_counter()
        fn()
        results.append((label, time.perf_counter() - started))
    return results


def main(argv: Sequence[str] | None = None) -> None:
    from tests.fuzzing import TARGETS

    args = arguments(__doc__, argv, repeats=1, examples=300, hang=5.0, seed=0, only="")
    names = sorted(TARGETS) if not args.only else [n.strip() for n in args.only.split(",")]
    rng_seed = args.seed or int(time.time())
    results: dict[str, Any] = {"seed": rng_seed, "targets": {}}
    rows = []
    for name in names:
        progress(f"fuzzing {name} with {args.examples} inputs (seed {rng_seed})")
        found = fuzz_target(name, args.examples, args.hang, rng_seed)
        results["targets"][name] = found
        crashes = ", ".join(f"{k} ×{n}" for k, n in found["crashes"].items()) or "none"
        rows.append(
            [
                name,
                found["inputs"],
                crashes,
                found["hangs"],
                ms(found["median_s"]),
                ms(found["max_s"]),
            ]
        )
    text = table(["target", "inputs", "crashes", "hangs", "median ms", "slowest ms"], rows)
    for name, found in results["targets"].items():
        for kind, sample in found["crash_samples"].items():
            text += f"\n\n`{name}` {kind}: `{sample}`"
        for sample in found["hang_samples"]:
            text += f"\n\n`{name}` hang: `{sample}`"
    progress("timing the known hostile inputs")
    known = known_hostile()
    results["known_hostile"] = dict(known)
    text += "\n\n" + table(["known hostile input", "ms"], [[k, ms(s)] for k, s in known])
    report(f"Fuzzing (seed {rng_seed}, --hang {args.hang} s)", text, results, args)


if __name__ == "__main__":
    main()
