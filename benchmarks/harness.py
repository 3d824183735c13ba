"""What every benchmark shares: the command line, timing with repeats, corpus loading, tables.

Timings use ``time.perf_counter``. Each figure is the median of ``--repeats`` runs after one
warm-up run, so a single hiccup from another process on the machine does not move it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "tests" / "resources"
CORPUS = RESOURCES / "corpus"
POSTGRES_URL = os.environ.get(
    "SISTERCITY_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def arguments(
    description: str, argv: Sequence[str] | None = None, *, repeats: int = 5, **extra: Any
) -> Any:
    """Parse the options every benchmark takes; ``extra`` adds ``--name`` options with defaults."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--big", action="store_true", help="bigger sizes (takes minutes)")
    parser.add_argument(
        "--repeats", type=int, default=repeats, help="timed runs per figure (median)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    for name, default in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", default=default, type=type(default))
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn: Callable[[], Any], repeats: int, *, warmup: bool = True) -> float:
    """Median wall time of ``fn`` over ``repeats`` runs (after one untimed run)."""
    if warmup:
        fn()
    return statistics.median(timed(fn) for _ in range(repeats))


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load_corpus() -> list[tuple[str, dict[str, Any]]]:
    """The labelled stories of ``tests/resources/corpus`` as (key, case) pairs."""
    from crawler.understanding.evaluate import load_corpus as load

    return list(load(CORPUS))


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {cpu}, Python {platform.python_version()}, {platform.system()}"


def report(title: str, text: str, results: Any, args: Any) -> None:
    """Print a Markdown section and, with ``--json``, keep the raw figures."""
    print(f"## {title}\n\n{text}\n", flush=True)
    if args.json:
        args.json.write_text(
            json.dumps({"benchmark": title, "machine": machine(), "results": results}, indent=2)
            + "\n",
            encoding="utf-8",
        )


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds > 0 else "∞"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f}"


def progress(message: str) -> None:
    """Progress goes to stderr so stdout stays a clean Markdown report."""
    print(message, file=sys.stderr, flush=True)


class PageServer(ThreadingHTTPServer):
    """The benchmarks' page servers: one thread a connection, and a listen backlog for a crawl's
    burst of connections. With the standard library's 5, the four spiders' first requests
    (64 connections at once) overflowed it, and the connections dropped waited for the
    client's SYN retransmits (1, 3, 7, 15 s...), which showed up as stalls of 20-30 s."""

    daemon_threads = True
    request_queue_size = 1024


@contextmanager
def server_process(call: str, port_file: Path) -> Iterator[int]:
    """A page server in a process of its own (so it does not share the crawl's core): runs the
    Python statements ``call``, which must write the server's port to ``port_file``; yields the
    port and stops the process afterwards."""
    server = subprocess.Popen([sys.executable, "-c", call], cwd=ROOT)
    try:
        while not port_file.exists() or not port_file.read_text():
            time.sleep(0.1)
        yield int(port_file.read_text())
    finally:
        server.terminate()
        server.wait()
