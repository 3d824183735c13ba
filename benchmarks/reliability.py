"""The fault matrix: what each crawl fault costs, and whether kill -9 ever corrupts the store.

    python -m benchmarks.reliability [--site chinesetoday] [--kills 20] [--only 500,hang]
                                     [--json FILE]

Every crawl is a real `sistercity crawl SITE --json` subprocess against the replicas on
127.0.0.1, whose fault switches (``ReplicaServer.inject``) spoil one page for the whole first
run. For each fault the script starts from an empty store (from a clean crawl's store where the
fault's name says "stored story"), runs one crawl with the fault, then one normal crawl, and
prints:

- exit code and health flags of the faulty run (a run that lost a story must say so: exit 1);
- stories lost after the next normal run: stories of a clean crawl missing from the store (goal 0);
- bogus feed entries: feed entries (any feed, archives included) that a clean crawl does not
  produce, such as "withdrawn"/"renewed" changes from garbled text (goal 0);
- whether the register then equals the clean crawl's (converged).

Then it kills a crawl with SIGKILL at ``--kills`` points (half by time since the start, half by
stories stored), checks the store (``PRAGMA integrity_check``, every feed parses), runs a normal crawl and checks
that the store converged to the clean crawl's stories and register. It prints a Markdown table;
it never fails on a bad figure.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import feedparser

from benchmarks.harness import ROOT
from crawler.replicas import ReplicaServer
from storage.repository import StoryStore

FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_BACKOFF_BASE": "0.1",
    "RETRY_TIMES": "1",
    "DOWNLOAD_TIMEOUT": "3",
}
# chinesetoday: page 1 holds 16702 (a traditional-Chinese partnership story), page 2 holds
# 14890, so a normal run that stops at page 1 never sees page 2 again.
TARGETS = {
    "chinesetoday": {
        "article": "http://chinesetoday.com/?c=26&m=14890",
        "listing": "http://chinesetoday.com/?c=26&page=2",
        "charset": "http://chinesetoday.com/?c=26&m=16702",
    }
}
# name -> (target, inject arguments)
FAULTS: dict[str, tuple[str, dict[str, Any]]] = {
    "500": ("article", {"kind": "status", "status": 500}),
    "500 listing page 2": ("listing", {"kind": "status", "status": 500}),
    "503": ("article", {"kind": "status", "status": 503, "retry_after": "1"}),
    "hang": ("article", {"kind": "hang", "delay": 10.0}),
    "reset": ("article", {"kind": "status", "status": 0}),
    "429": ("article", {"kind": "status", "status": 429, "retry_after": "1"}),
    "truncated": ("article", {"kind": "truncated"}),
    "wrong charset": ("charset", {"kind": "charset", "charset": "iso-8859-1"}),
    # The same, on a story already stored by a clean crawl: garbled text must not read as the
    # story withdrawing its partnership claims.
    "wrong charset on a stored story": (
        "charset",
        {"kind": "charset", "charset": "iso-8859-1", "after_clean_run": True},
    ),
    "redirect loop": ("article", {"kind": "redirect_loop"}),
    "10 MB": ("article", {"kind": "huge", "size": 10 * 1024 * 1024}),
    "non-HTML": ("article", {"kind": "non_html"}),
    "empty": ("article", {"kind": "empty"}),
}


class Crawls:
    """`sistercity crawl` subprocesses with their own var dir, against one replica server."""

    def __init__(self, server: ReplicaServer, site: str, var: Path):
        self.server, self.site, self.var = server, site, var
        self.db = var / "store.db"
        self.env = {
            **os.environ,
            "SISTERCITY_VAR_DIR": str(var),
            "SISTERCITY_DB_URL": f"sqlite:///{self.db}",
            "SISTERCITY_FEEDS_DIR": str(var / "feeds"),
            "SISTERCITY_HTTPCACHE_DIR": str(var / "httpcache"),
            "SISTERCITY_SITE_MIRRORS": json.dumps(server.mirrors()),
            "SISTERCITY_SITE_START_URLS": json.dumps(server.start_urls()),
        }

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "crawler.app.cli", "crawl", self.site, "--json"]
        for name, value in FAST.items():
            cmd += ["-s", f"{name}={value}"]
        return cmd

    def run(self) -> tuple[int, dict[str, Any]]:
        done = subprocess.run(
            self.command(), cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        try:
            row = json.loads(done.stdout)["sites"][self.site]
        except (ValueError, KeyError):
            row = {"flags": [], "error": done.stderr[-500:]}
        return done.returncode, row

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    # --- what the store and the feeds hold ---------------------------------------------------
    def state(self) -> dict[str, Any]:
        with StoryStore.open(f"sqlite:///{self.db}") as store:
            register = store.register_snapshot()
            return {
                "stories": store.known_canonical_urls(self.site),
                "register": {key: _settled(rec) for key, rec in register.items()},
                "entries": self.feed_entries(),
                "queue": store.retry_queue_sizes().get(self.site, 0),
            }

    def feed_entries(self) -> set[str]:
        return {
            entry.id
            for path in (self.var / "feeds").rglob("*.atom")
            for entry in feedparser.parse(path.read_bytes()).entries
            if path.name != "health.atom"
        }

    def intact(self) -> tuple[bool, str]:
        """SQLite's own integrity check, and every feed file well-formed."""
        if self.db.exists():
            with sqlite3.connect(self.db) as conn:
                result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                return False, f"integrity_check: {result}"
        for path in (self.var / "feeds").rglob("*"):
            if path.suffix in {".atom", ".xml"} and feedparser.parse(path.read_bytes()).bozo:
                return False, f"malformed feed {path.name}"
        return True, "ok"


