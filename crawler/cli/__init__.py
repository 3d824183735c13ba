"""The `sistercity` command: ``main(argv)`` → ``parse_args(argv)`` → ``run(args)`` → exit code.

Each sub-command is a module of this package with ``add_parser(subparsers)`` and
``run(args) -> int``; ``COMMANDS`` lists them in the order ``--help`` shows them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence

from crawler import __version__

COMMANDS: list[str] = [
    "crawl",
    "status",
    "partnerships",
    "partnership",
    "serve",
    "schedule",
    "demo",
    "feeds",
    "reprocess",
    "db",
    "classify",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl holds the lock; try again later


def setting_arg(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` for ``-s``, as with ``scrapy crawl -s``."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE: {text!r}")
    return name, value


def add_setting_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s",
        "--set",
        type=setting_arg,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting, as with `scrapy crawl -s`",
    )


def describe(doc: str | None) -> str:
    """ "`sistercity x`: does y." -> "Does y."; the first paragraph of a module docstring."""
    first = (doc or "").strip().split("\n\n")[0].replace("\n", " ")
    first = re.sub(r"^`[^`]*`:\s*", "", first)
    return first[:1].upper() + first[1:]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sistercity",
        description="Crawl sister-city partnership news and publish changes as Atom feeds.",
    )
    parser.add_argument("--version", action="version", version=f"sistercity {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"crawler.cli.{name}")
        sub = module.add_parser(subparsers)
        sub.set_defaults(_run=module.run)
        if not sub.description:  # `--help` says what the command does: the module's summary
            sub.description = describe(module.__doc__)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def run(args: argparse.Namespace) -> int:
    return int(args._run(args))


def main(argv: Sequence[str] | None = None) -> int:
    # The project's settings also outside the checkout (no scrapy.cfg in the working directory).
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings.base")
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
