"""Run every benchmark, each in a fresh process, and print one Markdown report.

    python -m benchmarks.run_all [--big] [--only parsing,feeds] [--out DIR]

A fresh process per benchmark keeps one's memory and caches (the gazetteer, the index) out of
the next one's figures. The report starts with the machine and its load average: the figures
are only comparable between runs on a machine doing nothing else.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import ROOT, machine

BENCHMARKS = ("parsing", "understanding", "dedupe", "store", "feeds")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", action="store_true", help="bigger sizes (takes many minutes)")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated names")
    parser.add_argument("--out", type=Path, help="keep each benchmark's JSON figures here")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    print(f"# sistercity benchmarks, {datetime.date.today().isoformat()}\n")
    print(f"Machine: {machine()}; load average {_load()} at start.\n", flush=True)
    failed = []
    for name in names:
        command = [sys.executable, "-m", f"benchmarks.bench_{name}"]
        if args.big:
            command.append("--big")
        if args.out:
            command += ["--json", str(args.out / f"{name}.json")]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, check=False)
        print(
            f"_{name}: {time.perf_counter() - start:.0f} s, load average {_load()}_\n", flush=True
        )
        if done.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
