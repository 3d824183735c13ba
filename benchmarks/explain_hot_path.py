"""EXPLAIN every query ``StoryStore.record`` runs, on SQLite and PostgreSQL, and flag full scans.

The hot path is what a crawl does per story: file a new story, file it again unchanged, file an
edit (new version, claims replaced), file a second story about a known pair (an event joined, a
repeat claim). Every statement those calls send is captured with its parameters and explained
on a store that already holds them:

- SQLite: ``EXPLAIN QUERY PLAN``; a ``SCAN <table>`` step that uses no index is a full scan.
- PostgreSQL: ``EXPLAIN`` with ``enable_seqscan`` off, so the planner takes an index whenever
  one can serve the query (on a small table it would pick a sequential scan anyway); a
  ``Seq Scan`` left in the plan has no index to use.

    python -m benchmarks.explain_hot_path [--backends sqlite,postgresql]

Prints each backend's statements with their plan and exits 1 when a full scan is found, so
the same check runs in ``tests/test_store_indexes.py``.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks import synthetic
from benchmarks.harness import POSTGRES_URL, arguments, progress, table
from storage import StoryStore

# Statements that read or filter rows; plain INSERTs have no plan worth checking.
_PLANNED = re.compile(r"^\s*(SELECT|UPDATE|DELETE)\b", re.IGNORECASE)
# SQLite: SEARCH is a lookup; SCAN reads a whole table or a whole index.
_SQLITE_SCAN = re.compile(r"\bSCAN (?!CONSTANT ROW)(\w+)")
# PostgreSQL: a sequential scan, or an index scan with no Index Cond (the whole index, filtered).
_PG_NODE = re.compile(r"(Seq Scan on|Index Scan using \S+ on|Index Only Scan using \S+ on) (\w+)")


@dataclass
class Plan:
    statement: str
    plan: list[str]
    full_scans: list[str]


def hot_path_calls(store: StoryStore) -> None:
    """What a crawl does to the store per story, on a store that already has some history."""
    for n in range(8):
        store.record(synthetic.story(n))
    first = synthetic.story(8)
    store.record(first)  # new story, new pair
    store.record(synthetic.story(8, fetched=first.fetched_at + timedelta(days=1)))  # unchanged
    store.record(synthetic.story(8, edition=2, fetched=first.fetched_at + timedelta(days=2)))
    # A second story on the same pair and event: claims join the event, evidence is added.
    other = synthetic.story(8, edition=3, fetched=first.fetched_at + timedelta(days=3))
    other.site, other.story_id = "asiae", "asiae/repeat/8"
    other.url = other.canonical_url = other.url.replace("https://", "https://repeat.")
    store.record(other)


def captured_statements(store: StoryStore) -> list[tuple[str, Any]]:
    seen: dict[str, Any] = {}

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if _PLANNED.match(statement) and not executemany and statement not in seen:
            seen[statement] = parameters

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        hot_path_calls(store)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    return list(seen.items())


def explain(store: StoryStore, statements: list[tuple[str, Any]]) -> list[Plan]:
    sqlite = store.engine.dialect.name == "sqlite"
    plans = []
    with store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        if not sqlite:
            cursor.execute("SET enable_seqscan = off")
        for statement, parameters in statements:
            if sqlite:
                cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
                lines = [str(row[-1]) for row in cursor.fetchall()]
                scans = [m.group(1) for line in lines for m in [_SQLITE_SCAN.search(line)] if m]
            else:
                cursor.execute(f"EXPLAIN {statement}", parameters)
                lines = [str(row[0]) for row in cursor.fetchall()]
                scans = _pg_full_scans(lines)
            plans.append(Plan(" ".join(statement.split()), lines, scans))
        if not sqlite:
            cursor.execute("RESET enable_seqscan")
        cursor.close()
        conn.rollback()
    return plans


def _pg_full_scans(lines: list[str]) -> list[str]:
    """Tables read whole: a Seq Scan, or an (Index|Bitmap Index) scan without an Index Cond."""
    scans = []
    nodes = [i for i, line in enumerate(lines) if "Scan" in line and ("->" in line or i == 0)]
    for n, start in enumerate(nodes):
        end = nodes[n + 1] if n + 1 < len(nodes) else len(lines)
        details = " ".join(lines[start + 1 : end])
        head = lines[start]
        node = _PG_NODE.search(head)
        if node and node.group(1).startswith("Seq Scan"):
            scans.append(node.group(2))
        elif ("Index Scan" in head or "Index Only Scan" in head) and "Index Cond" not in details:
            scans.append(node.group(2) if node else head.strip())
    return scans


def hot_path_plans(url: str) -> list[Plan]:
    """Every distinct hot-path statement on the store at ``url`` (a fresh one) with its plan."""
    with StoryStore.open(url) as store:
        return explain(store, captured_statements(store))


@contextmanager
def backend_url(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="sistercity-explain-") as folder:
            yield f"sqlite:///{Path(folder) / 'store.db'}"
    else:
        from tests.pgschema import throwaway_schema

        with throwaway_schema(POSTGRES_URL, "explain") as url:
            yield url


def run(argv: Sequence[str] | None = None) -> int:
    args = arguments(__doc__.split("\n")[0], argv, repeats=1, backends="sqlite,postgresql")
    found = 0
    for backend in args.backends.split(","):
        progress(f"explain: {backend}")
        with backend_url(backend) as url:
            plans = hot_path_plans(url)
        rows = [
            [
                "**full scan: " + ", ".join(p.full_scans) + "**" if p.full_scans else "index",
                f"`{p.statement[:160]}`",
                "<br>".join(p.plan)[:300],
            ]
            for p in plans
        ]
        found += sum(1 for p in plans if p.full_scans)
        print(f"## {backend}: {len(plans)} statements\n")
        print(table(["verdict", "statement", "plan"], rows) + "\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(run())