def _settled(record: dict[str, Any]) -> dict[str, Any]:
    """A partnership as the register settled it: its fields and events, without when each change
    was recorded or in which order concurrent fetches delivered the evidence."""
    return {
        **{k: v for k, v in record.items() if k not in {"changes", "events"}},
        "events": sorted(json.dumps(e, sort_keys=True) for e in record.get("events", [])),
        "change_kinds": sorted(f"{c['kind']}:{c['field']}" for c in record["changes"]),
    }


def clean_reference(site: str, root: Path) -> tuple[dict[str, Any], float]:
    with ReplicaServer() as server:
        crawls = Crawls(server, site, root / "reference")
        start = time.perf_counter()
        code, _ = crawls.run()
        took = time.perf_counter() - start
        if code != 0:
            raise SystemExit(f"the clean reference crawl exited {code}")
        return crawls.state(), took


def fault_row(name: str, site: str, root: Path, reference: dict[str, Any]) -> dict[str, Any]:
    target, options = FAULTS[name]
    url = TARGETS[site][target]
    with ReplicaServer() as server:
        crawls = Crawls(server, site, root / name.replace(" ", "_"))
        options = dict(options)
        kind = options.pop("kind")
        if options.pop("after_clean_run", False):
            crawls.run()
        if kind == "status":
            server.inject_fault(url, options["status"], 1000, options.get("retry_after"))
        else:
            server.inject(url, kind, 1000, **options)
        start = time.perf_counter()
        code, row = crawls.run()
        faulty_seconds = time.perf_counter() - start
        server.clear_faults()
        next_code, _ = crawls.run()
        state = crawls.state()
    return {
        "fault": name,
        "exit": code,
        "flags": sorted({f["kind"] for f in row.get("flags", [])}),
        "seconds": round(faulty_seconds, 1),
        "next_exit": next_code,
        "lost": len(reference["stories"] - state["stories"]),
        "bogus": len(state["entries"] - reference["entries"]),
        "converged": state["register"] == reference["register"],
        "queue": state["queue"],
    }


def stored_count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
            return int(conn.execute("select count(*) from stories").fetchone()[0])
    except sqlite3.Error:  # not created yet, or busy
        return 0


