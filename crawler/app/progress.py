"""What a person at a terminal sees: live per-site progress while crawling, then a summary table."""

from __future__ import annotations

import sys
import threading
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table


class LiveProgress:
    """A live table of pages and stories per site; ``update`` is safe to call from any thread."""

    def __init__(self, sites: list[str]):
        self.counts = {site: {"response": 0, "story": 0} for site in sites}
        self._lock = threading.Lock()
        self._live = Live(self._table(), console=Console(file=sys.stderr), refresh_per_second=4)

    def _table(self) -> Table:
        table = Table(title="Crawling", title_justify="left")
        table.add_column("site")
        table.add_column("pages", justify="right")
        table.add_column("stories", justify="right")
        for site, counts in self.counts.items():
            table.add_row(site, str(counts["response"]), str(counts["story"]))
        return table

    def update(self, site: str, event: str) -> None:
        with self._lock:
            self.counts[site][event] += 1
            self._live.update(self._table())

    def __enter__(self) -> LiveProgress:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()


def _pairs(counts: dict[str, Any]) -> str:
    return " ".join(f"{k}:{v}" for k, v in counts.items() if v) or "-"


def _accounted(row: dict[str, Any]) -> str:
    """Stories asked for against those that ended as stored, unchanged or a recorded failure."""
    requested = row.get("articles", {}).get("requested", 0)
    accounted = sum(row["stories"].get(k, 0) for k in ("new", "changed", "unchanged", "error"))
    return f"{requested}/{accounted}"


def print_summary(rows: dict[str, dict[str, Any]], extra: dict[str, Any]) -> None:
    """The per-site summary; plain text when stdout is not a terminal (cron mail)."""
    console = Console(highlight=False) if sys.stdout.isatty() else Console(no_color=True, width=200)
    table = Table(
        title="sistercity crawl" + (" (dry run: nothing written)" if extra.get("dry_run") else "")
    )
    for column in (
        "site",
        "pages by status",
        "stories",
        "partnerships",
        "extraction",
        "errors",
        "requested/accounted",
        "retry queue",
        "seconds",
        "flags",
    ):
        table.add_column(column)
    for site, row in rows.items():
        table.add_row(
            site,
            _pairs(row["responses_by_status"]),
            _pairs(row["stories"]),
            _pairs(row["partnerships"]),
            _pairs(row["extraction"]),
            str(row["errors"]),
            _accounted(row),
            str(row.get("retry_queue", 0)),
            f"{row['duration_seconds']:.1f}",
            "; ".join(f["message"] for f in row["flags"])
            or ("ok" if row["finish_reason"] == "finished" else row["finish_reason"]),
        )
    console.print(table)
    for site, row in rows.items():
        for failure in row["failed_urls"]:
            console.print(f"{site}: could not fetch {failure['url']}: {failure['reason']}")
    if extra.get("feeds_dir"):
        console.print(f"Feeds: {extra['feeds_dir']}   Store: {extra['db']}")
