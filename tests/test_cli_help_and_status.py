"""Every sub-command explains itself in --help; `sistercity status` finds the demo's store and
never creates an empty one."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from crawler.app.cli import build_parser
from storage import StoryStore
from tests.conftest import ROOT


def _subparsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _subparsers(sub, (*path, name))


def test_every_subcommand_has_a_description() -> None:
    found = list(_subparsers(build_parser()))
    assert {"crawl", "status", "partnerships", "partnership"} <= {p[0] for p, _ in found}
    for path, sub in found:
        text = sub.description or ""
        assert len(text) > 15, path
        assert " ".join(text.split())[:40] in " ".join(sub.format_help().split()), path


def status(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SISTERCITY_")}
    return subprocess.run(
        [sys.executable, "-m", "crawler.app.cli", "status", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_status_without_a_store_says_where_it_looked_and_creates_nothing(tmp_path: Path) -> None:
    proc = status(tmp_path)
    assert proc.returncode == 1
    assert str(tmp_path / "var" / "sistercity.db") in proc.stderr
    assert str(tmp_path / "var" / "demo" / "sistercity.db") in proc.stderr
    assert not (tmp_path / "var").exists()


def test_status_after_the_demo_finds_the_demo_store(tmp_path: Path) -> None:
    demo = tmp_path / "var" / "demo"
    demo.mkdir(parents=True)
    with StoryStore.open(f"sqlite:///{demo / 'sistercity.db'}") as store:
        run = store.start_run(["asiae"])
        store.finish_site_run(run, "asiae", {"responses_by_status": {"200": 3}})
    proc = status(tmp_path, "--json")
    assert proc.returncode == 0, proc.stderr
    assert '"run_id": 1' in proc.stdout
    assert not (tmp_path / "var" / "sistercity.db").exists()
