"""Store throughput: ``StoryStore.record`` per second on SQLite and on PostgreSQL.

Three passes over N synthetic stories (``benchmarks/synthetic.py``: one partnership each, the
raw page kept gzipped, the register updated): *new* (first sight: story, version, raw page,
claims, a new partnership and its change), *unchanged* (the same stories fetched again: what
most of a daily crawl is) and *changed* (each story edited: a new version with its paragraph
diff, claims replaced). Each ``record`` is its own transaction, as in the crawl. The *new* pass
is also reported for its first and last quarter, to show whether filing slows as the store
fills.

SQLite is a fresh file in a temporary folder. PostgreSQL is a throwaway schema in the database
of ``SISTERCITY_BENCH_PG_URL`` (default postgresql+psycopg://postgres@127.0.0.1:5432/test),
dropped afterwards; when the server cannot be reached its row says so.

    python -m benchmarks.bench_store [--big] [--stories 200] [--backends sqlite,postgresql]

``--big`` files 2,000 stories.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from benchmarks import synthetic
from benchmarks.harness import POSTGRES_URL, arguments, ms, progress, rate, report, table
from storage import StoryStore
from tests.pgschema import throwaway_schema


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="sistercity-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'store.db'}"


def postgres_url() -> AbstractContextManager[str]:
    return throwaway_schema(POSTGRES_URL, "bench")


def passes(url: str, count: int) -> dict[str, Any]:
    first = [synthetic.story(n) for n in range(count)]
    again = [
        synthetic.story(n, fetched=s.fetched_at + timedelta(days=1)) for n, s in enumerate(first)
    ]
    edited = [
        synthetic.story(n, edition=2, fetched=s.fetched_at + timedelta(days=2))
        for n, s in enumerate(first)
    ]
    out: dict[str, Any] = {}
    with StoryStore.open(url) as store:
        for name, stories, kind in (
            ("new", first, "new"),
            ("unchanged", again, "unchanged"),
            ("changed", edited, "changed"),
        ):
            progress(f"store: {name} x {count}")
            times = []
            for story in stories:
                start = time.perf_counter()
                change = store.record(story)
                times.append(time.perf_counter() - start)
                if change.kind != kind:
                    raise RuntimeError(f"expected {kind}, the store said {change.kind}: {change}")
            quarter = max(1, count // 4)
            out[name] = {
                "seconds": sum(times),
                "first_quarter_seconds": sum(times[:quarter]),
                "last_quarter_seconds": sum(times[-quarter:]),
                "quarter": quarter,
            }
    return out


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = arguments(__doc__.split("\n")[0], argv, stories=200, backends="sqlite,postgresql")
    count = 2000 if args.big else args.stories
    results: dict[str, Any] = {}
    rows = []
    for backend in args.backends.split(","):
        opener = {"sqlite": sqlite_url, "postgresql": postgres_url}[backend]
        try:
            with opener() as url:
                found = passes(url, count)
        except OperationalError as exc:
            rows.append([backend, f"not measured: {str(exc).splitlines()[0]}"] + [""] * 5)
            continue
        results[backend] = found
        new = found["new"]
        rows.append(
            [
                backend,
                rate(count, new["seconds"]),
                ms(new["seconds"] / count),
                f"{rate(new['quarter'], new['first_quarter_seconds'])} → "
                f"{rate(new['quarter'], new['last_quarter_seconds'])}",
                rate(count, found["unchanged"]["seconds"]),
                ms(found["unchanged"]["seconds"] / count),
                rate(count, found["changed"]["seconds"]),
            ]
        )
    text = table(
        [
            f"backend ({count:,} stories)",
            "new stories/s",
            "ms/story",
            "new: first → last quarter, stories/s",
            "unchanged stories/s",
            "ms/story",
            "changed stories/s",
        ],
        rows,
    )
    report("Store", text, results, args)
    return results


if __name__ == "__main__":
    run()