def kill_row(
    point: int, when: tuple[str, float], site: str, root: Path, reference: dict[str, Any]
) -> dict:
    """Kill a crawl ``when`` = ("seconds", t) after it starts or ("stories", n) once n stories
    are stored, check the store and the feeds, then run a normal crawl and compare."""
    with ReplicaServer() as server:
        crawls = Crawls(server, site, root / f"kill{point}")
        proc = crawls.start()
        started = time.perf_counter()
        if when[0] == "seconds":
            time.sleep(when[1])
        else:
            while proc.poll() is None and stored_count(crawls.db) < when[1]:
                time.sleep(0.02)
        killed_at = time.perf_counter() - started
        finished_first = proc.poll() is not None
        if not finished_first:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        intact, why = crawls.intact()
        code, _ = crawls.run()
        state = crawls.state()
        intact_after, why_after = crawls.intact()
    return {
        "point": point,
        "when": f"{when[1]:g} s" if when[0] == "seconds" else f"{when[1]:g} stories stored",
        "killed_at": round(killed_at, 2),
        "killed": not finished_first,
        "intact": intact,
        "why": why if not intact else why_after,
        "next_exit": code,
        "lost": len(reference["stories"] - state["stories"]),
        "bogus": len(state["entries"] - reference["entries"]),
        "converged": state["register"] == reference["register"] and intact_after,
    }


def kill_points(n: int, took: float, stories: int) -> list[tuple[str, float]]:
    """Half the points in the first 40 % of a clean crawl's time (start-up, migrations, listing
    pages), half once 1 … all stories are stored (writes, then the feeds and health)."""
    timed = n // 2
    counted = n - timed
    points: list[tuple[str, float]] = [
        ("seconds", round(took * 0.4 * (i + 1) / timed, 2)) for i in range(timed)
    ]
    points += [
        ("stories", round(1 + (stories - 1) * j / max(1, counted - 1))) for j in range(counted)
    ]
    return points


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", default="chinesetoday", choices=sorted(TARGETS))
    parser.add_argument("--kills", type=int, default=20, help="kill -9 points (0: none)")
    parser.add_argument("--only", default="", help="comma-separated fault names")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(FAULTS)
    with tempfile.TemporaryDirectory(prefix="sistercity-reliability-") as tmp:
        root = Path(tmp)
        reference, took = clean_reference(args.site, root)
        print(
            f"Clean crawl of {args.site}: {len(reference['stories'])} stories, "
            f"{len(reference['entries'])} feed entries, {took:.1f} s\n",
            flush=True,
        )
        rows = []
        print(
            "| fault | exit | flags | seconds | next run exit | lost | bogus entries "
            "| register converged | queue after |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for name in names:
            r = fault_row(name, args.site, root, reference)
            rows.append(r)
            print(
                f"| {r['fault']} | {r['exit']} | {', '.join(r['flags']) or '-'} | {r['seconds']} "
                f"| {r['next_exit']} | {r['lost']} | {r['bogus']} "
                f"| {'yes' if r['converged'] else 'NO'} | {r['queue']} |",
                flush=True,
            )
        kills = []
        if args.kills:
            print(
                "\n| kill -9 when | at (s) | killed | store and feeds intact | next run exit "
                "| lost | bogus entries | converged |"
            )
            print("|---|---|---|---|---|---|---|---|")
        for i, when in enumerate(kill_points(args.kills, took, len(reference["stories"]))):
            k = kill_row(i, when, args.site, root, reference)
            kills.append(k)
            print(
                f"| {k['when']} | {k['killed_at']} | {'yes' if k['killed'] else 'no (done)'} "
                f"| {'yes' if k['intact'] else 'NO: ' + k['why']} | {k['next_exit']} "
                f"| {k['lost']} | {k['bogus']} | {'yes' if k['converged'] else 'NO'} |",
                flush=True,
            )
        if kills:
            print(
                f"\nkill -9: {sum(k['killed'] for k in kills)}/{len(kills)} killed mid-run, "
                f"{sum(k['intact'] for k in kills)}/{len(kills)} intact, "
                f"{sum(k['converged'] for k in kills)}/{len(kills)} converged, "
                f"{sum(k['lost'] for k in kills)} stories lost"
            )
    if args.json:
        args.json.write_text(json.dumps({"faults": rows, "kills": kills}, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
