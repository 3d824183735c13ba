"""`sistercity schedule`: run crawls on a schedule, in-process, for hosts without cron.

Each crawl is a child `sistercity crawl` process (Scrapy's reactor cannot restart in one
process, and a crash stays contained). APScheduler provides the triggers, the jitter and the
one-at-a-time rule; a failing crawl is logged and the schedule goes on; SIGTERM stops cleanly
after the running crawl.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from typing import Any

logger = logging.getLogger("sistercity.schedule")

_EVERY_RE = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_every(text: str) -> timedelta:
    """``30s``, ``15m``, ``6h`` or ``1d`` as a timedelta."""
    match = _EVERY_RE.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"not an interval like 6h, 30m or 1d: {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "schedule", help="run crawls on a schedule (for hosts without cron)"
    )
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--every", type=parse_every, help="interval: 30m, 6h, 1d")
    when.add_argument("--cron", help='crontab expression, e.g. "0 */6 * * *"')
    parser.add_argument(
        "--jitter",
        type=parse_every,
        default=None,
        help="random delay added to each run (default: 5%% of --every, 5m with --cron)",
    )
    parser.add_argument("--max-runs", type=int, default=None, help="stop after this many crawls")
    parser.add_argument(
        "crawl_args",
        nargs=argparse.REMAINDER,
        help="arguments passed to `sistercity crawl` (after --)",
    )
    return parser


def build_trigger(args: argparse.Namespace) -> Any:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if args.every is not None:
        jitter = args.jitter or args.every * 0.05
        return IntervalTrigger(
            seconds=args.every.total_seconds(), jitter=int(jitter.total_seconds()) or None
        )
    jitter = args.jitter or timedelta(minutes=5)
    # The five crontab fields as CronTrigger.from_crontab reads them; from_crontab itself takes
    # no jitter.
    fields = args.cron.split()
    if len(fields) != 5:
        raise SystemExit(
            f"sistercity schedule: bad --cron expression: expected 5 fields, got {len(fields)}"
        )
    minute, hour, day, month, day_of_week = fields
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            jitter=int(jitter.total_seconds()) or None,
        )
    except ValueError as exc:
        raise SystemExit(f"sistercity schedule: bad --cron expression: {exc}") from None


def run(args: argparse.Namespace) -> int:
    from apscheduler.schedulers.background import BackgroundScheduler

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s"
    )
    try:
        trigger = build_trigger(args)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    crawl_args = [a for a in args.crawl_args if a != "--"]
    # The scheduler runs in the background; the main thread only waits for `done`. A signal
    # handler then never calls into the scheduler or logging while they hold their locks (a
    # SIGTERM during start-up used to leave the schedule running forever).
    scheduler = BackgroundScheduler()
    done = threading.Event()
    state: dict[str, Any] = {"count": 0, "child": None, "signal": None}

    def crawl_once() -> None:
        if done.is_set():
            return
        state["count"] += 1
        cmd = [sys.executable, "-m", "crawler.app.cli", "crawl", *crawl_args]
        logger.info("Crawl %d starting: %s", state["count"], " ".join(cmd[2:]))
        state["child"] = child = subprocess.Popen(cmd)
        code = child.wait()
        state["child"] = None
        if code == 0:
            logger.info("Crawl %d finished: all sites fine", state["count"])
        else:
            logger.error(
                "Crawl %d ended with exit code %d; the schedule goes on", state["count"], code
            )
        if args.max_runs and state["count"] >= args.max_runs:
            done.set()

    scheduler.add_job(
        crawl_once, trigger, id="crawl", max_instances=1, coalesce=True, misfire_grace_time=None
    )

    def stop(signum: int, frame: Any) -> None:
        state["signal"] = signum
        child = state["child"]
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)  # the crawl finishes its work and exits
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("Schedule started: %s", trigger)
    scheduler.start()
    while not done.wait(1.0):
        pass
    if state["signal"] is not None:
        logger.info("Stopping the schedule (signal %d)", state["signal"])
    child = state["child"]
    if child is not None:
        logger.info("Waiting for the running crawl (pid %d) to finish", child.pid)
    scheduler.shutdown(wait=True)  # returns once a running crawl_once has returned
    logger.info("Schedule stopped after %d crawl(s)", state["count"])
    return 0
